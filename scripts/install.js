'use strict';
// Install step: use a matching prebuild (or an existing build) if there is one;
// otherwise check that the system OpenSSL's headers are there and compile with node-gyp.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const rebuild = process.argv.includes('--rebuild');

if (!rebuild) {
  try {
    require('node-gyp-build').path(root);
    process.exit(0);
  } catch {
    // nothing loadable: compile below
  }
}

function opensslIncludeDir() {
  try {
    const flags = execFileSync('pkg-config', ['--cflags-only-I', 'openssl'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirs = flags.split(/\s+/).filter(Boolean).map((f) => f.replace(/^-I/, ''));
    return [...dirs, '/usr/include'].find((d) => fs.existsSync(path.join(d, 'openssl', 'ssl.h')));
  } catch {
    return undefined;
  }
}

const inc = opensslIncludeDir();
let version = '';
try {
  version = execFileSync('pkg-config', ['--modversion', 'openssl'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // handled below
}
if (!inc || !version) {
  console.error('openssl-tls: OpenSSL 3 development headers not found; install them first (Debian/Ubuntu: apt-get install libssl-dev pkg-config)');
  process.exit(1);
}
if (Number(version.split('.')[0]) < 3) {
  console.error(`openssl-tls: system OpenSSL ${version} is too old; OpenSSL 3.x is required (Debian/Ubuntu: apt-get install libssl-dev)`);
  process.exit(1);
}

// node-gyp from devDependencies in a clone, else the one npm puts on PATH for install scripts.
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = undefined;
}
const r = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: false });
process.exit(r.status === null ? 1 : r.status);
