'use strict';
// Install step: use a matching prebuild (or an existing build) if there is one and it
// loads; otherwise check what compiling needs and build with node-gyp. Whatever is
// missing gets one line naming the Debian package to install, not a raw gyp failure.
//   node scripts/install.js            (npm install)
//   node scripts/install.js --rebuild  (npm run build:native: always compile)
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const rebuild = process.argv.includes('--rebuild');

function fail(lines) {
  for (const line of lines) console.error(`openssl-tls: ${line}`);
  process.exit(1);
}

/** Whether `command` is an executable file on PATH. */
function onPath(command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    const file = path.join(dir || '.', command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** The prebuild or build node-gyp-build would load, or undefined. */
function existingBinary() {
  try {
    return require('node-gyp-build').path(root);
  } catch {
    return undefined;
  }
}

/** Loads the binary as lib/binding.ts does; the error message if it does not load. */
function loadError(file) {
  try {
    process.dlopen({ exports: {} }, file, os.constants.dlopen.RTLD_NOW | (os.constants.dlopen.RTLD_DEEPBIND || 0));
    return undefined;
  } catch (error) {
    return String(error && error.message);
  }
}

if (!rebuild) {
  const file = existingBinary();
  if (file !== undefined) {
    const error = loadError(file);
    if (error === undefined) process.exit(0);
    if (/lib(ssl|crypto)\.so\.3/.test(error)) {
      fail([`${path.relative(root, file)} needs the system's OpenSSL 3 libraries (libssl.so.3): apt-get install libssl3`]);
    }
    // Built for something else (another Node, an old build): compile below.
  }
}

function pkgConfig(args) {
  try {
    return execFileSync('pkg-config', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** One line per thing compiling needs and this machine lacks. */
function missing() {
  const lines = [];
  const cxx = process.env.CXX ? process.env.CXX.split(/\s+/)[0] : 'g++'; // gyp's make uses $(CXX), make's default g++
  if (!(path.isAbsolute(cxx) ? fs.existsSync(cxx) : onPath(cxx))) lines.push(`no C++ compiler (${cxx}) to build the addon: apt-get install g++`);
  if (!onPath('make')) lines.push('no make to build the addon: apt-get install make');
  if (!onPath('python3')) lines.push('no python3 for node-gyp: apt-get install python3');
  if (!onPath('pkg-config')) {
    lines.push('no pkg-config to find the system OpenSSL: apt-get install pkg-config');
    return lines;
  }
  const version = pkgConfig(['--modversion', 'openssl']);
  const flags = pkgConfig(['--cflags-only-I', 'openssl']);
  const dirs = (flags || '').split(/\s+/).filter(Boolean).map((f) => f.replace(/^-I/, ''));
  // pkg-config drops -I for directories the compiler already searches (CPATH among them).
  const includedir = pkgConfig(['--variable=includedir', 'libssl']);
  const searched = ['CPATH', 'CPLUS_INCLUDE_PATH'].flatMap((v) => (process.env[v] || '').split(':')).filter(Boolean);
  const headers = [...dirs, ...(includedir ? [includedir] : []), ...searched, '/usr/include'].some((d) => fs.existsSync(path.join(d, 'openssl', 'ssl.h')));
  if (!version || !headers) {
    lines.push('OpenSSL 3 development headers not found: apt-get install libssl-dev');
  } else if (Number(version.split('.')[0]) < 3) {
    lines.push(`the system OpenSSL is ${version}; OpenSSL 3 is required: apt-get install libssl-dev (Debian 12 or later)`);
  }
  return lines;
}

const lacking = missing();
if (lacking.length > 0) fail(lacking);

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
