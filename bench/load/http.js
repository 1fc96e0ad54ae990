'use strict';
// HTTP load for the https/h2 scenarios: wrk (HTTP/1.1 keep-alive) or h2load (HTTP/2),
// one process pinned to the load core, running until it is killed at the end of
// the trial. What is counted comes from the server (its request counter), the same
// way for every server; the generator's own report is not needed.
const { spawnPinned, stop } = require('../lib/children');

/** Starts `cmd` with `argv` on `core`; stop() kills it. */
function start(cmd, argv, core) {
  const child = spawnPinned(core, [cmd, ...argv]);
  return {
    children: [child],
    pids: [child.pid],
    /** The generator's complaint, if it died before the end of the trial. */
    failure() {
      if (child.exitCode !== null) {
        return `${cmd} exited ${child.exitCode}: ${(child.stderrText || child.stdoutText).trim().split('\n').slice(-3).join(' | ')}`;
      }
      return null;
    },
    async stop() {
      await stop(child);
    },
  };
}

/** wrk: `conns` keep-alive connections on one thread, GET / for an hour (it is killed sooner). */
function startWrk({ port, core, conns }) {
  return start('wrk', ['-t1', `-c${conns}`, '-d3600s', '--timeout', '10s', `https://127.0.0.1:${port}/`], core);
}

/** h2load: `clients` connections with `streams` concurrent streams each, for an hour. */
function startH2load({ port, core, clients, streams }) {
  return start('h2load', [`-c${clients}`, `-m${streams}`, '-t1', '-D3600', `https://127.0.0.1:${port}/`], core);
}

module.exports = { startWrk, startH2load };
