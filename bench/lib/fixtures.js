'use strict';
// Certificates for the bench: test/fixtures/generated (made by make-certs.sh), or the
// directory OTLS_BENCH_CERTS names (`openssl-tls bench` writes throwaway ones there).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const dir = process.env.OTLS_BENCH_CERTS || path.join(root, 'test', 'fixtures', 'generated');

function file(name) {
  return path.join(dir, name);
}

/** { key, cert } for 'rsa' (RSA-2048) or 'ec' (ECDSA P-256). */
function serverIdentity(kind) {
  const base = kind === 'ec' ? 'server-ec' : 'server-rsa';
  return { key: fs.readFileSync(file(`${base}-key.pem`)), cert: fs.readFileSync(file(`${base}.pem`)) };
}

function ca() {
  return fs.readFileSync(file('ca.pem'));
}

/** The tls module under test: 'node' is node:tls, 'ours' is openssl-tls from dist/. */
function tlsModule(impl) {
  if (impl === 'node') return require('node:tls');
  // OTLS_BENCH_DIST: the run's private copy of the build (bench/lib/snapshot.js).
  if (impl === 'ours') return require(process.env.OTLS_BENCH_DIST || path.join(root, 'dist', 'index.js'));
  throw new Error(`unknown --impl ${impl} (node|ours)`);
}

module.exports = { root, dir, file, serverIdentity, ca, tlsModule };
