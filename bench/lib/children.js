'use strict';
// Every child process of the bench goes through here, so that all of them are
// killed at the end, whatever happens: normal exit, an exception, or a signal.
const { spawn } = require('node:child_process');

const live = new Set();

function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Spawns `argv` pinned to `core` (taskset -c) with the open-file limit raised to
 * `nofile` (ulimit -n in the shell that execs it, so the PID is the program's).
 * With `ipc` the child gets an IPC channel (NODE_CHANNEL_FD survives the exec).
 */
function spawnPinned(core, argv, { ipc = false, nofile = 0 } = {}) {
  const script = `${nofile > 0 ? `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ` : ''}exec taskset -c "$0" "$@"`;
  const child = spawn('sh', ['-c', script, String(core), ...argv], {
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdoutText = '';
  child.stderrText = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s) => {
    child.stdoutText += s;
    if (child.stdoutText.length > 1 << 20) child.stdoutText = child.stdoutText.slice(-(1 << 19));
  });
  child.stderr.on('data', (s) => {
    child.stderrText += s;
    if (child.stderrText.length > 1 << 16) child.stderrText = child.stderrText.slice(-(1 << 15));
  });
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  child.on('error', () => live.delete(child));
  return child;
}

/** Kills one child and waits (briefly) for it to be gone. */
async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill('SIGKILL');
  } catch {
    return;
  }
  await Promise.race([child.exited, sleep(2000)]);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for an IPC message of `type` from `child`; rejects on exit or after `ms`. */
function waitMessage(child, type, ms, what = type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    function onMessage(msg) {
      if (msg && msg.type === 'fatal') done(new Error(`child failed: ${msg.error}`));
      else if (msg && msg.type === type) done(null, msg);
    }
    function onExit(code, signal) {
      const tail = child.stderrText.trim().split('\n').slice(-5).join(' | ');
      done(new Error(`child exited (${code ?? signal}) waiting for ${what}${tail ? `: ${tail}` : ''}`));
    }
    function done(err, msg) {
      clearTimeout(timer);
      child.removeListener('message', onMessage);
      child.removeListener('exit', onExit);
      if (err) reject(err);
      else resolve(msg);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

let nextId = 1;
/** Sends {cmd} and waits for the reply carrying the same id. */
function request(child, cmd, ms = 10000) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no answer to '${cmd}' in ${ms} ms`)), ms);
    function onMessage(msg) {
      if (msg && msg.id === id) done(null, msg);
    }
    function onExit(code, signal) {
      const tail = child.stderrText.trim().split('\n').slice(-3).join(' | ');
      done(new Error(`child exited (${code ?? signal}) before answering '${cmd}'${tail ? `: ${tail}` : ''}`));
    }
    function done(err, msg) {
      clearTimeout(timer);
      child.removeListener('message', onMessage);
      child.removeListener('exit', onExit);
      if (err) reject(err);
      else resolve(msg);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) {
      onExit(child.exitCode, child.signalCode);
      return;
    }
    try {
      child.send({ cmd, id }, (err) => {
        if (err) done(err);
      });
    } catch (err) {
      done(err);
    }
  });
}

module.exports = { spawnPinned, stop, killAll, sleep, waitMessage, request, live };
