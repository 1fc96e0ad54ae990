// Looking into a connection: 'keylog' on clients (switched on by the first
// listener, after connect() returned) and servers, checked line for line
// against what node:tls logs for the same connection; enableTrace (option and
// method) writing OpenSSL's trace to stderr; getSharedSigalgs() against node:tls.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { usePeerCleanup } from './helpers/peers';
import { impls, nodeImpl, ourImpl, runPair, type TlsImpl } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem'), ca: fixture('ca.pem') };
const clientCert = { key: fixture('client-key.pem'), cert: fixture('client.pem') };

interface Logged {
  server: string[];
  client: string[];
}

/** The key log lines each side of one connection reported. */
async function keylogs(server: TlsImpl, client: TlsImpl, serverOptions: Record<string, unknown>): Promise<Logged> {
  const logged: Logged = { server: [], client: [] };
  await runPair({
    server,
    client,
    serverOptions: { ...rsa, ...serverOptions },
    clientOptions: {},
    setupServer: (s) =>
      s.on('keylog', (line: Buffer, socket: unknown) => {
        assert.ok(socket instanceof (server === ourImpl ? tls.TLSSocket : nodeTls.TLSSocket));
        logged.server.push(line.toString('latin1'));
      }),
    // Added after connect() returned, as any client does.
    setupClient: (c) => c.on('keylog', (line: Buffer) => logged.client.push(line.toString('latin1'))),
    inspect: () => {},
  });
  return logged;
}

describe('keylog', () => {
  usePeerCleanup();

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: both sides log the same secrets, NSS lines ending in a newline, as with node:tls`, async () => {
      const expectedKinds = new Set(
        (await keylogs(nodeImpl, nodeImpl, { maxVersion: version })).client.map((l) => l.split(' ')[0]),
      );
      for (const server of impls) {
        for (const client of impls) {
          const got = await keylogs(server, client, { maxVersion: version });
          const where = `${server.name} server, ${client.name} client`;
          assert.ok(got.client.length > 0, where);
          assert.deepEqual([...got.client].sort(), [...got.server].sort(), where);
          assert.deepEqual(new Set(got.client.map((l) => l.split(' ')[0])), expectedKinds, where);
          for (const line of got.client) assert.match(line, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+\n$/, where);
        }
      }
    });
  }

  it('lines come before secureConnect / secureConnection, as in node:tls', async () => {
    for (const version of ['TLSv1.3', 'TLSv1.2']) {
      const order = async (server: TlsImpl, client: TlsImpl): Promise<string[]> => {
        const events: string[] = [];
        await runPair({
          server,
          client,
          serverOptions: { ...rsa, maxVersion: version },
          clientOptions: {},
          setupServer: (s) => {
            s.on('keylog', () => events.push('server keylog'));
            s.on('secureConnection', () => events.push('secureConnection'));
          },
          setupClient: (c) => {
            c.on('keylog', () => events.push('client keylog'));
            c.on('secureConnect', () => events.push('secureConnect'));
          },
          inspect: () => {},
        });
        // Each side's own order (the two sides interleave by timing).
        return [
          ...events.filter((e) => e.startsWith('client') || e === 'secureConnect'),
          '|',
          ...events.filter((e) => e.startsWith('server') || e === 'secureConnection'),
        ];
      };
      const expected = await order(nodeImpl, nodeImpl);
      assert.deepEqual(await order(ourImpl, ourImpl), expected, version);
    }
  });

  it("a client that refuses the server's certificate logs the keys before its 'error', as in node:tls", async () => {
    /** The client's events when it does not trust the server (no `ca`). */
    const clientSees = async (impl: TlsImpl, version: nodeTls.SecureVersion): Promise<string[]> => {
      const events: string[] = [];
      const server = nodeTls.createServer({ key: rsa.key, cert: rsa.cert, maxVersion: version }, (s) => s.end());
      server.on('tlsClientError', () => {});
      const port = await listen(server);
      try {
        const c = impl.connect({ port, host: '127.0.0.1', servername: 'localhost' });
        c.on('keylog', () => events.push('keylog'));
        c.on('secureConnect', () => events.push('secureConnect'));
        c.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
        await new Promise((resolve) => c.on('close', resolve));
      } finally {
        await close(server);
      }
      // Lines logged after the error (none) would show as keylog entries behind it.
      return events.filter((e, i) => e !== 'keylog' || events[i - 1] !== 'keylog');
    };
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      const expected = await clientSees(nodeImpl, version);
      assert.deepEqual(expected, ['keylog', 'error UNABLE_TO_VERIFY_LEAF_SIGNATURE'], version);
      assert.deepEqual(await clientSees(ourImpl, version), expected, version);
    }
  });

  it('a listener added after the handshake gets nothing (the secrets came before it)', async () => {
    const lines: string[] = [];
    await runPair({
      server: nodeImpl,
      client: ourImpl,
      serverOptions: rsa,
      clientOptions: {},
      setupClient: (c) => c.once('secureConnect', () => c.on('keylog', (l: Buffer) => lines.push(l.toString()))),
      inspect: () => {},
    });
    assert.deepEqual(lines, []);
  });
});

/** Runs a TypeScript snippet in a child node and returns its stderr. */
function runChild(source: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-trace-'));
  const file = path.join(dir, 'child.js');
  fs.writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), file], { stdio: 'pipe' });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, stderr, stdout });
    });
  });
}

/** A child (plain JS) that makes one connection: `ours` is 'client' or 'server'; the other side is node:tls. */
function traceScript(ours: 'client' | 'server', how: 'option' | 'method' | 'none'): string {
  const settings = JSON.stringify({
    lib: path.join(__dirname, '..', 'lib', 'index'),
    fixtures: path.join(__dirname, 'fixtures', 'generated'),
    ours,
    how,
  });
  return `
const fs = require('node:fs');
const nodeTls = require('node:tls');
const cfg = ${settings};
const ours = require(cfg.lib);
const f = (n) => fs.readFileSync(cfg.fixtures + '/' + n);
const serverLib = cfg.ours === 'server' ? ours : nodeTls;
const clientLib = cfg.ours === 'client' ? ours : nodeTls;
const trace = cfg.how === 'option';
const server = serverLib.createServer({ key: f('server-rsa-key.pem'), cert: f('server-rsa.pem'),
  ...(cfg.ours === 'server' && trace ? { enableTrace: true } : {}) }, (s) => s.end('done'));
server.listen(0, '127.0.0.1', () => {
  const c = clientLib.connect({ port: server.address().port, host: '127.0.0.1', rejectUnauthorized: false,
    ...(cfg.ours === 'client' && trace ? { enableTrace: true } : {}) });
  if (cfg.ours === 'client' && cfg.how === 'method') c.enableTrace();
  c.resume();
  c.on('close', () => { server.close(); process.stdout.write('closed'); });
});
`;
}

describe('enableTrace', function () {
  before(function () {
    if (!(require('../lib/internal/binding') as typeof import('../lib/internal/binding')).binding.features.sslTrace)
      this.skip(); // OPENSSL_NO_SSL_TRACE
  });

  for (const [ours, how] of [
    ['client', 'option'],
    ['client', 'method'],
    ['server', 'option'],
  ] as const) {
    it(`${ours} ${how === 'option' ? 'enableTrace: true' : 'socket.enableTrace()'} writes OpenSSL's trace to stderr`, async () => {
      const r = await runChild(traceScript(ours, how));
      assert.equal(r.stdout, 'closed', r.stderr);
      assert.match(r.stderr, /ClientHello/);
      assert.match(r.stderr, /ServerHello/);
      // All of it: a piped stderr is non-blocking in node, and a lost write would drop messages.
      assert.ok((r.stderr.match(/Finished, Length=/g) ?? []).length >= 2, r.stderr.slice(-2000));
      // Our side wrote it: the first message is sent by the client, received by the server.
      assert.match(r.stderr, ours === 'client' ? /^Sent Record/m : /^Received Record/m);
    });
  }

  it('no trace without it', async () => {
    const r = await runChild(traceScript('client', 'none'));
    assert.equal(r.stdout, 'closed', r.stderr);
    assert.doesNotMatch(r.stderr, /ClientHello/);
  });

  it('the option must be a boolean, as node:tls checks', () => {
    let expected: (Error & { code?: string }) | undefined;
    try {
      nodeTls.connect({ port: 1, enableTrace: 'x' as unknown as boolean });
    } catch (err) {
      expected = err as Error & { code?: string };
    }
    assert.ok(expected);
    assert.throws(() => tls.connect({ port: 1, enableTrace: 'x' as unknown as boolean }), {
      code: expected.code,
      message: expected.message,
    });
    assert.throws(() => new tls.TLSSocket(null, { enableTrace: 1 as unknown as boolean }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });

  it('enableTrace() on a closed socket does nothing', () => {
    const s = new tls.TLSSocket(null);
    s.destroy();
    s.enableTrace();
  });
});

