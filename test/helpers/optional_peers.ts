// Optional test peers (gnutls-cli, redis-server, curl, ...): a test that needs one calls
// needPeer(this, 'gnutls-cli') first. When the command is not on PATH the test (or, from a
// before() hook, its whole suite) is skipped, its title naming the Debian package to
// install, and the run ends with one line "N skipped: missing peers (install ...)".
// OPENSSL_TLS_STRICT_PEERS=1 (set by .ci/run) makes a missing peer a failure instead.
// OPENSSL_TLS_PEER_SKIP_LOG=FILE: append "package<TAB>count" lines there instead of
// printing the line; `tsx test/helpers/optional_peers.ts FILE` prints the line for all
// the runs that file saw (scripts/test.sh: its two mocha runs).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Debian package that provides each command a test may spawn. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  'gnutls-cli': 'gnutls-bin',
  'gnutls-serv': 'gnutls-bin',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  curl: 'curl',
  h2load: 'nghttp2-client',
  python3: 'python3',
  // Keys that never leave their store (test/engine-keys.test.ts, test/provider-keys.test.ts).
  'softhsm2-util': 'softhsm2',
  'pkcs11-tool': 'opensc',
  'engine:pkcs11': 'libengine-pkcs11-openssl',
  swtpm: 'swtpm',
  swtpm_setup: 'swtpm-tools',
  tpm2_startup: 'tpm2-tools',
  'provider:tpm2': 'tpm2-openssl',
};

/** The system OpenSSL's directory for `kind` ('-e' ENGINESDIR, '-m' MODULESDIR). */
function opensslDir(flag: '-e' | '-m'): string {
  const out = execFileSync('openssl', ['version', flag]).toString();
  return /"([^"]*)"/.exec(out)?.[1] ?? '';
}

/** Peers that are OpenSSL modules rather than commands: the file that must exist. */
const PEER_FILES: Readonly<Record<string, () => string>> = {
  'engine:pkcs11': () => path.join(opensslDir('-e'), 'pkcs11.so'),
  'provider:tpm2': () => path.join(opensslDir('-m'), 'tpm2.so'),
};

const STRICT_ENV = 'OPENSSL_TLS_STRICT_PEERS';
const LOG_ENV = 'OPENSSL_TLS_PEER_SKIP_LOG';

/** Tests skipped in this process, per package. */
const skipped = new Map<string, number>();
const found = new Map<string, boolean>();

/** Whether `command` is an executable file in a directory of PATH (looked up once). */
export function onPath(command: string): boolean {
  let known = found.get(command);
  const file = PEER_FILES[command];
  if (known === undefined && file !== undefined) {
    known = fs.existsSync(file());
    found.set(command, known);
  }
  if (known === undefined) {
    known = (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => {
      try {
        fs.accessSync(path.join(dir || '.', command), fs.constants.X_OK);
        return fs.statSync(path.join(dir || '.', command)).isFile();
      } catch {
        return false;
      }
    });
    found.set(command, known);
  }
  return known;
}

/** What a skipped test's title gets, and what a strict failure says. */
export function missingReason(command: string): string {
  const pkg = PEER_PACKAGES[command];
  if (pkg === undefined) throw new Error(`needPeer: no Debian package known for '${command}'; add it to PEER_PACKAGES`);
  return `missing peer ${command}: apt-get install ${pkg}`;
}

/**
 * The tests a skip() from here skips: the test itself, the one a beforeEach() runs for, or
 * every test under a before() hook's suite (mocha names that hook '"before all" hook...').
 */
function testsSkippedBy(ctx: Mocha.Context): Mocha.Test[] {
  const runnable = ctx.test;
  if (runnable === undefined) return [];
  if ((runnable as { type?: string }).type === 'test') return [runnable as Mocha.Test];
  const hook = (runnable as Mocha.Hook & { originalTitle?: string }).originalTitle ?? runnable.title;
  if (!hook.startsWith('"before all" hook')) return ctx.currentTest === undefined ? [] : [ctx.currentTest];
  const all: Mocha.Test[] = [];
  const walk = (suite: Mocha.Suite): void => {
    all.push(...suite.tests);
    suite.suites.forEach(walk);
  };
  if (runnable.parent !== undefined) walk(runnable.parent);
  return all;
}

/**
 * Call at the start of a test, or in a before()/beforeEach() hook: returns when `command`
 * is on PATH; otherwise skips (strict mode: throws) with the package to install.
 */
export function needPeer(ctx: Mocha.Context, command: string): void {
  const reason = missingReason(command);
  if (onPath(command)) return;
  if (process.env[STRICT_ENV] === '1') {
    throw new Error(`${reason} (${STRICT_ENV}=1 makes a missing peer a failure)`);
  }
  const tests = testsSkippedBy(ctx).filter((t) => !t.title.includes('[skipped: missing peer'));
  for (const t of tests) t.title += ` [skipped: ${reason}]`;
  const pkg = PEER_PACKAGES[command] ?? command;
  skipped.set(pkg, (skipped.get(pkg) ?? 0) + tests.length);
  ctx.skip();
}

/**
 * Like needPeer, for an npm package a test needs (an optional peer dependency such as
 * undici, or a devDependency such as ws): skips, naming `npm install NAME`, when it
 * cannot be resolved; counted as 'npm:NAME'.
 */
export function needModule(ctx: Mocha.Context, name: string): void {
  try {
    require.resolve(name);
    return;
  } catch {
    // Not installed: skipped (or failed, strictly) below.
  }
  const reason = `missing peer module ${name}: npm install ${name}`;
  if (process.env[STRICT_ENV] === '1') throw new Error(`${reason} (${STRICT_ENV}=1 makes a missing peer a failure)`);
  const tests = testsSkippedBy(ctx).filter((t) => !t.title.includes('[skipped: missing peer'));
  for (const t of tests) t.title += ` [skipped: ${reason}]`;
  skipped.set(`npm:${name}`, (skipped.get(`npm:${name}`) ?? 0) + tests.length);
  ctx.skip();
}

/** "N skipped: missing peers (install a, b)" for the counts given. */
export function summaryLine(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const packages = [...counts.keys()].filter((p) => (counts.get(p) ?? 0) > 0).sort();
  return `${total} skipped: missing peers${packages.length > 0 ? ` (install ${packages.join(', ')})` : ''}`;
}

/** Adds up a skip log's "package<TAB>count" lines. */
export function countsFromLog(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [pkg, n] = line.split('\t');
    if (pkg && n) counts.set(pkg, (counts.get(pkg) ?? 0) + Number(n));
  }
  return counts;
}

/** Mocha root hook (this file is in .mocharc.json's "require"): the run's line, or its records for scripts/test.sh. */
export const mochaHooks = {
  afterAll(): void {
    const log = process.env[LOG_ENV];
    if (log !== undefined && log !== '') {
      fs.appendFileSync(log, [...skipped].map(([pkg, n]) => `${pkg}\t${n}\n`).join(''));
    } else {
      console.log(`\n  ${summaryLine(skipped)}`);
    }
  },
};

if (require.main === module) {
  const file = process.argv[2];
  console.log(summaryLine(countsFromLog(file === undefined ? '' : fs.readFileSync(file, 'utf8'))));
}
