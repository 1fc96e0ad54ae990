#!/usr/bin/env node
// Writes the seed corpus of the receive-path fuzz targets (tls_server,
// tls_client) into test/fuzz/corpus/ (generated, never committed): real
// ClientHellos and real server flights, made by our own engine through the
// addon, in the input layout of native/fuzz/tls_harness.h (an options byte,
// then length-prefixed chunks). Run by scripts/fuzz-seeds.sh.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { binding } = require(path.join(root, 'dist', 'internal', 'binding.js'));
const tls = require(path.join(root, 'dist'));
const gen = path.join(root, 'test', 'fixtures', 'generated');

// The harness's option bits (tls_harness.h, EngineFlags).
const F = { pauseHello: 1, pauseCert: 2, requestCert: 4, alpn: 8, report: 16, tls12: 32, refuse: 64, ocsp: 128 };
const wire = (names) => Buffer.concat(names.map((n) => Buffer.concat([Buffer.from([n.length]), Buffer.from(n)])));

// flags byte, then the bytes as chunks of at most `split` (0: one chunk with the rest).
function frame(flags, bytes, split) {
  const parts = [Buffer.from([flags])];
  if (!split) {
    parts.push(Buffer.from([0]), bytes);
  } else {
    for (let i = 0; i < bytes.length; i += split) {
      const piece = bytes.subarray(i, i + split);
      parts.push(Buffer.from([piece.length]), piece);
    }
  }
  return Buffer.concat(parts);
}

function client(opts, ctxOpts) {
  const ctx = tls.createSecureContext(ctxOpts || {});
  return new binding.Connection(ctx.context, { isServer: false, ...opts });
}

function server(opts, ctxOpts) {
  const ctx = tls.createSecureContext({
    key: fs.readFileSync(path.join(gen, 'server-ec-key.pem')),
    cert: fs.readFileSync(path.join(gen, 'server-ec.pem')),
    ...(ctxOpts || {}),
  });
  return new binding.Connection(ctx.context, { isServer: true, ...opts });
}

function write(dir, name, data) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), data);
}

const serverDir = path.join(root, 'test', 'fuzz', 'corpus', 'tls_server');
const clientDir = path.join(root, 'test', 'fuzz', 'corpus', 'tls_client');

const cases = [
  { name: 'tls13', c: { servername: 'fuzz.example' }, flags: 0 },
  { name: 'tls13-alpn-hello-pause', c: { servername: 'fuzz.example', alpnProtocols: wire(['h2', 'http/1.1']) }, flags: F.alpn | F.pauseHello | F.report },
  { name: 'tls13-ocsp', c: { servername: 'fuzz.example', requestOCSP: true }, flags: F.pauseCert | F.refuse | F.ocsp },
  { name: 'tls12', c: { servername: 'fuzz.example' }, ctx: { maxVersion: 'TLSv1.2' }, flags: F.tls12 | F.report },
  { name: 'tls12-client-cert', c: { servername: 'fuzz.example', alpnProtocols: wire(['http/1.1']) }, ctx: { maxVersion: 'TLSv1.2' }, flags: F.tls12 | F.requestCert | F.alpn },
  { name: 'no-sni', c: {}, flags: F.pauseHello },
];

for (const k of cases) {
  const hello = client(k.c, k.ctx).start().encrypted;
  if (!hello) throw new Error(`no ClientHello for ${k.name}`);
  write(serverDir, `${k.name}.bin`, frame(k.flags, hello, 0));
  write(serverDir, `${k.name}-split.bin`, frame(k.flags, hello, 61));
  // The server's answer to it, as a client's input.
  const srv = server({}, k.ctx);
  const flight = srv.receive(hello).encrypted;
  if (!flight) throw new Error(`no server flight for ${k.name}`);
  write(clientDir, `${k.name}.bin`, frame(k.flags & ~(F.pauseHello | F.pauseCert), flight, 0));
  write(clientDir, `${k.name}-split.bin`, frame(k.flags & ~(F.pauseHello | F.pauseCert), flight, 200));
}
