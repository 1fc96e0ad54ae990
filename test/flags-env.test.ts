// What node:tls honours from the environment and node's own flags, run in a
// child process on node:tls and on openssl-tls alike (test/helpers/flags_app.ts):
// NODE_EXTRA_CA_CERTS (extra trusted roots, node's warning for a bad file),
// --tls-keylog=FILE, --trace-tls, --tls-min-v1.x/--tls-max-v1.x, --tls-cipher-list.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from './helpers/fixtures';

const app = path.join(__dirname, 'helpers', 'flags_app.ts');

interface Run {
  lines: Array<Record<string, unknown>>;
  stderr: string;
  code: number | null;
}

function run(
  impl: 'ours' | 'node',
  scenario: string,
  nodeFlags: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: undefined,
    NODE_OPTIONS: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeFlags, '--require', require.resolve('tsx/cjs'), app, impl, scenario],
      { env: childEnv, timeout: 20_000 },
      (err, stdout, stderr) => {
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ lines, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

async function both(
  scenario: string,
  nodeFlags: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<[Run, Run]> {
  return Promise.all([run('ours', scenario, nodeFlags, env), run('node', scenario, nodeFlags, env)]);
}

describe('environment and node flags, as node:tls honours them', function () {
  this.timeout(60_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-flags-'));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('NODE_EXTRA_CA_CERTS adds trusted roots to the default store', async () => {
    const [mine, theirs] = await both('verify', [], { NODE_EXTRA_CA_CERTS: fixturePath('ca.pem') });
    assert.deepEqual(theirs.lines[0]?.ok, true, theirs.stderr);
    assert.deepEqual(mine.lines, theirs.lines, mine.stderr);
    assert.equal(mine.lines[0]?.authorized, true);
  });

  it('without it, the same server is not trusted', async () => {
    const [mine, theirs] = await both('verify');
    assert.equal(theirs.lines[0]?.ok, false);
    assert.deepEqual(mine.lines, theirs.lines);
  });

  it('a NODE_EXTRA_CA_CERTS file with text before and after its certificate still counts', async () => {
    const file = path.join(tmp, 'extra.pem');
    fs.writeFileSync(file, `some words\n${fs.readFileSync(fixturePath('ca.pem'), 'latin1')}\ntrailing text\n`);
    const [mine, theirs] = await both('verify', [], { NODE_EXTRA_CA_CERTS: file });
    assert.equal(theirs.lines[0]?.ok, true);
    assert.deepEqual(mine.lines, theirs.lines);
  });

  it("a missing NODE_EXTRA_CA_CERTS file: node's warning, once, and the default store still works", async () => {
    const env = { NODE_EXTRA_CA_CERTS: path.join(tmp, 'no-such-file.pem') };
    const [mine, theirs] = await both('server-only', [], env);
    const warning =
      /Warning: Ignoring extra certs from `.*no-such-file\.pem`, load failed: .*No such file or directory/g;
    assert.equal(theirs.stderr.match(warning)?.length, 1, theirs.stderr);
    assert.equal(mine.stderr.match(warning)?.length, 1, mine.stderr);
    assert.deepEqual(mine.lines, [{ ok: true }]);
  });

  it('--tls-keylog=FILE: every socket appends its key-log lines', async () => {
    const counts: Record<string, string[]> = {};
    for (const impl of ['ours', 'node'] as const) {
      const file = path.join(tmp, `keylog-${impl}.log`);
      const r = await run(impl, 'keylog', [`--tls-keylog=${file}`]);
      assert.equal(r.lines[0]?.ok, true, r.stderr);
      assert.match(
        r.stderr,
        /Using --tls-keylog makes TLS connections insecure by writing secret key material to file/,
      );
      counts[impl] = fs.readFileSync(file, 'utf8').trim().split('\n');
      // Mode 0600: secrets.
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    }
    const mine = counts.ours ?? [];
    const theirs = counts.node ?? [];
    // TLS 1.2: one CLIENT_RANDOM line from each side, the same line.
    assert.equal(theirs.length, 2);
    assert.equal(mine.length, theirs.length);
    assert.equal(mine[0], mine[1]);
    assert.match(mine[0] ?? '', /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  });

  it('--tls-keylog given in NODE_OPTIONS works too', async () => {
    const file = path.join(tmp, 'keylog-options.log');
    const r = await run('ours', 'keylog', [], { NODE_OPTIONS: `--tls-keylog=${file}` });
    assert.equal(r.lines[0]?.ok, true, r.stderr);
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 2);
  });

  it("--trace-tls traces every socket, with node:tls's warning", async () => {
    const [mine, theirs] = await both('keylog', ['--trace-tls']);
    for (const r of [mine, theirs]) {
      assert.equal(r.lines[0]?.ok, true, r.stderr);
      assert.match(r.stderr, /Enabling --trace-tls can expose sensitive data in the resulting log/);
      assert.match(r.stderr, /ClientHello/);
    }
  });

  it("NODE_TLS_REJECT_UNAUTHORIZED=0: connect() does not reject by default, with node's warning", async () => {
    const [mine, theirs] = await both('verify', [], { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    assert.deepEqual(mine.lines, theirs.lines, mine.stderr);
    assert.deepEqual(
      mine.lines.map((l) => [l.ok, l.authorized]),
      [[true, false]],
    );
    for (const r of [mine, theirs]) {
      assert.match(
        r.stderr,
        /Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections/,
      );
    }
  });

  it("NODE_DEBUG=tls prints node:tls's debug lines, for the same events", async () => {
    const [mine, theirs] = await both('debug', [], { NODE_DEBUG: 'tls' });
    // The events, in a set: their order across the two sockets of one process is the loop's.
    // A TLS 1.3 ticket may or may not arrive before the client ends, on either.
    const events = (r: Run): string[] =>
      [
        ...new Set(
          r.stderr
            .split('\n')
            .filter((l) => /^TLS \d+: /.test(l))
            .map((l) => l.replace(/^TLS \d+: /, '')),
        ),
      ]
        .filter((l) => l !== 'client emit session')
        .sort();
    assert.deepEqual(events(mine), events(theirs));
    assert.ok(events(mine).includes('server emit secureConnection'), mine.stderr);
  });

  it('an IP address as servername: DEP0123, as node:tls warns', async () => {
    const [mine, theirs] = await both('ip-servername');
    assert.deepEqual(mine.lines, theirs.lines, mine.stderr);
    for (const r of [mine, theirs])
      assert.match(r.stderr, /\[DEP0123\] DeprecationWarning: Setting the TLS ServerName to an IP address/);
  });

  for (const flags of [
    ['--tls-max-v1.2'],
    ['--tls-min-v1.3'],
    ['--tls-min-v1.1', '--tls-max-v1.2'],
    ['--tls-cipher-list=ECDHE-RSA-AES256-GCM-SHA384'],
  ]) {
    it(`${flags.join(' ')}: the module's defaults and what a connection negotiates`, async () => {
      const extra = flags[0]?.startsWith('--tls-cipher-list') ? ['--tls-max-v1.2'] : [];
      const [mine, theirs] = await both('defaults', [...flags, ...extra]);
      assert.equal(theirs.lines.length, 2, theirs.stderr);
      assert.deepEqual(mine.lines, theirs.lines, mine.stderr);
    });
  }
});
