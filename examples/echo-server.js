// The echo server from the tls documentation (key/cert, client-certificate
// authentication), unchanged but for the module it requires.
// Run it in a directory holding server-key.pem, server-cert.pem and client-cert.pem
// (`npm run demo` makes them and starts it: see scripts/demo.sh).
var tls = require('openssl-tls');
var fs = require('fs');
var options = {
  key: fs.readFileSync('server-key.pem'),
  cert: fs.readFileSync('server-cert.pem'),
  // This is necessary only if using the client certificate authentication.
  requestCert: true,
  // This is necessary only if the client uses the self-signed certificate.
  ca: [ fs.readFileSync('client-cert.pem') ]
};
var server = tls.createServer(options, function(socket) {
  console.log('server connected',
              socket.authorized ? 'authorized' : 'unauthorized');
  socket.write("welcome!\n");
  socket.setEncoding('utf8');
  socket.pipe(socket);
});
server.listen(8000, function() {
  console.log('server bound');
});
