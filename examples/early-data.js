// Beyond node:tls: TLS 1.3 early data (0-RTT). A client resuming a session sends
// its first bytes with its ClientHello, and the server can read them before the
// handshake has finished. Early data can be replayed by an attacker who recorded
// it: OpenSSL lets each ticket carry it once, but a server should only act on it
// when doing so twice is harmless (a GET, not a payment).
// Run it in a directory holding server-key.pem and server-cert.pem.
const tls = require('openssl-tls');
const fs = require('fs');

const cert = fs.readFileSync('server-cert.pem');
const server = tls.createServer(
  { key: fs.readFileSync('server-key.pem'), cert, maxEarlyData: 16384 },
  (socket) => {
    // socket.earlyData: what came before the handshake finished (also first in 'data').
    const early = socket.earlyData ? JSON.stringify(socket.earlyData.toString()) : 'none';
    socket.once('data', (request) => {
      console.log(`server: request ${JSON.stringify(request.toString())}, early data ${early}`);
      socket.end('HTTP/1.0 200 OK\r\n\r\n');
    });
  },
);

function get(port, session) {
  return new Promise((resolve, reject) => {
    const options = { port, host: '127.0.0.1', servername: 'localhost', ca: cert, session };
    // With a session, the request goes as early data; it is sent again after the
    // handshake if the server does not take it.
    if (session) options.earlyData = Buffer.from('GET / HTTP/1.0\r\n\r\n');
    const socket = tls.connect(options, () => {
      if (!session) socket.write('GET / HTTP/1.0\r\n\r\n');
    });
    let ticket;
    socket.once('session', (s) => (ticket = s));
    socket.on('data', () => {});
    socket.on('end', () => resolve({ ticket, accepted: socket.isEarlyDataAccepted() }));
    socket.on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const first = await get(port); // a full handshake; the server's ticket allows early data
  const resumed = await get(port, first.ticket);
  console.log(`client: resumed with early data, accepted: ${resumed.accepted}`);
  const replayed = await get(port, first.ticket); // the same ticket again: anti-replay
  console.log(`client: same ticket again, accepted: ${replayed.accepted} (sent after the handshake instead)`);
  server.close();
});