describe('getSharedSigalgs', () => {
  usePeerCleanup();

  async function sigalgs(
    server: TlsImpl,
    client: TlsImpl,
    serverOptions: Record<string, unknown>,
    clientOptions: Record<string, unknown> = {},
  ) {
    let seen: { server: string[] | null; client: string[] | null } = { server: null, client: null };
    await runPair({
      server,
      client,
      serverOptions: { ...rsa, ...serverOptions },
      clientOptions,
      inspect: (s, c) => {
        seen = { server: s.getSharedSigalgs(), client: c.getSharedSigalgs() };
      },
    });
    return seen;
  }

  const variants: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['TLS 1.3', {}, {}],
    ['TLS 1.2', { maxVersion: 'TLSv1.2' }, {}],
    ['TLS 1.3 with a client certificate', { requestCert: true }, clientCert],
    [
      'TLS 1.2 with a client certificate and sigalgs',
      { requestCert: true, maxVersion: 'TLSv1.2', sigalgs: 'ed25519:RSA-PSS+SHA256:ECDSA+SHA256:RSA+SHA384' },
      clientCert,
    ],
  ];
  for (const [title, serverOptions, clientOptions] of variants) {
    it(`${title}: the same names and order as node:tls`, async () => {
      const expected = await sigalgs(nodeImpl, nodeImpl, serverOptions, clientOptions);
      assert.ok((expected.server?.length ?? 0) > 0);
      assert.deepEqual(await sigalgs(ourImpl, nodeImpl, serverOptions, clientOptions), expected, 'our server');
      assert.deepEqual(await sigalgs(nodeImpl, ourImpl, serverOptions, clientOptions), expected, 'our client');
    });
  }

  it('[] before the handshake, null once closed (as node:tls)', () => {
    const ours = new tls.TLSSocket(null);
    const theirs = new nodeTls.TLSSocket(null as unknown as import('node:net').Socket);
    assert.deepEqual(ours.getSharedSigalgs(), theirs.getSharedSigalgs());
    ours.destroy();
    theirs.destroy();
    assert.equal(ours.getSharedSigalgs(), theirs.getSharedSigalgs());
    assert.equal(ours.getSharedSigalgs(), null);
  });
});
