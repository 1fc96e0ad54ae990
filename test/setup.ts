// Runs once before the suite: makes the test certificates (never committed).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { onPath } from './helpers/optional_peers';

// The openssl command makes every fixture: a build prerequisite, not an optional peer.
if (!onPath('openssl')) throw new Error('the test suite needs the openssl command: apt-get install openssl');

execFileSync('bash', [path.join(__dirname, 'fixtures', 'make-certs.sh')], { stdio: 'inherit' });

// And the fuzz targets' seed corpora (test/fuzz-regressions.test.ts replays them), made with
// the plain addon in a plain node: not the sanitized one a test:asan run preloads.
const env = { ...process.env };
for (const name of [
  'LD_PRELOAD',
  'OPENSSL_TLS_ADDON',
  'OPENSSL_TLS_NO_DEEPBIND',
  'ASAN_OPTIONS',
  'LSAN_OPTIONS',
  'NODE_OPTIONS',
])
  delete env[name];
execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'fuzz-seeds.sh')], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
});
