#!/usr/bin/env node
// Soak test (`npm run soak`, not in CI): many handshakes and many bytes through one
// openssl-tls server process, watching its memory and its handles.
//
//   npm run soak -- [--handshakes N] [--gigabytes G] [--concurrency C] [--streams S]
//                   [--csv FILE]
//
// Defaults: 100,000 handshakes and 10 GiB. The server runs in its own process
// (this script with --server, under --expose-gc) so that its RSS is its own; the
// client load is node:tls in this process. Handshakes are full ones (no session
// reuse), alternating TLSv1.3 and TLSv1.2, each sending 1 KiB and reading it back.
// Then S connections stream G GB to the server, which echoes every byte back.
//
// The server's RSS is sampled every second. Warm-up is the first 10% of the
// handshakes; the baseline is the RSS after it (after a gc), the final figure is
// the RSS once the load has stopped (after a gc). Pass when final < baseline * 1.05
// and the server's active handles/resources (process.getActiveResourcesInfo())
// are the same at the end as at the start. Prints the figures; exit 1 on failure.
'use strict';
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const gen = path.join(root, 'test', 'fixtures', 'generated');

if (process.argv.includes('--server')) {
  serverMain();
} else {
  clientMain().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

// ----------------------------------------------------------------- server process

function serverMain() {
  const tls = require(path.join(root, 'dist'));
  const server = tls.createServer(
    {
      cert: fs.readFileSync(path.join(gen, 'server-rsa.pem')),
      key: fs.readFileSync(path.join(gen, 'server-rsa-key.pem')),
    },
    (socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    },
  );
  server.on('tlsClientError', () => {});
  const resources = () => process.getActiveResourcesInfo().slice().sort();
  const rss = () => process.memoryUsage().rss;
  const settle = (cb) => {
    // Several gcs, a few ticks apart, so closed sockets' native parts are finalized.
    let n = 0;
    const step = () => {
      global.gc();
      if (++n < 5) setTimeout(step, 200);
      else cb();
    };
    step();
  };
  // stdout/stderr are created lazily on first use (a warning, a log line): create
  // them now so that they are part of the start count, not a difference at the end.
  void process.stdout;
  void process.stderr;
  const sampler = setInterval(() => process.send({ type: 'rss', rss: rss() }), 1000);
  process.on('message', (msg) => {
    if (msg.type === 'measure') {
      settle(() => {
        server.getConnections((err, connections) => {
          process.send({ type: 'measured', tag: msg.tag, rss: rss(), resources: resources(), connections });
        });
      });
    } else if (msg.type === 'stop') {
      clearInterval(sampler);
      server.close(() => process.disconnect());
    }
  });
  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
}

// ----------------------------------------------------------------- client process

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function clientMain() {
  const tls = require('node:tls');
  const handshakes = flag('handshakes', 100000);
  const gigabytes = flag('gigabytes', 10);
  const concurrency = flag('concurrency', 16);
  const streams = flag('streams', 4);
  const csvIndex = process.argv.indexOf('--csv');
  const csv = csvIndex >= 0 ? process.argv[csvIndex + 1] : null;
  const ca = fs.readFileSync(path.join(gen, 'ca.pem'));
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);

  const child = fork(__filename, ['--server'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const samples = [];
  const waiters = new Map();
  let port = 0;
  await new Promise((resolve, reject) => {
    child.on('message', (msg) => {
      if (msg.type === 'listening') {
        port = msg.port;
        resolve();
      } else if (msg.type === 'rss') {
        samples.push([Number(elapsed()), msg.rss]);
      } else if (msg.type === 'measured') {
        waiters.get(msg.tag)(msg);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const measure = (tag) =>
    new Promise((resolve) => {
      waiters.set(tag, resolve);
      child.send({ type: 'measure', tag });
    });

  const payload = Buffer.alloc(1024, 0x61);
  function oneHandshake(i) {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ca,
        servername: 'localhost',
        maxVersion: i % 2 === 0 ? 'TLSv1.3' : 'TLSv1.2',
      });
      let got = 0;
      socket.on('secureConnect', () => socket.write(payload));
      socket.on('data', (d) => {
        got += d.length;
        if (got >= payload.length) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => (got >= payload.length ? resolve() : reject(new Error(`short echo: ${got}`))));
    });
  }
  let failures = 0;
  async function handshakeRange(from, to) {
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        await oneHandshake(i).catch((err) => {
          failures++;
          if (failures <= 5) console.error(`handshake ${i}: ${err.message}`);
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  // Bulk: S streams, `bytes` in total sent to the server and echoed back.
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  let echoed = 0;
  function bulk(bytes) {
    return Promise.all(
      Array.from({ length: streams }, (_, s) => {
        const share = Math.floor(bytes / streams) + (s === 0 ? bytes % streams : 0);
        return new Promise((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
          let sent = 0;
          let got = 0;
          const pump = () => {
            while (sent < share) {
              const n = Math.min(chunk.length, share - sent);
              sent += n;
              if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
            }
            socket.end();
          };
          socket.on('secureConnect', pump);
          socket.on('drain', pump);
          socket.on('data', (d) => {
            got += d.length;
            echoed += d.length;
          });
          socket.on('error', reject);
          socket.on('close', () => (got === share ? resolve() : reject(new Error(`stream ${s}: echoed ${got} of ${share}`))));
        });
      }),
    ).catch((err) => {
      failures++;
      console.error(err.message);
    });
  }

  const start = await measure('start');
  console.log(`server up on ${port}: rss ${mb(start.rss)}, resources [${start.resources.join(', ')}]`);

  // Warm-up: the first 10% of both loads (the allocator's arenas and OpenSSL's
  // caches reach their working size); the baseline is taken after it. The
  // server's session cache holds up to 20,480 sessions (OpenSSL's default
  // SSL_SESSION_CACHE_MAX_SIZE_DEFAULT), and it grows until then by design, so
  // the warm-up covers at least that many handshakes (up to half the run):
  // runs of fewer than ~45,000 handshakes cannot tell a leak from that fill.
  const total = Math.round(gigabytes * 1024 ** 3);
  const sessionCacheFill = 22000;
  const warm = Math.max(1, Math.min(Math.floor(handshakes / 2), Math.max(Math.floor(handshakes / 10), sessionCacheFill)));
  const warmBytes = Math.floor(total / 10);
  let t = Date.now();
  await handshakeRange(0, warm);
  let hsSeconds = (Date.now() - t) / 1000;
  t = Date.now();
  await bulk(warmBytes);
  let bulkSeconds = (Date.now() - t) / 1000;
  const baseline = await measure('baseline');
  console.log(
    `warm-up: ${warm} handshakes, ${(warmBytes / 1024 ** 3).toFixed(2)} GiB; baseline rss ${mb(baseline.rss)} (${elapsed()} s)`,
  );
  t = Date.now();
  await handshakeRange(warm, handshakes);
  hsSeconds += (Date.now() - t) / 1000;
  const afterHandshakes = await measure('after-handshakes');
  console.log(
    `handshakes: ${handshakes} in ${hsSeconds.toFixed(1)} s (${Math.round(handshakes / hsSeconds)}/s), ` +
      `${failures} failed, rss ${mb(afterHandshakes.rss)}`,
  );

  t = Date.now();
  await bulk(total - warmBytes);
  bulkSeconds += (Date.now() - t) / 1000;
  console.log(
    `bulk: ${(echoed / 1024 ** 3).toFixed(2)} GiB echoed over ${streams} streams in ${bulkSeconds.toFixed(1)} s ` +
      `(${Math.round(echoed / 1024 ** 2 / bulkSeconds)} MiB/s each way)`,
  );

  const end = await measure('end');
  child.send({ type: 'stop' });
  await new Promise((resolve) => child.on('exit', resolve));

  const peak = samples.reduce((m, [, r]) => Math.max(m, r), 0);
  const growth = (end.rss - baseline.rss) / baseline.rss;
  const handlesBack = start.resources.join(',') === end.resources.join(',');
  console.log(`rss: start ${mb(start.rss)}, baseline ${mb(baseline.rss)}, after handshakes ${mb(afterHandshakes.rss)}, ` +
    `end ${mb(end.rss)}, peak ${mb(peak)} (${samples.length} samples, 1/s)`);
  console.log(`rss growth after warm-up: ${(growth * 100).toFixed(2)}% (limit 5%)`);
  console.log(`resources: start ${start.resources.length} [${start.resources.join(', ')}], ` +
    `end ${end.resources.length} [${end.resources.join(', ')}], open connections at end ${end.connections}`);
  if (csv) fs.writeFileSync(csv, `seconds,rss_bytes\n${samples.map((s) => s.join(',')).join('\n')}\n`);
  const ok = failures === 0 && growth < 0.05 && handlesBack && end.connections === 0;
  console.log(`soak ${ok ? 'PASS' : 'FAIL'} in ${elapsed()} s`);
  process.exitCode = ok ? 0 : 1;
}

function mb(bytes) {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
