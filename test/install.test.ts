// `npm install` on a machine without OpenSSL's headers fails with one clear line
// naming the package to install.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

describe('install', () => {
  it('without OpenSSL headers: exits non-zero with one line naming libssl-dev', () => {
    // A PATH whose pkg-config knows no openssl, and a copy of the package with no build/.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-nopkg-'));
    fs.writeFileSync(path.join(bin, 'pkg-config'), '#!/bin/sh\necho "Package openssl was not found" >&2\nexit 1\n', { mode: 0o755 });
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-install-'));
    fs.mkdirSync(path.join(pkg, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts', 'install.js'), path.join(pkg, 'scripts', 'install.js'));
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    fs.mkdirSync(path.join(pkg, 'node_modules'));
    fs.cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(pkg, 'node_modules', 'node-gyp-build'), { recursive: true });
    const r = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'install.js')], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    fs.rmSync(pkg, { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /libssl-dev/);
  });
});
