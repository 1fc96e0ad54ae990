'use strict';
// nginx as the reference row of the HTTP scenarios: one process (no master, one
// worker's work), pinned to the server core, the same certificate and TLS version
// as the node servers, every request answered with the same 1 KiB. Its counters
// come from stub_status on a second, plain-HTTP loopback port.
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawnPinned, sleep } = require('./children');
const { file } = require('./fixtures');

/** A free loopback port (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function config({ dir, port, statusPort, cert, tls }) {
  const base = cert === 'ec' ? 'server-ec' : 'server-rsa';
  return `worker_processes 1;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} ssl http2 backlog=4096;
    ssl_certificate ${file(`${base}.pem`)};
    ssl_certificate_key ${file(`${base}-key.pem`)};
    ssl_protocols ${tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3'};
    ssl_session_tickets on;
    http2_max_concurrent_streams 256;
    location / {
      default_type text/plain;
      return 200 "${'x'.repeat(1024)}";
    }
  }
  server {
    listen 127.0.0.1:${statusPort};
    location = /status { stub_status; }
  }
}
`;
}

/** stub_status as numbers: { active, accepts, handled, requests }. */
function readStatus(statusPort) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: statusPort, path: '/status', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const m = /Active connections:\s*(\d+)[\s\S]*?\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(text);
          if (!m) reject(new Error(`nginx stub_status said: ${text.trim()}`));
          else resolve({ active: Number(m[1]), accepts: Number(m[2]), handled: Number(m[3]), requests: Number(m[4]) });
        });
      })
      .on('error', reject);
  });
}

/**
 * Starts nginx pinned to `core`; resolves once it answers. `stats()` reports in
 * bench/server.js's shape (requests, handshakes = accepted connections; nginx does not
 * say which handshakes it resumed).
 */
async function startNginx({ core, cert, tls }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openssl-tls-nginx-'));
  const port = await freePort();
  const statusPort = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), config({ dir, port, statusPort, cert, tls }));
  const child = spawnPinned(core, ['nginx', '-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  child.exited.then(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; ; i++) {
    try {
      await readStatus(statusPort);
      break;
    } catch (err) {
      if (child.exitCode !== null || i > 100) {
        const log = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
        throw new Error(`nginx did not start: ${(child.stderrText + log).trim().split('\n').slice(-3).join(' | ') || err.message}`);
      }
      await sleep(50);
    }
  }
  // Each stub_status read is a connection and a request of its own: not counted.
  let reads = 1;
  return {
    child,
    pid: child.pid,
    port,
    async stats() {
      const s = await readStatus(statusPort);
      reads++;
      return { requests: s.requests - reads, handshakes: s.accepts - reads, reused: NaN, open: s.active - 1, errorCodes: {} };
    },
  };
}

/** Whether an nginx binary is there to run. */
function haveNginx() {
  return (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, 'nginx')));
}

module.exports = { startNginx, haveNginx, config };
