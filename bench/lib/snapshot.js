'use strict';
// A private copy of the build under test (dist/ and the addon file), taken once at
// the start of a run, so that a rebuild in the working tree during a long run cannot
// change or break what is measured. Children find it through OTLS_BENCH_DIST and
// OPENSSL_TLS_ADDON (which lib/binding.ts honours).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root } = require('./fixtures');

function findAddon() {
  if (process.env.OPENSSL_TLS_ADDON) return process.env.OPENSSL_TLS_ADDON;
  const nodeGypBuild = require(path.join(root, 'node_modules', 'node-gyp-build'));
  return nodeGypBuild.path(root);
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Copies dist/ and the addon; waits up to `waitMs` for a build that is under way. */
function takeSnapshot(waitMs = 180000) {
  const deadline = Date.now() + waitMs;
  let addon;
  for (;;) {
    try {
      addon = findAddon();
      if (fs.existsSync(path.join(root, 'dist', 'index.js'))) break;
    } catch {
      // No addon yet: someone may be rebuilding it.
    }
    if (Date.now() > deadline) {
      throw new Error('no built addon or dist/index.js: build first (npx node-gyp build; npx tsc -p tsconfig.json)');
    }
    if (!takeSnapshot.warned) {
      console.log('waiting for the addon and dist/ to be built...');
      takeSnapshot.warned = true;
    }
    sleepSync(2000);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openssl-tls-bench-'));
  fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const addonCopy = path.join(dir, path.basename(addon));
  fs.copyFileSync(addon, addonCopy);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir, dist: path.join(dir, 'dist', 'index.js'), addon: addonCopy, addonSource: addon };
}

module.exports = { takeSnapshot };
