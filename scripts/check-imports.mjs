#!/usr/bin/env node
// The layering of lib/ (docs/ARCHITECTURE.md), checked: every relative import
// of every file, type-only ones included, must point down the layers, and no
// files may import each other in a circle.
//
//   internal/  binding, errors, validators: imports nothing else of lib/
//   context/   SecureContext and its options: internal/
//   policy/    verification, sessions, SNI, ALPN, OCSP, PSK, renegotiation: context/, internal/
//   socket/    TLSSocket, its driver and transports: policy/, context/, internal/
//   server/    the Server: socket/ and below
//   top level  connect, secure_pair, types: anything above
//   http/      HTTP on top (https, http2, undici): the top level and below
//   entries    the package's entry points, the top-level files package.json's
//              "exports" names (index, https, http2, undici, register): anything
//              above, and each other without a cycle
//   cli/       the openssl-tls command: only the public API (index.ts) and cli/;
//              nothing else imports it
//
// Usage: node scripts/check-imports.mjs [lib dir]; exits 1 with the violations.
// The entry points are read from the package.json next to the lib dir (none: only index.ts).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'lib'));
const order = ['internal', 'context', 'policy', 'socket', 'server', 'top', 'http', 'entry', 'cli'];
const dirLayers = new Set(['internal', 'context', 'policy', 'socket', 'server', 'http', 'cli']);

/** Top-level files that are entry points: what package.json's "exports" maps to dist/NAME.js. */
function entryPoints() {
  const names = new Set(['index.ts']);
  let exportsField = {};
  try {
    exportsField = JSON.parse(fs.readFileSync(path.join(root, '..', 'package.json'), 'utf8')).exports ?? {};
  } catch {
    return names;
  }
  for (const target of Object.values(exportsField)) {
    const file = typeof target === 'string' ? target : target?.default;
    const m = typeof file === 'string' ? /^\.\/dist\/([^/]+)\.js$/.exec(file) : null;
    if (m) names.add(`${m[1]}.ts`);
  }
  return names;
}
const entries = entryPoints();

function layer(file) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel.length === 1) return entries.has(rel[0]) ? 'entry' : 'top';
  return rel[0];
}

function rank(name) {
  return order.indexOf(name);
}

const layerName = (name) => (name === 'top' ? 'the top level' : name === 'entry' ? 'an entry point' : `${name}/`);

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  for (const m of text.matchAll(specifier)) {
    const target = path.resolve(path.dirname(file), m[1]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

const files = sources(root);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const problems = [];

for (const [file, deps] of graph) {
  const from = layer(file);
  if (from !== 'top' && from !== 'entry' && !dirLayers.has(from)) problems.push(`${path.relative(root, file)}: not in a known layer (${[...dirLayers].join(', ')} or the top level)`);
  for (const dep of deps) {
    const to = layer(dep);
    if (from === 'cli' && to !== 'cli' && dep !== path.join(root, 'index.ts')) {
      problems.push(`${path.relative(root, file)} imports ${path.relative(root, dep)}: cli/ may use only the public API (index.ts)`);
      continue;
    }
    if (rank(to) > rank(from)) {
      problems.push(`${path.relative(root, file)} imports ${path.relative(root, dep)}: ${layerName(from)} may not depend on ${layerName(to)}`);
    }
  }
}

// Cycles: Tarjan's strongly connected components.
let index = 0;
const stack = [];
const state = new Map();
function visit(v) {
  const s = { index, low: index, onStack: true };
  state.set(v, s);
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    const t = state.get(w);
    if (t === undefined) {
      visit(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.onStack) {
      s.low = Math.min(s.low, t.index);
    }
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(path.relative(root, w));
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) problems.push(`import cycle: ${component.sort().join(' <-> ')}`);
  }
}
for (const f of files) if (!state.has(f)) visit(f);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import problem(s) in ${path.relative(process.cwd(), root) || '.'}`);
  process.exit(1);
}
console.log(`imports: ${files.length} files, layered, no cycles`);
