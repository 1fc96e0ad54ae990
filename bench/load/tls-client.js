'use strict';
// Load generator over a TLS client module (node:tls or openssl-tls), started by
// bench/run.js pinned to its own core:
//   node bench/load/tls-client.js --impl node|ours --port P --mode M [--conns N]
//        [--tls 1.2|1.3] [--size BYTES] [--parallel K]
// Modes:
//   handshake  K loops, each: connect, one tiny request, read the answer, close.
//   echo       N connections; after {cmd:'go'} each sends SIZE bytes and waits for
//              them to come back, again and again (an op = one round trip).
//   bulk       one connection; after {cmd:'go'} it writes 64 KiB chunks as fast as
//              the stream takes them and counts what the server sends back.
//   idle       N connections that stay open and silent: WARM of them first, then
//              {type:'warmed'}, and the rest after {cmd:'go'}.
// IPC: {type:'ready', open} once the connections are up (at once for handshake);
// {cmd:'stats'} answers { ops, bytesIn, reused, errors, open, cpu, rss }.
const { parseArgs } = require('../lib/args');
const { ca, tlsModule } = require('../lib/fixtures');

const args = parseArgs(process.argv.slice(2));
const tls = tlsModule(args.impl ?? 'node');
const mode = args.mode ?? 'handshake';
const conns = Number(args.conns ?? 1);
const size = Number(args.size ?? 1024);
const parallel = Number(args.parallel ?? 8);
const warm = Number(args.warm ?? 0);
let release = null;
const connectOptions = {
  host: '127.0.0.1',
  port: Number(args.port),
  ca: ca(),
  servername: 'localhost',
  noDelay: true,
};
if (args.tls === '1.2') Object.assign(connectOptions, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
if (args.tls === '1.3') Object.assign(connectOptions, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });

const stats = { ops: 0, bytesIn: 0, reused: 0, errors: 0, open: 0, errorCodes: {} };
const sockets = [];
let going = false;

function noteError(err) {
  stats.errors++;
  const code = (err && (err.code || err.message)) || 'unknown';
  stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
}

/** One TLS connection; resolves when it is secure. */
function open() {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(connectOptions, () => {
      socket.setNoDelay(true);
      if (socket.isSessionReused()) stats.reused++;
      stats.open++;
      socket.removeListener('error', reject);
      socket.on('error', noteError);
      socket.on('close', () => stats.open--);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Opens n connections, at most `inFlight` handshakes at a time. */
async function openMany(n, inFlight) {
  let next = 0;
  async function worker() {
    while (next < n) {
      next++;
      sockets.push(await open());
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
}

const request = Buffer.from('GET / HTTP/1.0\r\n\r\n');

async function handshakeLoop() {
  for (;;) {
    await new Promise((resolve) => {
      const socket = tls.connect(connectOptions, () => {
        if (socket.isSessionReused()) stats.reused++;
        socket.end(request);
      });
      socket.on('data', (d) => {
        stats.bytesIn += d.length;
      });
      socket.on('error', noteError);
      socket.on('close', () => {
        stats.ops++;
        resolve();
      });
    });
  }
}

function startEcho(socket) {
  const payload = Buffer.alloc(size, 0x62);
  let pending = 0;
  socket.on('data', (d) => {
    stats.bytesIn += d.length;
    pending += d.length;
    while (pending >= size) {
      pending -= size;
      stats.ops++;
      socket.write(payload);
    }
  });
  socket.write(payload);
}

function startBulk(socket) {
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  pump();
}

function go() {
  if (release !== null) release();
  if (going) return;
  going = true;
  for (const s of sockets) {
    if (mode === 'echo') startEcho(s);
    else if (mode === 'bulk' || mode === 'source') startBulk(s);
  }
}

async function main() {
  switch (mode) {
    case 'handshake':
      for (let i = 0; i < parallel; i++) handshakeLoop();
      break;
    case 'echo':
      await openMany(conns, 64);
      break;
    case 'idle':
      await openMany(Math.min(warm, conns), 64);
      await new Promise((resolve) => {
        release = resolve;
        process.send({ type: 'warmed', open: stats.open });
      });
      await openMany(conns - Math.min(warm, conns), 64);
      break;
    case 'bulk':
    case 'source':
    case 'sink': {
      await openMany(1, 1);
      // Whatever the server sends is counted, from the first byte.
      sockets[0].on('data', (d) => {
        stats.bytesIn += d.length;
      });
      break;
    }
    default:
      throw new Error(`unknown --mode ${mode}`);
  }
  process.send({ type: 'ready', open: stats.open });
}

process.on('message', (msg) => {
  if (msg.cmd === 'stats') {
    process.send({ type: 'stats', id: msg.id, ...stats, cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  } else if (msg.cmd === 'go') {
    go();
    process.send({ type: 'go', id: msg.id });
  }
});
process.on('disconnect', () => process.exit(0));

main().catch((err) => {
  process.send({ type: 'fatal', error: String((err && (err.code || err.message)) || err) });
  process.exit(1);
});
