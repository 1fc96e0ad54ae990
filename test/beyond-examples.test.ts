// The "beyond node:tls" examples (examples/system-policy.js, openssl-config.js,
// store-key-server.js, early-data.js), run as programs; what they print is
// checked, and the key-store server is verified by openssl s_client.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from './helpers/fixtures';
import { needPeer } from './helpers/optional_peers';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';
import { makeSoftHsmToken } from './helpers/softhsm';

const examples = path.join(__dirname, '..', 'examples');

interface Run {
  output(): string;
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  exited(): Promise<number | null>;
  stop(): void;
}

/** Runs examples/<script> in a directory holding server-key.pem and server-cert.pem. */
function run(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-example-'));
  fs.copyFileSync(fixturePath('selfsigned-ec-key.pem'), path.join(dir, 'server-key.pem'));
  fs.copyFileSync(fixturePath('selfsigned-ec.pem'), path.join(dir, 'server-cert.pem'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['NODE_OPTIONS'];
  const proc = spawn(process.execPath, [path.join(examples, script), ...args], { cwd: dir, env: childEnv });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  void exit.then(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    output: () => out,
    waitFor: async (text, ms = 10_000) => {
      const started = Date.now();
      while (!(typeof text === 'string' ? out.includes(text) : text.test(out))) {
        if (proc.exitCode !== null || Date.now() - started > ms) {
          throw new Error(`${script}: waited for ${String(text)}; output:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exited: () => exit,
    stop: () => void proc.kill(),
  };
}

describe('beyond node:tls: the examples', function () {
  this.timeout(30_000);
  usePeerCleanup();
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-beyond-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('system-policy.js: a TLS 1.3-only openssl.cnf is the default, and says so', async function () {
    const conf = path.join(tmp, 'tls13.cnf');
    fs.writeFileSync(
      conf,
      'openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nMinProtocol = TLSv1.3\n',
    );
    const r = run('system-policy.js', [], { OPENSSL_CONF: conf });
    assert.equal(await r.exited(), 0, r.output());
    assert.match(r.output(), /MinProtocol = TLSv1\.3/);
    assert.match(r.output(), /default minVersion: TLSv1\.3 \(from openssl\.cnf\)/);
    assert.match(r.output(), /negotiated: TLSv1\.3 /);
    const plain = run('system-policy.js', [], { OPENSSL_CONF: '/dev/null' });
    assert.equal(await plain.exited(), 0, plain.output());
    assert.match(plain.output(), /default minVersion: TLSv1\.2 \(from node\)/);
  });

  it('openssl-config.js: the commands take effect, a bad one is refused by name', async function () {
    const r = run('openssl-config.js');
    assert.equal(await r.exited(), 0, r.output());
    assert.match(r.output(), /refused: ERR_SSL_\w+: .*Groups = 'no-such-group'/);
    assert.match(r.output(), /negotiated: TLSv1\.3, key exchange secp384r1/);
  });

  it('early-data.js: the resumed request arrives as early data once; the replayed ticket is refused', async function () {
    const r = run('early-data.js');
    assert.equal(await r.exited(), 0, r.output());
    const lines = r.output().trim().split('\n');
    assert.deepEqual(lines, [
      'server: request "GET / HTTP/1.0\\r\\n\\r\\n", early data none',
      'server: request "GET / HTTP/1.0\\r\\n\\r\\n", early data "GET / HTTP/1.0\\r\\n\\r\\n"',
      'client: resumed with early data, accepted: true',
      'server: request "GET / HTTP/1.0\\r\\n\\r\\n", early data none',
      'client: same ticket again, accepted: false (sent after the handshake instead)',
    ]);
  });

  it('store-key-server.js: a key by file: URI, verified by openssl s_client', async function () {
    const r = run(
      'store-key-server.js',
      [fixturePath('server-rsa.pem'), `file:${fixturePath('server-rsa-key-enc.pem')}`],
      {
        KEY_PIN: 'secret',
        PORT: '0',
      },
    );
    try {
      await r.waitFor(/listening on \d+; providers: .*default/);
      const port = Number(/listening on (\d+)/.exec(r.output())?.[1]);
      const c = await runOpenSSLClient(port, ['-brief', '-CAfile', fixturePath('ca.pem'), '-verify_return_error'], '', {
        waitFor: 'signed by a key in its store',
      });
      assert.match(c.stdout, /signed by a key in its store/);
      assert.match(c.stderr, /Verification: OK/);
    } finally {
      r.stop();
    }
    const bad = run('store-key-server.js', [fixturePath('server-rsa.pem'), 'file:/nonexistent.pem']);
    assert.equal(await bad.exited(), 1);
    assert.match(bad.output(), /cannot use the key: error:/);
  });

  it('store-key-server.js: a SoftHSM key through the pkcs11 engine', async function () {
    if (process.env['OPENSSL_TLS_NO_DEEPBIND'] === '1') this.skip();
    needPeer(this, 'softhsm2-util');
    needPeer(this, 'pkcs11-tool');
    needPeer(this, 'engine:pkcs11');
    const token = makeSoftHsmToken('otls-example');
    const r = run('store-key-server.js', [token.certFile, token.keyUri, 'pkcs11'], { KEY_PIN: token.pin, PORT: '0' });
    try {
      await r.waitFor(/listening on \d+/);
      const port = Number(/listening on (\d+)/.exec(r.output())?.[1]);
      const c = await runOpenSSLClient(port, ['-brief', '-CAfile', token.certFile, '-verify_return_error'], '', {
        waitFor: 'signed by a key in its store',
      });
      assert.match(c.stderr, /Verification: OK/);
    } finally {
      r.stop();
      token.remove();
    }
  });
});
