// Beyond node:tls: OpenSSL's own configuration commands from JS. opensslConfig
// takes SSL_CONF commands by their openssl.cnf names (`man SSL_CONF_cmd`) for
// whatever node has no option for; OpenSSL checks each one, and a refused one
// fails createSecureContext naming it.
// Run it in a directory holding server-key.pem and server-cert.pem.
const tls = require('openssl-tls');
const fs = require('fs');

const cert = fs.readFileSync('server-cert.pem');
const server = tls.createServer(
  {
    key: fs.readFileSync('server-key.pem'),
    cert,
    opensslConfig: {
      MinProtocol: 'TLSv1.3',
      Groups: 'P-384:P-256', // the key exchange groups allowed (the client retries with one)
      Options: 'ServerPreference,-SessionTicket', // our order wins; no session tickets
    },
  },
  (socket) => socket.end('hello\n'),
);

try {
  tls.createSecureContext({ opensslConfig: { Groups: 'no-such-group' } });
} catch (err) {
  console.log(`refused: ${err.code}: ${err.message}`);
}

server.listen(0, '127.0.0.1', () => {
  const client = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: cert, servername: 'localhost' }, () => {
    const key = client.getEphemeralKeyInfo();
    console.log(`negotiated: ${client.getProtocol()}, key exchange ${key.name}`);
  });
  client.on('data', () => {});
  client.on('end', () => server.close());
});
