// What `npm pack` ships, and that it installs and runs on a machine without a compiler:
// the tarball goes into an empty folder with only node, npm and sh on PATH, and a
// server from the installed package does a handshake with node:tls.
import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from './helpers/fixtures';
import { systemOpenSSL } from './helpers/system_openssl';

const root = path.join(__dirname, '..');
const prebuildDir = path.join('prebuilds', `${os.platform()}-${os.arch()}`);

interface Manifest {
  name: string;
  license: string;
  main: string;
  types: string;
  os?: string[];
  engines?: Record<string, string>;
  repository?: { type: string; url: string };
  files?: string[];
  bin?: Record<string, string>;
}

/**
 * An environment for a fresh user's npm and node: none of the running npm's npm_*
 * settings, and nothing that points the package at another addon (test:asan's).
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop =
    /^(npm_.*|OPENSSL_TLS_ADDON|OPENSSL_TLS_NO_DEEPBIND|LD_PRELOAD|ASAN_OPTIONS|LSAN_OPTIONS|UBSAN_OPTIONS|NODE_OPTIONS)$/i;
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** The npm CLI script next to this node (or on PATH), run with this node. */
function npmCli(): string {
  const candidates = [
    path.join(path.dirname(process.execPath), 'npm'),
    ...(process.env['PATH'] ?? '').split(':').map((d) => path.join(d, 'npm')),
  ];
  const found = candidates.find((f) => fs.existsSync(f));
  assert.ok(found, 'npm next to node or on PATH');
  return fs.realpathSync(found);
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [npmCli(), ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** The files `npm pack` would put in the tarball, from `dir`. */
function packList(dir: string): string[] {
  const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], dir);
  assert.equal(r.status, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  assert.ok(info);
  return info.files.map((f) => f.path).sort();
}

/** A gyp file (Python literal syntax: # comments, '...' strings, trailing commas) read as JSON. */
function readGyp(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  let json = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      json += '\n';
    } else if (c === '"' || c === "'") {
      let value = '';
      for (i++; i < text.length && text[i] !== c; i++) value += text[i] === '\\' ? (text[++i] ?? '') : text[i];
      json += JSON.stringify(value);
    } else {
      json += c;
    }
  }
  return JSON.parse(json.replace(/,(\s*[\]}])/g, '$1')) as Record<string, unknown>;
}

/** Every source file binding.gyp compiles, following 'includes' and '<@(variable)' lists. */
function gypSources(): string[] {
  // A variable's file list is expanded where it is used (binding.gyp's 'sources'), so it is
  // relative to binding.gyp's directory whatever file defines it, as gyp expands variables.
  const variables = new Map<string, { list: unknown; base: string }>();
  const sources: string[] = [];
  const visit = (node: unknown, base: string): void => {
    if (Array.isArray(node)) node.forEach((n) => visit(n, base));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'includes' && Array.isArray(value)) {
        for (const inc of value as string[])
          visit(readGyp(path.join(root, base, inc)), path.join(base, path.dirname(inc)));
      } else if (key === 'variables' && value !== null && typeof value === 'object') {
        for (const [name, v] of Object.entries(value)) variables.set(name, { list: v, base: '.' });
      } else if (key === 'sources' && Array.isArray(value)) {
        for (const s of value as string[]) sources.push(s.startsWith('<@(') ? s : path.join(base, s));
      } else {
        visit(value, base);
      }
    }
  };
  visit(readGyp(path.join(root, 'binding.gyp')), '.');
  return sources.flatMap((s) => {
    const m = /^<@\((\w+)\)$/.exec(s);
    if (m === null) return [path.normalize(s)];
    const variable = variables.get(m[1] ?? '');
    assert.ok(variable !== undefined && Array.isArray(variable.list), `variable ${s} in binding.gyp`);
    return (variable.list as string[]).map((f) => path.normalize(path.join(variable.base, f)));
  });
}

/** native/**.{cc,h,gypi} outside native/fuzz, relative to the root. */
function nativeSources(dir = 'native'): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return rel === path.join('native', 'fuzz') ? [] : nativeSources(rel);
    return /\.(cc|h|gypi)$/.test(e.name) ? [rel] : [];
  });
}

