#!/usr/bin/env node
// Security scanners against an openssl-tls server on loopback (`bash scripts/scan.sh`).
//
// Starts tls.createServer() from dist/ with the RSA fixture certificate and the
// default configuration (TLS 1.2 + 1.3, tls.DEFAULT_CIPHERS). It answers an HTTP
// request with a plain, uncompressed HTTP/1.1 response (for testssl's header and
// BREACH checks) and echoes anything else. Then runs testssl (package testssl.sh)
// and sslscan against it and fails if either flags a vulnerability, or offers a
// protocol or cipher the configuration did not ask for.
//
// Flags: --doc           rewrite the "## Scanners" section of docs/interop.md
//        --only NAME     run one scanner (testssl | sslscan)
// Output: one "scanner NAME: pass|FAIL" line per scanner, then
//         "N passed, N failed" (each scanner counts as one test). Exit 1 on a failure.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tls = require(path.join(root, 'dist'));
const gen = path.join(root, 'test', 'fixtures', 'generated');

const args = process.argv.slice(2);
const writeDoc = args.includes('--doc');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;

if (!fs.existsSync(path.join(gen, 'server-rsa.pem'))) {
  execFileSync('bash', [path.join(root, 'test', 'fixtures', 'make-certs.sh')], { stdio: 'inherit' });
}

// ----------------------------------------------------------------- the server

const serverOptions = {
  cert: fs.readFileSync(path.join(gen, 'server-rsa.pem')),
  key: fs.readFileSync(path.join(gen, 'server-rsa-key.pem')),
};

// What the configuration asks for, spelled by the system openssl (which is the
// library the addon uses): protocols, and the ciphers each protocol may offer.
const allowedProtocols = new Set(['TLSv1.2', 'TLSv1.3']);
const tls13Suites = tls.DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_'));
const tls12String = tls.DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')).join(':');
const opensslCiphers = (...a) =>
  execFileSync('openssl', ['ciphers', ...a]).toString().trim().split(':').filter(Boolean);
const allowedCiphers = {
  'TLSv1.2': new Set(opensslCiphers('-s', '-tls1_2', '-ciphersuites', '', tls12String)),
  'TLSv1.3': new Set(tls13Suites.length ? tls13Suites : opensslCiphers('-s', '-tls1_3')),
};
// sslscan and testssl name TLS 1.3 suites by their IANA names, like the config.

