// The shape of the code, checked: lib/ is layered with no import cycles
// (scripts/check-imports.mjs), and every source file is in docs/ARCHITECTURE.md.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

function files(dir: string, keep: (name: string) => boolean): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fuzz' ? [] : files(rel, keep);
    return keep(e.name) ? [rel] : [];
  });
}

describe('code layout', () => {
  it('lib/ imports only down its layers, with no cycle', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'check-imports.mjs')], { encoding: 'utf8' });
    assert.match(out, /layered, no cycles/);
  });

  it('the import check fails on a cycle, an upward import, and a command reaching past the public API', () => {
    // A package: base/package.json (its exports name the entry points) and base/lib/.
    const base = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'otls-layout-'));
    const dir = path.join(base, 'lib');
    fs.mkdirSync(dir);
    try {
      fs.mkdirSync(path.join(dir, 'internal'));
      fs.mkdirSync(path.join(dir, 'socket'));
      fs.writeFileSync(
        path.join(dir, 'internal', 'a.ts'),
        "import type { B } from '../socket/b';\nexport type A = B;\n",
      );
      fs.writeFileSync(path.join(dir, 'socket', 'b.ts'), "import type { C } from './c';\nexport type B = C;\n");
      fs.writeFileSync(
        path.join(dir, 'socket', 'c.ts'),
        "import type { B } from './b';\nimport type { Ok } from '../cli/ok';\nexport type C = B | Ok;\n",
      );
      // The command (cli/) may use index.ts and nothing else of the library; nothing may use it.
      fs.mkdirSync(path.join(dir, 'cli'));
      fs.writeFileSync(path.join(dir, 'index.ts'), 'export type Api = 1;\n');
      fs.writeFileSync(path.join(dir, 'cli', 'ok.ts'), "import type { Api } from '../index';\nexport type Ok = Api;\n");
      fs.writeFileSync(
        path.join(dir, 'cli', 'bad.ts'),
        "import type { A } from '../internal/a';\nexport type Bad = A;\n",
      );
      // http/ sits on the top level (connect.ts); the entry points package.json exports sit on http/.
      fs.writeFileSync(path.join(dir, 'connect.ts'), "import type { H } from './http/h';\nexport type Connect = H;\n");
      fs.mkdirSync(path.join(dir, 'http'));
      fs.writeFileSync(path.join(dir, 'http', 'h.ts'), 'export type H = 1;\n');
      fs.writeFileSync(
        path.join(dir, 'http', 'g.ts'),
        "import type { Connect } from '../connect';\nimport type { E } from '../https';\nexport type G = Connect | E;\n",
      );
      fs.writeFileSync(path.join(dir, 'https.ts'), "import type { H } from './http/h';\nexport type E = H;\n");
      fs.writeFileSync(
        path.join(dir, '..', 'package.json'),
        JSON.stringify({ exports: { '.': './dist/index.js', './https': { default: './dist/https.js' } } }),
      );
      let stderr = '';
      try {
        execFileSync(process.execPath, [path.join(root, 'scripts', 'check-imports.mjs'), dir], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (err) {
        stderr = String((err as { stderr?: unknown }).stderr);
      }
      assert.match(stderr, /internal\/a\.ts imports socket\/b\.ts: internal\/ may not depend on socket\//);
      assert.match(stderr, /import cycle: socket\/b\.ts <-> socket\/c\.ts/);
      assert.doesNotMatch(stderr, /cli\/ok\.ts imports/, 'the command may import the public API');
      assert.match(stderr, /cli\/bad\.ts imports internal\/a\.ts: cli\/ may use only the public API \(index\.ts\)/);
      assert.match(stderr, /socket\/c\.ts imports cli\/ok\.ts: socket\/ may not depend on cli\//);
      assert.match(stderr, /connect\.ts imports http\/h\.ts: the top level may not depend on http\//);
      assert.match(stderr, /http\/g\.ts imports https\.ts: http\/ may not depend on an entry point/);
      assert.doesNotMatch(stderr, /http\/g\.ts imports connect\.ts/, 'http/ may import the top level');
      assert.doesNotMatch(stderr, /^https\.ts imports/m, 'an entry point may import http/');
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('every source file of lib/ and native/ is named in docs/ARCHITECTURE.md', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const sources = [...files('lib', (n) => n.endsWith('.ts')), ...files('native', (n) => /\.(cc|h)$/.test(n))];
    // A file is named by its path, or by its stem with a wildcard (native/errors.* for errors.cc and errors.h).
    const missing = sources.filter(
      (f) => !doc.includes(`\`${f}\``) && !doc.includes(`\`${f.replace(/\.[a-z]+$/, '.*')}\``),
    );
    assert.deepEqual(missing, []);
  });
});
