'use strict';
// The server under test. Started by bench/run.js (pinned with taskset) as
//   node bench/server.js --impl node|ours --cert rsa|ec [--tls 1.2|1.3]
//        [--resume tickets|ids|none] [--offload true] [--mode www|echo|bulk|sink|source|idle|https|h2]
// (https and h2: node's https/http2 or openssl-tls's, each request answered with 1 KiB;
// bench/lib/http_servers.js)
// It listens on 127.0.0.1, an ephemeral port, and talks to the parent over IPC:
// {type:'ready', port} once listening; {cmd:'stats'} is answered with counters and
// process.cpuUsage(); {cmd:'gc'} runs a full GC (with --expose-gc). It exits when
// the parent goes away.
const crypto = require('node:crypto');
const { parseArgs } = require('./lib/args');
const { serverIdentity, tlsModule } = require('./lib/fixtures');
const { createHttpServer } = require('./lib/http_servers');

const args = parseArgs(process.argv.slice(2));
const impl = args.impl ?? 'node';
const mode = args.mode ?? 'www';
const tls = tlsModule(impl);

// TCP_NODELAY on every accepted socket, for both implementations alike (net.Server's
// noDelay option; the native transport has no raw socket for a 'connection' hook).
const options = { ...serverIdentity(args.cert ?? 'rsa'), handshakeTimeout: 30000, noDelay: true };
if (args.tls === '1.2') Object.assign(options, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
if (args.tls === '1.3') Object.assign(options, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
// --offload true: openssl-tls's handshake steps on libuv's thread pool (node:tls has no such option).
if (args.offload === 'true' && impl === 'ours') options.offloadHandshake = true;
if (args.resume === 'ids' || args.resume === 'none') options.secureOptions = crypto.constants.SSL_OP_NO_TICKET;

const counters = { handshakes: 0, reused: 0, bytesIn: 0, open: 0, requests: 0, errors: 0, errorCodes: {} };
const response = Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
const bulkChunk = Buffer.alloc(64 * 1024, 0x61);

function noteError(err) {
  counters.errors++;
  const code = (err && (err.code || err.message)) || 'unknown';
  counters.errorCodes[code] = (counters.errorCodes[code] ?? 0) + 1;
}

function pump(socket) {
  while (!socket.destroyed && socket.write(bulkChunk));
}

const httpMode = mode === 'https' || mode === 'h2';
const server = httpMode ? createHttpServer(impl, mode, options, counters, noteError) : tls.createServer(options, (socket) => {
  counters.handshakes++;
  if (socket.isSessionReused()) counters.reused++;
  counters.open++;
  socket.on('error', noteError);
  socket.on('close', () => counters.open--);
  switch (mode) {
    case 'www':
      // One tiny request/response per connection, like `openssl s_time -www /`;
      // reading it also lets the TLS 1.3 client take the session tickets.
      socket.once('data', () => socket.end(response));
      socket.resume();
      break;
    case 'echo':
      socket.on('data', (d) => socket.write(d));
      break;
    case 'bulk':
      socket.on('data', (d) => {
        counters.bytesIn += d.length;
      });
      socket.on('drain', () => pump(socket));
      pump(socket);
      break;
    case 'sink':
      // Client→server bulk: count what arrives, send nothing.
      socket.on('data', (d) => {
        counters.bytesIn += d.length;
      });
      break;
    case 'source':
      // Server→client bulk: write 64 KiB chunks as fast as the socket takes them.
      socket.on('drain', () => pump(socket));
      pump(socket);
      socket.resume();
      break;
    case 'idle':
      socket.resume();
      break;
    default:
      throw new Error(`unknown --mode ${mode}`);
  }
});

// No 'connection' listener: transport errors reach the TLS socket's 'error' or
// 'tlsClientError' in both implementations, and on openssl-tls a 'connection' listener
// asks for a raw net.Socket per connection, which moves the server to the JS transport.
if (!httpMode) server.on('tlsClientError', noteError);

if (args.resume === 'ids') {
  // Session-id resumption the documented node:tls way: a session store in JS.
  const store = new Map();
  server.on('newSession', (id, data, cb) => {
    if (store.size > 100000) store.clear();
    store.set(id.toString('hex'), data);
    cb();
  });
  server.on('resumeSession', (id, cb) => cb(null, store.get(id.toString('hex')) ?? null));
}

server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.send({ type: 'ready', port: server.address().port, pid: process.pid, impl });
});

process.on('message', (msg) => {
  if (msg.cmd === 'stats') {
    process.send({ type: 'stats', id: msg.id, ...counters, cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  } else if (msg.cmd === 'gc') {
    if (typeof global.gc === 'function') {
      global.gc();
      global.gc();
    }
    process.send({ type: 'gc', id: msg.id });
  }
});
process.on('disconnect', () => process.exit(0));