function startServer() {
  const server = tls.createServer(serverOptions, (socket) => {
    let head = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(text)) {
        if (!text.includes('\r\n\r\n')) return;
        const body = 'openssl-tls scan target\n';
        socket.end(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.write(chunk);
        head = Buffer.alloc(0);
      }
    });
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function run(cmd, argv, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const version = (cmd, argv, re) => {
  try {
    const out = execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .replace(/\x1b\[[0-9;]*m/g, '');
    return (re.exec(out) || [out.split('\n')[0]])[0].trim();
  } catch {
    return 'not found';
  }
};

// ----------------------------------------------------------------- testssl

// testssl's JSON ids for the checks we judge, in the order we report them.
const testsslChecks = [
  ['heartbleed', 'Heartbleed'],
  ['CCS', 'CCS injection'],
  ['ticketbleed', 'Ticketbleed'],
  ['ROBOT', 'ROBOT'],
  ['secure_renego', 'Secure renegotiation (RFC 5746)'],
  ['secure_client_renego', 'Client-initiated renegotiation'],
  ['CRIME_TLS', 'CRIME (TLS compression)'],
  ['BREACH', 'BREACH (HTTP compression)'],
  ['POODLE_SSL', 'POODLE (SSLv3)'],
  ['fallback_SCSV', 'TLS_FALLBACK_SCSV'],
  ['SWEET32', 'SWEET32'],
  ['FREAK', 'FREAK'],
  ['DROWN', 'DROWN'],
  ['LOGJAM', 'LOGJAM'],
  ['BEAST', 'BEAST'],
  ['LUCKY13', 'LUCKY13'],
  ['RC4', 'RC4'],
];
// Findings that are accepted, with the reason (matched on id; the finding text is
// still shown). Keep this list short and justified.
const testsslAccepted = {
  LUCKY13:
    'CBC suites (ECDHE-RSA-AES128-SHA256 etc.) come from node:tls DEFAULT_CIPHERS, which we keep ' +
    'identical to node\'s; OpenSSL 3 decrypts CBC records in constant time (the Lucky13 ' +
    'countermeasure), and every client that supports AEAD negotiates a GCM/ChaCha20 suite first ' +
    '(honorCipherOrder). testssl reports it as "potentially vulnerable" for any CBC suite.',
};
const bad = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

async function testssl(port) {
  const json = path.join(os.tmpdir(), `otls-testssl-${process.pid}.json`);
  fs.rmSync(json, { force: true });
  const started = Date.now();
  const { code, out } = await run(
    'testssl',
    ['--quiet', '--color', '0', '--warnings', 'batch', '--ip', 'one', '--jsonfile', json, `127.0.0.1:${port}`],
    15 * 60 * 1000,
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  const rows = [];
  let findings = [];
  try {
    findings = JSON.parse(fs.readFileSync(json, 'utf8'));
  } catch {
    return { name: 'testssl', ok: false, seconds, rows: [['run', `no JSON (exit ${code}): ${out.slice(-400)}`, 'FAIL']] };
  }
  fs.rmSync(json, { force: true });
  const byId = new Map(findings.map((f) => [f.id, f]));
  // Protocols: only the configured ones may be offered.
  for (const [id, name] of [['SSLv2', 'SSLv2'], ['SSLv3', 'SSLv3'], ['TLS1', 'TLSv1'], ['TLS1_1', 'TLSv1.1'], ['TLS1_2', 'TLSv1.2'], ['TLS1_3', 'TLSv1.3']]) {
    const f = byId.get(id);
    const offered = f ? /^offered/.test(f.finding) : false;
    const want = allowedProtocols.has(name);
    rows.push([`protocol ${name}`, f ? f.finding : 'not reported', offered === want ? 'ok' : 'FAIL']);
  }
  for (const [id, name] of testsslChecks) {
    const f = byId.get(id);
    if (!f) {
      rows.push([name, 'not reported', 'FAIL']);
      continue;
    }
    let verdict = bad.has(f.severity) ? 'FAIL' : 'ok';
    if (verdict === 'FAIL' && testsslAccepted[id]) verdict = 'accepted (see below)';
    rows.push([name, `${f.severity}: ${f.finding}`, verdict]);
  }
  // Ciphers testssl saw offered, from its server-preference check (ids
  // cipherorder_TLSv1_2 / cipherorder_TLSv1_3: the suites in OpenSSL's names).
  const extra = [];
  let seen = 0;
  for (const proto of ['TLSv1.2', 'TLSv1.3']) {
    const f = byId.get(`cipherorder_${proto.replace('.', '_')}`);
    if (!f) continue;
    for (const name of f.finding.trim().split(/\s+/).filter(Boolean)) {
      seen++;
      if (!allowedCiphers[proto].has(name)) extra.push(`${proto} ${name}`);
    }
  }
  rows.push([
    'ciphers offered (server cipher order)',
    extra.length ? `not configured: ${extra.join(', ')}` : `${seen} offered, all in the configured list`,
    extra.length || seen === 0 ? 'FAIL' : 'ok',
  ]);
  const ok = rows.every((r) => r[2] !== 'FAIL');
  return { name: 'testssl', ok, seconds, rows };
}

// ----------------------------------------------------------------- sslscan

async function sslscanOnce(port) {
  const xml = path.join(os.tmpdir(), `otls-sslscan-${process.pid}-${port}.xml`);
  const { code, out } = await run('sslscan', ['--no-colour', `--xml=${xml}`, `127.0.0.1:${port}`], 5 * 60 * 1000);
  let text = null;
  try {
    text = fs.readFileSync(xml, 'utf8');
  } catch {
    // reported by the caller
  }
  fs.rmSync(xml, { force: true });
  const attrs = (tag) =>
    [...(text || '').matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
      Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
    );
  return { code, out, text, attrs };
}

// sslscan 2.0's renegotiation probe reports "not supported" for a server that
// offers TLS 1.3 or that refuses client-initiated renegotiation; node:tls itself
// gets the same answer. So sslscan's renegotiation row passes when it says
// secure, or says exactly what it says for a node:tls server with the same
// options (testssl's secure_renego row is the real RFC 5746 check).
async function nodeReference() {
  const nodeTls = require('node:tls');
  const server = nodeTls.createServer(serverOptions, (s) => s.on('error', () => {}));
  server.on('tlsClientError', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await sslscanOnce(server.address().port);
  } finally {
    server.close();
  }
}

async function sslscan(port) {
  const started = Date.now();
  const ours = await sslscanOnce(port);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (ours.text === null) {
    return { name: 'sslscan', ok: false, seconds, rows: [['run', `no XML (exit ${ours.code}): ${ours.out.slice(-400)}`, 'FAIL']] };
  }
  const ref = await nodeReference();
  const { attrs, out } = ours;
  const rows = [];
  for (const p of attrs('protocol')) {
    const name = p.type === 'ssl' ? `SSLv${p.version}` : `TLSv${p.version}`;
    const offered = p.enabled === '1';
    rows.push([`protocol ${name}`, offered ? 'enabled' : 'disabled', offered === allowedProtocols.has(name) ? 'ok' : 'FAIL']);
  }
  const reneg = attrs('renegotiation')[0];
  const refReneg = ref.attrs('renegotiation')[0];
  const renegText = (r) => (r ? `supported=${r.supported} secure=${r.secure}` : 'not reported');
  rows.push([
    'renegotiation',
    `${renegText(reneg)} (node:tls server, same options: ${renegText(refReneg)})`,
    reneg && (reneg.secure === '1' || renegText(reneg) === renegText(refReneg)) ? 'ok (same as node:tls)' : 'FAIL',
  ]);
  // sslscan 2.0.7 prints these two only as text, not in its XML.
  const compression = /TLS Compression:\s*\n(.*)/.exec(out);
  const compressionText = compression ? compression[1].trim() : 'not reported';
  rows.push([
    'TLS compression (CRIME)',
    compressionText,
    /Compression disabled|does not support compression/.test(compressionText) ? 'ok (testssl checks CRIME_TLS too)' : 'FAIL',
  ]);
  const fallback = /TLS Fallback SCSV:\s*\n(.*)/.exec(out);
  const fallbackText = fallback ? fallback[1].trim() : 'not reported';
  rows.push(['TLS_FALLBACK_SCSV', fallbackText, /Server supports TLS Fallback SCSV/.test(fallbackText) ? 'ok' : 'FAIL']);
  const hb = attrs('heartbleed');
  rows.push([
    'Heartbleed',
    hb.map((h) => `${h.sslversion} vulnerable=${h.vulnerable}`).join(', ') || 'not reported',
    hb.length && hb.every((h) => h.vulnerable === '0') ? 'ok' : 'FAIL',
  ]);
  const accepted = (a) => a('cipher').filter((c) => c.status === 'accepted' || c.status === 'preferred');
  const ciphers = accepted(attrs);
  const extra = ciphers.filter((c) => !(allowedCiphers[c.sslversion] || new Set()).has(c.cipher));
  const weak = ciphers.filter((c) => Number(c.bits) < 128 || /RC4|DES|NULL|EXP|MD5/.test(c.cipher));
  rows.push([
    'ciphers accepted',
    extra.length
      ? `not configured: ${extra.map((c) => `${c.sslversion} ${c.cipher}`).join(', ')}`
      : `${ciphers.length} accepted, all in the configured list`,
    extra.length || ciphers.length === 0 ? 'FAIL' : 'ok',
  ]);
  const key = (c) => `${c.sslversion} ${c.cipher} ${c.status}`;
  const refSet = accepted(ref.attrs).map(key).sort().join(',');
  rows.push([
    'same ciphers and preference as a node:tls server',
    ciphers.map(key).sort().join(',') === refSet ? 'yes' : `no: node:tls ${accepted(ref.attrs).length} accepted`,
    ciphers.map(key).sort().join(',') === refSet ? 'ok' : 'FAIL',
  ]);
  rows.push([
    'weak ciphers (<128 bits, RC4, DES/3DES, NULL, EXPORT, MD5)',
    weak.length ? weak.map((c) => c.cipher).join(', ') : 'none',
    weak.length ? 'FAIL' : 'ok',
  ]);
  const preferred = ciphers.filter((c) => c.status === 'preferred').map((c) => `${c.sslversion} ${c.cipher}`);
  rows.push(['preferred (informational)', preferred.join(', ') || '-', 'ok']);
  const ok = rows.every((r) => r[2] !== 'FAIL');
  return { name: 'sslscan', ok, seconds, rows };
}

// ----------------------------------------------------------------- the doc

function renderSection(results, port) {
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '## Scanners',
    '',
    `Generated by \`bash scripts/scan.sh --doc\` on ${new Date().toISOString().slice(0, 10)} (also run by .ci/run,`,
    'without --doc). Do not edit by hand.',
    '',
    'Target: `tls.createServer()` from dist/ on 127.0.0.1 with test/fixtures/generated/server-rsa.pem',
    '(RSA-2048, signed by the test CA: certificate-trust findings are expected and not judged) and the',
    'default configuration: TLSv1.2 and TLSv1.3, `tls.DEFAULT_CIPHERS`, honorCipherOrder. It answers HTTP',
    'with a plain uncompressed response (no Content-Encoding whatever the Accept-Encoding), so BREACH does',
    'not apply. Configured cipher list, expanded by the system `openssl ciphers -s`:',
    '',
    `- TLSv1.3: ${[...allowedCiphers['TLSv1.3']].join(', ')}`,
    `- TLSv1.2: ${[...allowedCiphers['TLSv1.2']].join(', ')}`,
    '',
    `Tools: ${version('testssl', ['--version'], /testssl\s+\d\S*/)}; ${version('sslscan', ['--version'], /\d+\.\d+\.\d+\S*/)} (sslscan);`,
    `OpenSSL ${version('openssl', ['version'], /\d+\.\d+\.\d+\S*/)}.`,
    '',
  ];
  for (const r of results) {
    const cmd =
      r.name === 'testssl'
        ? `testssl --quiet --color 0 --warnings batch --ip one --jsonfile FILE 127.0.0.1:${port}`
        : `sslscan --no-colour --xml=FILE 127.0.0.1:${port}`;
    lines.push(`### ${r.name}: ${r.ok ? 'pass' : 'FAIL'} (${r.seconds} s)`, '', `Command: \`${cmd}\``, '');
    lines.push('| Check | Reported | Verdict |', '|---|---|---|');
    for (const [check, reported, verdict] of r.rows) lines.push(`| ${cell(check)} | ${cell(reported)} | ${cell(verdict)} |`);
    lines.push('');
    if (r.name === 'testssl') {
      lines.push('Accepted findings:', '');
      for (const [id, why] of Object.entries(testsslAccepted)) lines.push(`- ${id}: ${why}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

async function main() {
  const server = await startServer();
  const { port } = server.address();
  const results = [];
  try {
    if (!only || only === 'sslscan') results.push(await sslscan(port));
    if (!only || only === 'testssl') results.push(await testssl(port));
  } finally {
    server.close();
  }
  for (const r of results) {
    console.log(`scanner ${r.name}: ${r.ok ? 'pass' : 'FAIL'} (${r.seconds} s)`);
    for (const [check, reported, verdict] of r.rows) {
      if (!verdict.startsWith('ok') || process.env.SCAN_VERBOSE === '1') console.log(`  ${verdict}: ${check}: ${reported}`);
    }
  }
  if (writeDoc) {
    const file = path.join(root, 'docs', 'interop.md');
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Interop matrix\n';
    const at = old.indexOf('\n## Scanners\n');
    const head = (at >= 0 ? old.slice(0, at) : old).replace(/\n*$/, '\n');
    fs.writeFileSync(file, `${head}\n${renderSection(results, port)}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
  // The server's handles are closed; anything left must not keep us alive.
  setTimeout(() => process.exit(), 2000).unref();
}

main().catch((err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
