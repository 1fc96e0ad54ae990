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
//   top level  connect, secure_pair, index and the HTTP modules: anything
//   cli/       the openssl-tls command: only the public API (index.ts) and cli/;
//              nothing else imports it
//
// Usage: node scripts/check-imports.mjs [lib dir]; exits 1 with the violations.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'lib'));
const order = ['internal', 'context', 'policy', 'socket', 'server'];

function layer(file) {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length === 1 ? 'top' : rel[0];
}

function rank(name) {
  if (name === 'cli') return order.length + 1;
  return name === 'top' ? order.length : order.indexOf(name);
}

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
  if (from !== 'top' && from !== 'cli' && !order.includes(from)) problems.push(`${path.relative(root, file)}: not in a known layer (${order.join(', ')}, cli or the top level)`);
  for (const dep of deps) {
    const to = layer(dep);
    if (from === 'cli' && to !== 'cli' && dep !== path.join(root, 'index.ts')) {
      problems.push(`${path.relative(root, file)} imports ${path.relative(root, dep)}: cli/ may use only the public API (index.ts)`);
      continue;
    }
    if (rank(to) > rank(from)) {
      problems.push(`${path.relative(root, file)} imports ${path.relative(root, dep)}: ${from}/ may not depend on ${to === 'top' ? 'the top level' : `${to}/`}`);
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
