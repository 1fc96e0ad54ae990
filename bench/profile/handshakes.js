'use strict';
// node bench/profile/handshakes.js PORT COUNT TLS(1.2|1.3) RESUME(0|1)
// COUNT handshakes one after another over node:tls, each with `GET /` and its answer,
// resuming the last session when RESUME is 1. Prints the count when done.
const tls = require('node:tls');

const [port, count, version, resume] = [
  Number(process.argv[2]),
  Number(process.argv[3]),
  process.argv[4],
  process.argv[5] === '1',
];
let session;
let done = 0;

function one() {
  const socket = tls.connect({
    port,
    host: '127.0.0.1',
    rejectUnauthorized: false,
    session: resume ? session : undefined,
    minVersion: `TLSv${version}`,
    maxVersion: `TLSv${version}`,
  });
  socket.on('session', (s) => {
    session = s;
  });
  socket.on('secureConnect', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
  socket.on('data', () => {});
  socket.on('error', () => {});
  socket.on('close', () => {
    if (++done < count) one();
    else console.log(`${count} handshakes`);
  });
}
one();
