// openssl-tls/register: node's tls, https and http2 modules, as the rest of the
// process sees them, run on openssl-tls. Each case runs in a child process
// (`node -r dist/register.js`), as a program would, and reports what it saw.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fixturePath } from './helpers/fixtures';

const root = path.join(__dirname, '..');
const register = path.join(root, 'dist', 'register.js');
const index = path.join(root, 'dist', 'index.js');

/** Runs `script` (CommonJS, or ESM with `esm`) with the register module preloaded or not; its stdout lines. */
function child(script: string, { preload = true, esm = false } = {}): string[] {
  const args = [...(preload ? ['-r', register] : []), ...(esm ? ['--input-type=module'] : []), '-e', script];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: fixturePath('ca.pem'),
      OTLS_FIXTURES: path.dirname(fixturePath('ca.pem')),
    },
  });
  assert.equal(r.status, 0, `child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

// A server and clients of node's modules; each line says whose TLS ran.
const program = `
const fs = require('fs');
const path = require('path');
const tls = require('node:tls');
const https = require('node:https');
const http2 = require('node:http2');
const ours = require(${JSON.stringify(index)});
const dir = process.env.OTLS_FIXTURES;
const ec = { key: fs.readFileSync(path.join(dir, 'server-ec-key.pem')), cert: fs.readFileSync(path.join(dir, 'server-ec.pem')) };
const whose = (s) => (s instanceof ours.TLSSocket ? 'openssl-tls' : 'node');
const sockets = [];
const connect = tls.connect;
tls.connect = function (...args) {
  const s = connect.apply(this, args);
  sockets.push(s);
  return s;
};
const server = https.createServer(ec, (req, res) => res.end(whose(req.socket)));
const h2 = http2.createSecureServer(ec, (req, res) => res.end(String(req.stream.session.encrypted)));
server.listen(0, '127.0.0.1', () => h2.listen(0, '127.0.0.1', run));
async function run() {
  const port = server.address().port;
  console.log('https.createServer', server instanceof ours.Server ? 'openssl-tls' : 'node');
  const body = await new Promise((resolve, reject) =>
    https.get({ port, host: 'localhost' }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject));
  console.log('https.get server', body, 'client', whose(sockets.at(-1)));
  const fetched = await (await fetch('https://localhost:' + port + '/')).text();
  console.log('fetch server', fetched, 'client', whose(sockets.at(-1)));
  const session = http2.connect('https://localhost:' + h2.address().port);
  // 'connect' is told with the session's TLS socket (node's, or ours under a relayed session).
  const h2socket = new Promise((resolve) => session.once('connect', (_session, socket) => resolve(socket)));
  const req = session.request({ ':path': '/' });
  let h2body = '';
  req.on('data', (d) => (h2body += d));
  await new Promise((resolve) => req.on('end', resolve));
  console.log('http2 encrypted', h2body, session.encrypted, session.alpnProtocol, 'client', whose(await h2socket));
  session.close();
  https.globalAgent.destroy();
  server.closeAllConnections();
  server.close();
  h2.close();
  await new Promise((r) => setTimeout(r, 50));
}
`;

describe('openssl-tls/register', function () {
  this.timeout(60_000);

  it("node's https, tls and http2 and node's fetch run on openssl-tls once it is loaded", () => {
    assert.deepEqual(child(program), [
      'https.createServer openssl-tls',
      'https.get server openssl-tls client openssl-tls',
      'fetch server openssl-tls client openssl-tls',
      'http2 encrypted true true h2 client openssl-tls',
    ]);
  });

  it('without it, the same program runs on node:tls', () => {
    assert.deepEqual(child(program, { preload: false }), [
      'https.createServer node',
      'https.get server node client node',
      'fetch server node client node',
      'http2 encrypted true true h2 client node',
    ]);
  });

  it("ESM named imports of node's modules see openssl-tls's functions", () => {
    const lines = child(
      `import { connect, createServer, TLSSocket } from 'node:tls';
       import { createServer as httpsServer } from 'node:https';
       import { connect as h2connect } from 'node:http2';
       import ours from ${JSON.stringify(index)};
       import https from ${JSON.stringify(path.join(root, 'dist', 'https.js'))};
       import http2 from ${JSON.stringify(path.join(root, 'dist', 'http2.js'))};
       console.log([connect === ours.connect, createServer === ours.createServer, TLSSocket === ours.TLSSocket,
         httpsServer === https.createServer, h2connect === http2.connect].join(' '));`,
      { esm: true },
    );
    assert.deepEqual(lines, ['true true true true true']);
  });

  it('uninstall() puts node back; install() again is idempotent', () => {
    const lines = child(`
      const tls = require('node:tls');
      const reg = require(${JSON.stringify(register)});
      const ours = require(${JSON.stringify(index)});
      const before = tls.connect === ours.connect;
      reg.uninstall();
      const after = tls.connect === ours.connect;
      reg.install(); reg.install();
      console.log(before, after, tls.connect === ours.connect, reg.installed());
      reg.uninstall();
      console.log(tls.connect === ours.connect, reg.installed());`);
    assert.deepEqual(lines, ['true false true true', 'false false']);
  });
});
