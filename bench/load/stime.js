'use strict';
// Handshake load from `openssl s_time`: several processes on the load core, each
// timing connections in a loop until it is killed. Every connection is one full
// (or, with -reuse, resumed) handshake plus `GET /` and the server's short answer
// (-www), which also lets a TLS 1.3 client read its session tickets.
const { spawnPinned, stop } = require('../lib/children');

/**
 * Starts `procs` s_time processes against 127.0.0.1:port on `core`.
 * `flags` are the s_time options of the scenario (-new|-reuse, -tls1_2|-tls1_3).
 */
function startSTime({ port, procs, flags, core, seconds }) {
  const children = [];
  for (let i = 0; i < procs; i++) {
    const argv = ['openssl', 's_time', '-connect', `127.0.0.1:${port}`, '-www', '/', '-time', String(seconds), ...flags];
    children.push(spawnPinned(core, argv));
  }
  return {
    children,
    pids: children.map((c) => c.pid),
    /** Connections s_time has made so far: '*' for a new session, 'r' for a reused one. */
    progress() {
      let reused = 0;
      let total = 0;
      for (const c of children) {
        for (const line of c.stdoutText.split('\n')) {
          if (!/^[r*t3]+$/.test(line)) continue;
          total += line.length;
          for (const ch of line) if (ch === 'r') reused++;
        }
      }
      return { reused, total };
    },
    /** The first error an s_time printed, if one died early. */
    failure() {
      for (const c of children) {
        if (c.exitCode !== null && c.exitCode !== 0) {
          return `openssl s_time exited ${c.exitCode}: ${(c.stderrText || c.stdoutText).trim().split('\n').slice(-3).join(' | ')}`;
        }
      }
      return null;
    },
    async stop() {
      await Promise.all(children.map(stop));
    },
  };
}

module.exports = { startSTime };
