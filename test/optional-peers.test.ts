// The optional-peer helper (test/helpers/optional_peers.ts), run as a user would see it:
// a small mocha suite in a child process, with a PATH that has a fake `curl` and no
// `gnutls-cli`.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countsFromLog, needPeer, summaryLine } from './helpers/optional_peers';

const root = path.join(__dirname, '..');
const helper = path.join(__dirname, 'helpers', 'optional_peers.ts');

const suite = `
const { needPeer } = require(${JSON.stringify(helper)});
describe('peers', () => {
  it('uses curl', function () { needPeer(this, 'curl'); });
  it('uses gnutls-cli', function () { needPeer(this, 'gnutls-cli'); throw new Error('ran without its peer'); });
  describe('a suite on gnutls-serv', () => {
    before(function () { needPeer(this, 'gnutls-serv'); });
    it('first', () => { throw new Error('ran without its peer'); });
    it('second', () => { throw new Error('ran without its peer'); });
  });
});
`;

interface Run {
  status: number | null;
  out: string;
}

describe('optional peers (test/helpers/optional_peers.ts)', function () {
  this.timeout(30_000);
  let dir: string;
  let bin: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-peers-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'curl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'peers.test.js'), suite);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function mocha(env: Record<string, string>): Run {
    const r = spawnSync(
      process.execPath,
      [
        require.resolve('mocha/bin/mocha.js'),
        '--no-config',
        '--reporter',
        'spec',
        '--no-color',
        '--require',
        'tsx/cjs',
        '--require',
        helper,
        path.join(dir, 'peers.test.js'),
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, OPENSSL_TLS_STRICT_PEERS: '', OPENSSL_TLS_PEER_SKIP_LOG: '', PATH: bin, ...env },
      },
    );
    return { status: r.status, out: r.stdout + r.stderr };
  }

  it('skips a test whose peer is missing, its title naming the Debian package, and counts it at the end', () => {
    const r = mocha({});
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /- uses gnutls-cli \[skipped: missing peer gnutls-cli: apt-get install gnutls-bin\]/);
    assert.match(r.out, /- first \[skipped: missing peer gnutls-serv: apt-get install gnutls-bin\]/);
    assert.match(r.out, /- second \[skipped: missing peer gnutls-serv: apt-get install gnutls-bin\]/);
    assert.match(r.out, /✔ uses curl/, 'a test whose peer is on PATH runs');
    assert.match(r.out, /^ {2}3 skipped: missing peers \(install gnutls-bin\)$/m);
    assert.match(r.out, /1 passing/);
    assert.match(r.out, /3 pending/);
  });

  it('OPENSSL_TLS_STRICT_PEERS=1: a missing peer fails, naming the package', () => {
    const r = mocha({ OPENSSL_TLS_STRICT_PEERS: '1' });
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /2 failing/);
    assert.match(r.out, /Error: missing peer gnutls-cli: apt-get install gnutls-bin \(OPENSSL_TLS_STRICT_PEERS=1/);
    assert.match(r.out, /"before all" hook[^\n]*\n[^]*missing peer gnutls-serv: apt-get install gnutls-bin/);
    assert.doesNotMatch(r.out, /ran without its peer/);
    assert.match(r.out, /0 skipped: missing peers$/m);
  });

  it('with OPENSSL_TLS_PEER_SKIP_LOG the counts go to the file, which the summary adds up', () => {
    const log = path.join(dir, 'skips.log');
    fs.writeFileSync(log, 'redis-server\t5\n');
    const r = mocha({ OPENSSL_TLS_PEER_SKIP_LOG: log });
    assert.equal(r.status, 0, r.out);
    assert.doesNotMatch(r.out, /skipped: missing peers/);
    assert.equal(
      summaryLine(countsFromLog(fs.readFileSync(log, 'utf8'))),
      '8 skipped: missing peers (install gnutls-bin, redis-server)',
    );
  });

  it('a command with no known package is a mistake in the test, not a skip', () => {
    const ctx = { skip: () => assert.fail('skipped') } as unknown as Mocha.Context;
    assert.throws(() => needPeer(ctx, 'no-such-peer'), /no Debian package known for 'no-such-peer'/);
  });

  it('needModule: a missing npm package skips, naming npm install, and counts it; strictly it fails', () => {
    const file = path.join(dir, 'modules.test.js');
    fs.writeFileSync(
      file,
      `const { needModule } = require(${JSON.stringify(helper)});
it('uses mocha', function () { needModule(this, 'mocha'); });
it('uses a missing module', function () { needModule(this, 'no-such-module-of-openssl-tls'); throw new Error('ran without it'); });
`,
    );
    const run = (env: Record<string, string>): Run => {
      const r = spawnSync(
        process.execPath,
        [
          require.resolve('mocha/bin/mocha.js'),
          '--no-config',
          '--reporter',
          'spec',
          '--no-color',
          '--require',
          'tsx/cjs',
          '--require',
          helper,
          file,
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, OPENSSL_TLS_STRICT_PEERS: '', OPENSSL_TLS_PEER_SKIP_LOG: '', ...env },
        },
      );
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const r = run({});
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /✔ uses mocha/);
    assert.match(
      r.out,
      /- uses a missing module \[skipped: missing peer module no-such-module-of-openssl-tls: npm install no-such-module-of-openssl-tls\]/,
    );
    assert.match(r.out, /^ {2}1 skipped: missing peers \(install npm:no-such-module-of-openssl-tls\)$/m);
    const strict = run({ OPENSSL_TLS_STRICT_PEERS: '1' });
    assert.notEqual(strict.status, 0, strict.out);
    assert.match(strict.out, /npm install no-such-module-of-openssl-tls \(OPENSSL_TLS_STRICT_PEERS=1/);
  });
});
