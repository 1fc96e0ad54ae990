// `npm install` where no prebuild matches compiles the addon; a machine that lacks what
// compiling needs gets one line per missing thing, naming the Debian package to install,
// instead of a raw gyp failure.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

/** The real pkg-config, for a PATH that has it. */
function realPkgConfig(): string {
  const dir = (process.env['PATH'] ?? '').split(path.delimiter).find((d) => fs.existsSync(path.join(d, 'pkg-config')));
  assert.ok(dir, 'pkg-config on PATH (it built the addon)');
  return path.join(dir, 'pkg-config');
}

describe('install (scripts/install.js) without a prebuild', () => {
  let pkg: string;
  const bins: string[] = [];

  before(() => {
    // A copy of the package with no build/ and no prebuilds/.
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-install-'));
    fs.mkdirSync(path.join(pkg, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts', 'install.js'), path.join(pkg, 'scripts', 'install.js'));
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    fs.mkdirSync(path.join(pkg, 'node_modules'));
    fs.cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(pkg, 'node_modules', 'node-gyp-build'), {
      recursive: true,
    });
  });
  after(() => {
    for (const dir of [pkg, ...bins]) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A PATH directory holding only `tools`: a name to a script body, or to a real file to link. */
  function binDir(tools: Record<string, string>): string {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-bin-'));
    bins.push(bin);
    for (const [name, what] of Object.entries(tools)) {
      if (what.startsWith('/')) fs.symlinkSync(what, path.join(bin, name));
      else fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${what}\n`, { mode: 0o755 });
    }
    return bin;
  }

  function install(bin: string): { status: number | null; lines: string[]; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
    delete env['CXX'];
    const r = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'install.js')], {
      cwd: pkg,
      encoding: 'utf8',
      env,
    });
    return { status: r.status, lines: r.stderr.trim().split('\n'), stderr: r.stderr };
  }

  const compilers = { 'g++': 'exit 1', make: 'exit 1', python3: 'exit 1' };

  it('without OpenSSL headers: one line naming libssl-dev', () => {
    const r = install(binDir({ ...compilers, 'pkg-config': 'echo "Package openssl was not found" >&2; exit 1' }));
    assert.notEqual(r.status, 0);
    assert.deepEqual(
      r.lines,
      ['openssl-tls: OpenSSL 3 development headers not found: apt-get install libssl-dev'],
      r.stderr,
    );
  });

  it('without pkg-config: one line naming pkg-config', () => {
    const r = install(binDir(compilers));
    assert.notEqual(r.status, 0);
    assert.deepEqual(
      r.lines,
      ['openssl-tls: no pkg-config to find the system OpenSSL: apt-get install pkg-config'],
      r.stderr,
    );
  });

  it('without a C++ compiler: one line naming g++', () => {
    const r = install(binDir({ make: 'exit 1', python3: 'exit 1', 'pkg-config': realPkgConfig() }));
    assert.notEqual(r.status, 0);
    assert.deepEqual(r.lines, ['openssl-tls: no C++ compiler (g++) to build the addon: apt-get install g++'], r.stderr);
  });

  it('with nothing at all: one line for each package, and no gyp output', () => {
    const r = install(binDir({}));
    assert.notEqual(r.status, 0);
    assert.deepEqual(r.lines, [
      'openssl-tls: no C++ compiler (g++) to build the addon: apt-get install g++',
      'openssl-tls: no make to build the addon: apt-get install make',
      'openssl-tls: no python3 for node-gyp: apt-get install python3',
      'openssl-tls: no pkg-config to find the system OpenSSL: apt-get install pkg-config',
    ]);
  });
});
