// Loaded first by scripts/test-asan.sh into the mocha process only.
//
// LeakSanitizer already read ASAN_OPTIONS at startup (detect_leaks=1 for this
// process). The processes the tests spawn are not ours to leak-check, and some
// do not run at all with the sanitizer runtime preloaded (curl hangs, gnutls-cli
// fails), so:
// - every child runs with detect_leaks=0 (ASan/UBSan errors still abort it);
// - only node children keep LD_PRELOAD of the sanitizer runtime (they may load
//   the sanitized addon, which needs it); other programs (openssl, gnutls-cli,
//   curl, python3, bash) get it removed.
'use strict';
const path = require('node:path');
const { ChildProcess } = require('node:child_process');

process.env.ASAN_OPTIONS = (process.env.ASAN_OPTIONS || '')
  .split(':')
  .filter((o) => o && !o.startsWith('detect_leaks='))
  .concat('detect_leaks=0')
  .join(':');

const isNode = (file) => file === process.execPath || path.basename(String(file)) === 'node';
// Every asynchronous spawn (spawn, execFile, exec, fork, cluster) goes through
// ChildProcess#spawn with the environment already flattened into envPairs.
const spawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function spawnWithoutSanitizer(options) {
  if (options && Array.isArray(options.envPairs) && !isNode(options.file)) {
    options = { ...options, envPairs: options.envPairs.filter((kv) => !kv.startsWith('LD_PRELOAD=')) };
  }
  return spawn.call(this, options);
};
