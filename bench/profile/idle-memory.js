'use strict';
// Server memory per idle TLS connection, one implementation at a time, in one process:
// a server (openssl-tls from dist/, or node:tls) answers TLS 1.3 handshakes (ECDSA) and
// resumes each socket; a child process opens 200 connections (warm-up), then N more, one
// after another, and keeps them open. Two full GCs before each snapshot; the deltas of
// process.memoryUsage() over the N connections, per connection, are printed.
//
//   node --expose-gc bench/profile/idle-memory.js ours|node [N]
// Needs dist/ (npm run build) and test/fixtures/generated/ (test/fixtures/make-certs.sh).
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');

const [which, countArg, portArg] = process.argv.slice(2);
const count = Number(countArg || 5000);

function openMany(port) {
  const tls = require('node:tls');
  const sockets = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, resolve);
      s.once('error', reject);
      sockets.push(s);
    });
  (async () => {
    for (let i = 0; i < count; i++) await one();
    process.send('open');
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

async function serve() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const root = path.join(__dirname, '..', '..');
  const fixture = (name) => fs.readFileSync(path.join(root, 'test', 'fixtures', 'generated', name));
  const tls = which === 'node' ? require('node:tls') : require(path.join(root, 'dist', 'index.js'));
  const options = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem'), minVersion: 'TLSv1.3' };
  const server = tls.createServer(options, (socket) => socket.resume());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String(server.address().port);
  const clients = [];
  const open = async (n) => {
    const child = fork(__filename, ['client', String(n), port]);
    clients.push(child);
    await new Promise((resolve) => child.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  };
  const snapshot = () => {
    global.gc();
    global.gc();
    return process.memoryUsage();
  };
  await open(200);
  const before = snapshot();
  await open(count);
  const after = snapshot();
  const per = (key) => ((after[key] - before[key]) / count / 1024).toFixed(2);
  console.log(
    `${which}: per idle connection (${count}): rss ${per('rss')} KiB, heapUsed ${per('heapUsed')} KiB, ` +
      `heapTotal ${per('heapTotal')} KiB, external ${per('external')} KiB`,
  );
  for (const child of clients) child.kill();
  process.exit(0);
}

if (which === 'client') openMany(Number(portArg));
else if (which === 'ours' || which === 'node') serve();
else throw new Error('usage: node --expose-gc idle-memory.js ours|node [N]');
