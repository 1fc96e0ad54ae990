'use strict';
// One HTTP/2 server for bench/profile/h2-paths.sh: the same handler (1 KiB per
// stream, as bench/lib/http_servers.js answers) behind one of four paths:
//   node   node's http2.createSecureServer (node:tls, http2 reads TLSWrap natively)
//   ours   openssl-tls/http2 (node's JSStreamSocket over our TLSSocket: what ships)
//   relay  a stand-in for a cleartext relay: our TLS server pipes each connection's
//          cleartext, in JS, over a Unix domain socket to node's h2c server in the
//          same process, so http2 reads and writes a native stream (a libuv pipe);
//          costlier than a native relay would be (the pump runs in JS)
//   h2c    node's h2c server alone, no TLS (the floor; load it over http://)
// Writes the port it listens on to the file named by OTLS_PORT_FILE.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http2 = require('node:http2');

const root = path.join(__dirname, '..', '..');
const fixture = (name) => fs.readFileSync(path.join(root, 'test', 'fixtures', 'generated', name));
const which = process.argv[2];
const body = Buffer.alloc(1024, 'x');
const tlsOptions = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem'), minVersion: 'TLSv1.3' };

function onStream(stream) {
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length });
  stream.end(body);
}

function ready(server) {
  fs.writeFileSync(process.env.OTLS_PORT_FILE, String(server.address().port));
}

function h2cServer() {
  const server = http2.createServer();
  server.on('stream', onStream);
  return server;
}

if (which === 'node' || which === 'ours') {
  const mod = which === 'node' ? http2 : require(path.join(root, 'dist', 'http2.js'));
  const server = mod.createSecureServer(tlsOptions);
  server.on('stream', onStream);
  server.listen(0, '127.0.0.1', () => ready(server));
} else if (which === 'relay') {
  const tls = require(path.join(root, 'dist', 'index.js'));
  const inner = h2cServer();
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'h2-relay-'));
  const where = path.join(dir, 'h2c.sock');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  process.on('SIGTERM', () => process.exit(0));
  inner.listen(where, () => {
    const server = tls.createServer({ ...tlsOptions, ALPNProtocols: ['h2'], noDelay: true }, (socket) => {
      const plain = net.connect(where);
      socket.pipe(plain);
      plain.pipe(socket);
    });
    server.listen(0, '127.0.0.1', () => ready(server));
  });
} else if (which === 'h2c') {
  const server = h2cServer();
  server.listen(0, '127.0.0.1', () => ready(server));
} else {
  throw new Error('usage: node h2-paths.js node|ours|relay|h2c');
}
