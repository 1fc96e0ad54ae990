// The addon runs on the system OpenSSL (not Node's bundled copy), and a prebuild
// in prebuilds/ is what loads when it is there.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binding } from '../lib/internal/binding';
import * as tls from '../lib/index';
import { systemOpenSSL } from './helpers/system_openssl';

const root = path.join(__dirname, '..');

describe('loading', () => {
  it('reports the system OpenSSL, as `openssl version -a` does', () => {
    const sys = systemOpenSSL();
    // The ASan build links the static libraries of the libssl-dev it was built with,
    // whose release may trail the system's libssl.so.3 (.ci/run): that copy reports itself.
    const linked = binding.features.staticOpenSSL ? binding.versions.opensslHeaders : sys.version;
    assert.equal(tls.versions.openssl, linked);
    assert.equal(tls.opensslDir, sys.dir);
  });

  it("was compiled against the system OpenSSL headers (pkg-config), not Node's copy", () => {
    const modversion = execFileSync('pkg-config', ['--modversion', 'openssl'], { encoding: 'utf8' }).trim();
    assert.match(binding.versions.opensslHeaders, new RegExp(`^OpenSSL ${modversion.replace(/\./g, '\\.')} `));
  });

  it('is not bound to the OpenSSL inside Node (their OPENSSLDIR differs here)', function () {
    // Node's own copy reports its build-time directory; load the addon the plain
    // way in a child process to read it.
    const file = tls.addon;
    const script = `const m={exports:{}};process.dlopen(m, ${JSON.stringify(file)}, require('os').constants.dlopen.RTLD_NOW);console.log(m.exports.opensslDir)`;
    const plainDir = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();
    if (plainDir === tls.opensslDir) this.skip(); // this Node links the system OpenSSL itself
    assert.notEqual(tls.opensslDir, plainDir);
    assert.equal(tls.opensslDir, systemOpenSSL().dir);
  });

  it('loads a prebuild from prebuilds/ when one is there', function () {
    this.timeout(20000);
    // A copy of the package with no build/ at all: only dist/ and a prebuild.
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-prebuild-'));
    fs.cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    fs.mkdirSync(path.join(pkg, 'node_modules'));
    fs.cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(pkg, 'node_modules', 'node-gyp-build'), {
      recursive: true,
    });
    const dir = path.join(pkg, 'prebuilds', `${os.platform()}-${os.arch()}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(tls.addon, path.join(dir, 'openssl-tls.node'));
    const loaded = execFileSync(
      process.execPath,
      ['-e', `const t=require(${JSON.stringify(pkg)});console.log(t.addon, t.opensslDir)`],
      {
        encoding: 'utf8',
        env: { ...process.env, OPENSSL_TLS_ADDON: '' },
      },
    ).trim();
    const [file, dirReported] = loaded.split(' ');
    assert.equal(file, path.join(dir, 'openssl-tls.node'));
    assert.equal(dirReported, tls.opensslDir);
    fs.rmSync(pkg, { recursive: true, force: true });
  });
});