describe('npm pack', function () {
  this.timeout(120_000);
  let files: string[];
  let manifest: Manifest;

  before(() => {
    files = packList(root);
    manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  });

  it('package.json: MIT, os linux, engines, repository, files, bin, and main/types/bin in the pack', () => {
    assert.equal(manifest.license, 'MIT');
    assert.deepEqual(manifest.os, ['linux']);
    assert.match(manifest.engines?.['node'] ?? '', /^>=\d+/);
    assert.equal(manifest.repository?.type, 'git');
    assert.match(manifest.repository?.url ?? '', /^git\+https:\/\//);
    assert.ok(Array.isArray(manifest.files) && manifest.files.length > 0);
    assert.deepEqual(Object.keys(manifest.bin ?? {}), ['openssl-tls']);
    for (const f of [manifest.main, manifest.types, manifest.bin?.['openssl-tls'] ?? ''])
      assert.ok(files.includes(path.normalize(f)), f);
  });

  it('ships LICENSE (MIT), README, CHANGELOG, the typings, the CLI and the install script', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'package.json',
      'typings/native.d.ts',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'scripts/install.js',
      'binding.gyp',
    ]) {
      assert.ok(files.includes(f), f);
    }
    assert.match(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'), /^MIT License\n/);
    // The CLI's bench runs these.
    for (const f of [
      'bench/server.js',
      'bench/load/tls-client.js',
      'bench/load/stime.js',
      'bench/lib/scenarios.js',
      'bench/lib/http_servers.js',
      'bench/lib/children.js',
      'bench/lib/fixtures.js',
      'bench/lib/args.js',
    ]) {
      assert.ok(files.includes(f), f);
    }
  });

  it('ships every native source node-gyp compiles, and every header', () => {
    const sources = gypSources();
    assert.ok(sources.length > 10, 'binding.gyp lists the sources');
    for (const f of [...sources, ...nativeSources()]) assert.ok(files.includes(f), `${f} is not in the pack`);
  });

  it('ships no fuzz targets, tests, fixtures, keys, build output or tarballs', () => {
    const unwanted = files.filter((f) =>
      /^(native\/fuzz|test|build|build-[^/]*|node_modules|docs|examples)\/|\.(pem|pfx|key|der|tgz|o)$|^CMakeLists\.txt$|^bench\/(run\.js|profile\/)/.test(
        f,
      ),
    );
    assert.deepEqual(unwanted, []);
  });

  it('every source map in dist/ points at a file in the pack', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 0);
    for (const map of maps) {
      const { sources } = JSON.parse(fs.readFileSync(path.join(root, map), 'utf8')) as { sources: string[] };
      for (const s of sources) {
        const target = path.normalize(path.join(path.dirname(map), s));
        assert.ok(files.includes(target), `${map} points at ${target}, which is not shipped`);
      }
    }
  });

  describe('installed from the tarball without a compiler', () => {
    let work: string;
    let app: string;
    let bin: string;
    let prebuildNote: string;

    before(function () {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-pack-'));
      // The package as `npm pack` takes it, plus a prebuild: CI's (npm run prebuild), or,
      // where none was built, the addon this checkout compiled, which is what prebuildify
      // would ship (before stripping).
      const stage = path.join(work, 'stage');
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
        fs.copyFileSync(path.join(root, f), path.join(stage, f));
      }
      const shipped = files.filter((f) => f.startsWith(`${prebuildDir}/`) && f.endsWith('.node'));
      if (shipped.length > 0) {
        prebuildNote = `the prebuild ${shipped.join(', ')}`;
      } else {
        // CI (.ci/run) made one before the tests: its absence there is a failure.
        assert.notEqual(
          process.env['OPENSSL_TLS_REQUIRE_PREBUILD'],
          '1',
          `no ${prebuildDir}/*.node in the pack: run npm run prebuild first`,
        );
        const built = path.join(root, 'build', 'Release', 'openssl_tls.node');
        if (!fs.existsSync(built)) this.skip(); // neither a prebuild nor a build: nothing to install
        fs.mkdirSync(path.join(stage, prebuildDir), { recursive: true });
        fs.copyFileSync(built, path.join(stage, prebuildDir, 'openssl-tls.node'));
        prebuildNote = 'build/Release staged as the prebuild (no npm run prebuild output here)';
      }
      const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage);
      assert.equal(packed.status, 0, packed.stderr);
      const tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? '');

      // PATH: node, npm's own script run by node, and sh for npm's install scripts; nothing else.
      bin = path.join(work, 'bin');
      fs.mkdirSync(bin);
      fs.symlinkSync(process.execPath, path.join(bin, 'node'));
      fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
      fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli()}" "$@"\n`, {
        mode: 0o755,
      });

      app = path.join(work, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
      const installed = npm(
        ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball],
        app,
        cleanEnv({ PATH: bin }),
      );
      assert.equal(installed.status, 0, `npm install (${prebuildNote}):\n${installed.stdout}\n${installed.stderr}`);
    });
    after(() => {
      if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
    });

    it('no compiler, make or pkg-config was reachable, and nothing was compiled', () => {
      const r = spawnSync(
        'sh',
        ['-c', 'for c in cc gcc g++ c++ clang make pkg-config; do command -v $c && exit 1; done; exit 0'],
        { env: { PATH: bin }, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, `reachable: ${r.stdout}`);
      const pkg = path.join(app, 'node_modules', 'openssl-tls');
      assert.ok(fs.existsSync(path.join(pkg, 'package.json')));
      assert.equal(fs.existsSync(path.join(pkg, 'build')), false, 'no build/ directory: the prebuild was used');
    });

    it('a server from the installed package does a handshake with node:tls, on the system OpenSSL, from the prebuild', () => {
      const script = `
        const fs = require('fs');
        const ours = require('openssl-tls');
        const nodeTls = require('node:tls');
        const server = ours.createServer({ key: fs.readFileSync(${JSON.stringify(fixturePath('server-rsa-key.pem'))}), cert: fs.readFileSync(${JSON.stringify(fixturePath('server-rsa.pem'))}) }, (s) => s.pipe(s));
        server.listen(0, '127.0.0.1', () => {
          const c = nodeTls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost', ca: fs.readFileSync(${JSON.stringify(fixturePath('ca.pem'))}) }, () => c.end('ping'));
          let echo = '';
          c.on('data', (d) => (echo += d));
          c.on('end', () => {
            console.log(JSON.stringify({ echo, authorized: c.authorized, protocol: c.getProtocol(), addon: ours.addon, openssl: ours.versions.openssl, dir: ours.opensslDir }));
            server.close();
          });
        });`;
      const r = spawnSync(process.execPath, ['-e', script], {
        cwd: app,
        env: cleanEnv({ PATH: bin }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const seen = JSON.parse(r.stdout) as {
        echo: string;
        authorized: boolean;
        protocol: string;
        addon: string;
        openssl: string;
        dir: string;
      };
      assert.equal(seen.echo, 'ping');
      assert.equal(seen.authorized, true);
      assert.equal(seen.protocol, 'TLSv1.3');
      assert.equal(
        path.dirname(seen.addon),
        path.join(fs.realpathSync(app), 'node_modules', 'openssl-tls', prebuildDir),
        prebuildNote,
      );
      // The prebuild links libssl.so.3: the system's, whatever this process runs on
      // (the ASan build's static copy may be another release).
      const sys = systemOpenSSL();
      assert.equal(seen.openssl, sys.version);
      assert.equal(seen.dir, sys.dir);
    });

    it('the openssl-tls command is installed and runs', () => {
      const r = spawnSync(path.join(app, 'node_modules', '.bin', 'openssl-tls'), ['--version'], {
        cwd: app,
        env: cleanEnv({ PATH: bin }),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout,
        `openssl-tls ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string} (${systemOpenSSL().version})\n`,
      );
    });
  });
});
