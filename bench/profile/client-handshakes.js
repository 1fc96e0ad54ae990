'use strict';
// node bench/profile/client-handshakes.js IMPL PORT COUNT
// COUNT full TLS 1.3 handshakes one after another with the client under test
// (node:tls or openssl-tls from dist/), each as the bench's client-hs loop makes
// them: connect with `ca` read from disk again, `GET /`, read the answer, close.
const { ca, tlsModule } = require('../lib/fixtures');

const [impl, port, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const tls = tlsModule(impl);
const request = Buffer.from('GET / HTTP/1.0\r\n\r\n');
let done = 0;

function one() {
  const options = { host: '127.0.0.1', port, ca: ca(), servername: 'localhost', noDelay: true, minVersion: 'TLSv1.3' };
  const socket = tls.connect(options, () => socket.end(request));
  socket.on('data', () => {});
  socket.on('error', (err) => {
    console.error(err);
    process.exit(1);
  });
  socket.on('close', () => {
    if (++done < count) one();
    else console.log(`${count} handshakes`);
  });
}
one();
