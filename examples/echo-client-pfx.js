// The pfx echo client from the tls documentation, unchanged but for the module.
var tls = require('openssl-tls');
var fs = require('fs');
var options = {
  pfx: fs.readFileSync('client.pfx')
};
var socket = tls.connect(8000, options, function() {
  console.log('client connected',
              socket.authorized ? 'authorized' : 'unauthorized');
  process.stdin.pipe(socket);
  process.stdin.resume();
});
socket.setEncoding('utf8');
socket.on('data', function(data) {
  console.log(data);
});
socket.on('end', function() {
  server.close();
});
