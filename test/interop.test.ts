// The interop matrix: openssl-tls against independent TLS stacks, in both roles.
//   our server <- openssl s_client, gnutls-cli, curl, Python ssl, node:tls client
//   our client -> openssl s_server, gnutls-serv, Python ssl server, node:tls server
// for TLS 1.2 and 1.3, RSA-2048 and ECDSA P-256 server certificates, with and without
// a required client certificate. Each case moves bytes both ways (the peer echoes, or
// we echo) and checks the negotiated protocol and cipher as the peer reports them
// against our socket's getProtocol()/getCipher().
//
// Each case also runs the same peer against node:tls in our place (a node:tls server with
// the same options, or a node:tls client with the same options): the protocol and suite it
// negotiates must be ours ("Same as node:tls" in the doc), which checks our defaults.
//
// Servers are shared between cases (one per key x client-cert on each side; a server
// accepts both versions and the client picks one), so the whole file runs in seconds.
//
// INTEROP_WRITE_DOC=1 npx mocha test/interop.test.ts   also writes docs/interop.md.
//
// The matrix is data: to add a column (session resumption, ALPN) add a dimension to
// `Case`, a values list below, and a `columns` entry; the doc table follows.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { needPeer } from './helpers/optional_peers';
import {
  certArgs,
  nodeTlsConnect,
  runOpenSSLClient,
  startNodeTlsServer,
  startOpenSSLServer,
  stopAllPeers,
  type NodeTlsServer,
  type OpenSSLServer,
} from './helpers/peers';
import {
  gnutlsCertArgs,
  gnutlsMatches,
  gnutlsPriority,
  parseCurl,
  parseGnutls,
  parseOpenSSL,
  run,
  runPythonClient,
  startGnutlsServer,
  startPythonServer,
  stopMorePeers,
  type Negotiated,
  type ProcessServer,
  type PythonSecure,
} from './helpers/peers_more';

type Version = 'TLSv1.2' | 'TLSv1.3';
type Role = 'our server' | 'our client';

interface KeySpec {
  name: 'RSA-2048' | 'ECDSA P-256';
  cert: string;
  key: string;
  /** The client certificate of the same kind, and its CN. */
  clientCert: string;
  clientKey: string;
  clientCN: string;
}

interface Case {
  peer: string;
  role: Role;
  version: Version;
  key: KeySpec;
  clientCert: boolean;
}

interface Row extends Case {
  result: 'pass' | 'FAIL' | 'skipped';
  /** IANA name of the negotiated suite, as our socket reports it. */
  cipher?: string;
  /** Whether node:tls in our place negotiated the same protocol and suite with this peer. */
  sameAsNode?: boolean;
  error?: string;
}

const versions: Version[] = ['TLSv1.2', 'TLSv1.3'];
const keys: KeySpec[] = [
  {
    name: 'RSA-2048',
    cert: 'server-rsa.pem',
    key: 'server-rsa-key.pem',
    clientCert: 'client.pem',
    clientKey: 'client-key.pem',
    clientCN: 'test client',
  },
  {
    name: 'ECDSA P-256',
    cert: 'server-ec.pem',
    key: 'server-ec-key.pem',
    clientCert: 'client-ec.pem',
    clientKey: 'client-ec-key.pem',
    clientCN: 'test client ec',
  },
];
const clientCertModes = [false, true];

/** The doc table's columns, in order. */
const columns: Array<[string, (r: Row) => string]> = [
  ['Peer', (r) => r.peer],
  ['Our role', (r) => r.role],
  ['Version', (r) => r.version],
  ['Server key', (r) => r.key.name],
  ['Client cert', (r) => (r.clientCert ? 'required' : '-')],
  ['Result', (r) => r.result],
  ['Cipher', (r) => r.cipher ?? ''],
  ['Same as node:tls', (r) => (r.sameAsNode === undefined ? '' : r.sameAsNode ? 'yes' : 'NO')],
];

/** What a peer reports about a connection; node:tls peers also give getCipher()'s other fields. */
type PeerReport = Negotiated & { standardName?: string; cipherVersion?: string };

const PEER_TIMEOUT_MS = 6_000;
/** The command each optional peer runs (skipped, naming its package, when it is not installed). */
const peerCommands: Readonly<Record<string, string>> = {
  'gnutls-cli': 'gnutls-cli',
  curl: 'curl',
  'python ssl': 'python3',
  'gnutls-serv': 'gnutls-serv',
  'python ssl server': 'python3',
};
const ca = fixture('ca.pem');
const caPath = fixturePath('ca.pem');
const rows: Row[] = [];

function token(c: Case): string {
  return `ping-${c.peer.replace(/\W+/g, '_')}-${c.version}-${c.key.name.replace(/\W+/g, '_')}-${c.clientCert ? 'cc' : 'nocc'}-${randomBytes(6).toString('hex')}`;
}

function caseName(c: Case): string {
  return `${c.version} ${c.key.name}${c.clientCert ? ' +client cert' : ''}`;
}

/** What our socket says about the connection. */
interface OurView {
  protocol: string | null;
  cipher: { name: string; standardName: string; version: string } | undefined;
  authorized: boolean;
  peerCN: string | undefined;
}

function ourView(s: tls.TLSSocket | nodeTls.TLSSocket): OurView {
  const subject = (s.getPeerCertificate() as { subject?: Record<string, unknown> }).subject;
  const cn = subject?.['CN'];
  return {
    protocol: s.getProtocol(),
    cipher: s.getCipher() ?? undefined,
    authorized: s.authorized,
    peerCN: typeof cn === 'string' ? cn : undefined,
  };
}

/** The peer's and our view of protocol and cipher agree with each other and with the case. */
function checkAgreement(c: Case, peer: Negotiated, ours: OurView, row: Row): void {
  assert.equal(ours.protocol, c.version, 'our getProtocol()');
  assert.equal(peer.protocol, c.version, "the peer's protocol");
  assert.ok(ours.cipher, 'our getCipher()');
  row.cipher = ours.cipher.standardName;
  if (c.peer.startsWith('gnutls')) {
    assert.ok(
      gnutlsMatches(peer, ours.cipher.standardName),
      `GnuTLS says ${peer.kx ?? ''} ${String(peer.cipher)}, we say ${ours.cipher.standardName}`,
    );
  } else {
    // OpenSSL-based peers name the suite as OpenSSL does, as getCipher().name does.
    assert.equal(peer.cipher, ours.cipher.name, "the peer's cipher vs our getCipher().name");
  }
  if (c.key.name === 'ECDSA P-256' && c.version === 'TLSv1.2') assert.match(ours.cipher.name, /ECDSA/);
  if (c.key.name === 'RSA-2048' && c.version === 'TLSv1.2') assert.match(ours.cipher.name, /RSA/);
}

/** Registers one matrix case: records its row for the doc whatever happens. */
function matrixCase(c: Case, body: (row: Row) => Promise<void>): void {
  it(`${c.peer}: ${caseName(c)}`, async function () {
    this.timeout(PEER_TIMEOUT_MS + 4_000);
    const row: Row = { ...c, result: 'skipped' };
    rows.push(row);
    const command = peerCommands[c.peer];
    if (command !== undefined) needPeer(this, command);
    row.result = 'FAIL';
    try {
      await body(row);
      row.result = 'pass';
    } catch (error) {
      row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw error;
    }
  });
}

// ================================================================ our server

interface OurServer {
  server: net.Server;
  port: number;
  /** Our view of the most recent secure connection (cases run one at a time). */
  last: OurView | null;
  errors: Error[];
}

/**
 * Echoes raw bytes; a connection that starts with an HTTP request line (curl) gets a
 * minimal HTTP/1.1 response whose body is "METHOD PATH\n" followed by the request body.
 */
function serveEchoOrHttp(entry: OurServer, s: tls.TLSSocket | nodeTls.TLSSocket): void {
  entry.last = ourView(s);
  s.on('error', (e: Error) => entry.errors.push(e));
  let mode: 'unknown' | 'echo' | 'http' | 'answered' = 'unknown';
  let pending = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    if (mode === 'echo') {
      s.write(d);
      return;
    }
    if (mode === 'answered') return;
    pending = Buffer.concat([pending, d]);
    if (mode === 'unknown') {
      if (pending.length < 5) return;
      mode = /^(GET|POST|PUT|HEAD) /.test(pending.toString('latin1', 0, 5)) ? 'http' : 'echo';
      if (mode === 'echo') {
        s.write(pending);
        pending = Buffer.alloc(0);
        return;
      }
    }
    const headEnd = pending.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = pending.toString('latin1', 0, headEnd);
    const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
    const body = pending.subarray(headEnd + 4);
    if (body.length < length) return;
    const [method, target] = head.split(' ');
    const reply = Buffer.concat([Buffer.from(`${method} ${target}\n`), body.subarray(0, length)]);
    s.end(
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${reply.length}\r\nConnection: close\r\n\r\n`,
        ),
        reply,
      ]),
    );
    mode = 'answered';
  });
  s.on('end', () => s.end());
}

function ourServerSuite(): void {
  describe('our server', () => {
    const ourServers = new Map<string, OurServer>();
    /** node:tls servers with the same options: the oracle for which suite a server picks. */
    const nodeServers = new Map<string, OurServer>();
    const serverKey = (k: KeySpec, clientCert: boolean): string => `${k.name}/${clientCert}`;

    before(async () => {
      for (const k of keys) {
        for (const clientCert of clientCertModes) {
          const entry: OurServer = { server: undefined as unknown as net.Server, port: 0, last: null, errors: [] };
          entry.server = tls.createServer(
            {
              key: fixture(k.key),
              cert: fixture(k.cert),
              minVersion: 'TLSv1.2',
              maxVersion: 'TLSv1.3',
              ...(clientCert ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
            },
            (s) => serveEchoOrHttp(entry, s),
          );
          entry.server.on('tlsClientError', (e: Error) => entry.errors.push(e));
          entry.port = await listen(entry.server);
          ourServers.set(serverKey(k, clientCert), entry);
          const oracle: OurServer = { server: undefined as unknown as net.Server, port: 0, last: null, errors: [] };
          oracle.server = nodeTls.createServer(
            {
              key: fixture(k.key),
              cert: fixture(k.cert),
              minVersion: 'TLSv1.2',
              maxVersion: 'TLSv1.3',
              ...(clientCert ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
            },
            (s) => serveEchoOrHttp(oracle, s),
          );
          oracle.port = await listen(oracle.server);
          nodeServers.set(serverKey(k, clientCert), oracle);
        }
      }
    });

    after(async () => {
      for (const entry of [...ourServers.values(), ...nodeServers.values()]) await close(entry.server);
      await stopMorePeers();
    });

    /** The shared server for a case, its last-connection slot cleared. */
    function serverFor(c: Case): OurServer {
      const entry = ourServers.get(serverKey(c.key, c.clientCert));
      assert.ok(entry);
      entry.last = null;
      entry.errors = [];
      return entry;
    }

    /** Our side of a finished connection: the view, plus the client-certificate checks. */
    function ourSide(c: Case, entry: OurServer): OurView {
      assert.deepEqual(
        entry.errors.map((e) => (e as NodeJS.ErrnoException).code ?? e.message),
        [],
        'errors on our server',
      );
      const ours = entry.last;
      assert.ok(ours, 'our server saw a secure connection');
      if (c.clientCert) {
        assert.equal(ours.authorized, true, 'our server authorized the client certificate');
        assert.equal(ours.peerCN, c.key.clientCN);
      }
      return ours;
    }

    /** Each client peer: connects to `port`, checks the bytes both ways, returns what it negotiated. */
    const clientPeers: Array<[string, (port: number, c: Case) => Promise<PeerReport>]> = [
      [
        'openssl s_client',
        async (port, c) => {
          const payload = `${token(c)}\n`;
          const args = [
            '-servername',
            'localhost',
            '-CAfile',
            caPath,
            '-verify_return_error',
            '-brief',
            c.version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3',
          ];
          if (c.clientCert) args.push('-cert', fixturePath(c.key.clientCert), '-key', fixturePath(c.key.clientKey));
          const r = await runOpenSSLClient(port, args, payload, { waitFor: payload, timeoutMs: PEER_TIMEOUT_MS });
          assert.ok(r.stdout.includes(payload), `echo; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
          assert.equal(r.code, 0, r.stderr);
          return parseOpenSSL(r.stderr);
        },
      ],
      [
        'gnutls-cli',
        async (port, c) => {
          const payload = `${token(c)}\n`;
          const args = [
            '-V',
            '--x509cafile',
            caPath,
            '-p',
            String(port),
            'localhost',
            '--priority',
            gnutlsPriority(c.version),
          ];
          if (c.clientCert) args.push(...gnutlsCertArgs(fixturePath(c.key.clientCert), fixturePath(c.key.clientKey)));
          const r = await run('gnutls-cli', args, { input: payload, waitFor: payload, timeoutMs: PEER_TIMEOUT_MS });
          assert.ok(r.stdout.includes(payload), `echo; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
          assert.match(r.stdout, /certificate is trusted/);
          assert.equal(r.code, 0, r.stderr);
          return parseGnutls(r.stdout);
        },
      ],
      [
        'curl',
        async (port, c) => {
          const pathToken = `/${token(c)}`;
          const body = randomBytes(300).toString('base64');
          const range = c.version === 'TLSv1.2' ? ['--tlsv1.2', '--tls-max', '1.2'] : ['--tlsv1.3', '--tls-max', '1.3'];
          const args = [
            '-sS',
            '-v',
            '--http1.1',
            '--max-time',
            String(PEER_TIMEOUT_MS / 1000),
            '--cacert',
            caPath,
            ...range,
            '--resolve',
            `localhost:${port}:127.0.0.1`,
            '--data-binary',
            body,
            '-w',
            '\n%{ssl_verify_result}',
          ];
          if (c.clientCert) args.push('--cert', fixturePath(c.key.clientCert), '--key', fixturePath(c.key.clientKey));
          args.push(`https://localhost:${port}${pathToken}`);
          const r = await run('curl', args, { timeoutMs: PEER_TIMEOUT_MS + 1_000 });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, `POST ${pathToken}\n${body}\n0`);
          return parseCurl(r.stderr);
        },
      ],
      [
        'python ssl',
        async (port, c) => {
          const payload = Buffer.concat([Buffer.from(token(c)), randomBytes(2000)]);
          const args = ['--ca', caPath, '--min', c.version, '--max', c.version];
          if (c.clientCert) args.push('--cert', fixturePath(c.key.clientCert), '--key', fixturePath(c.key.clientKey));
          const r = await runPythonClient(port, payload, args, PEER_TIMEOUT_MS);
          assert.equal(r.error, undefined);
          assert.equal(r.echo, payload.toString('hex'));
          return { protocol: r.version, cipher: r.cipher };
        },
      ],
      [
        'node:tls client',
        async (port, c) => {
          const payload = Buffer.concat([Buffer.from(token(c)), randomBytes(20000)]);
          const s = await nodeTlsConnect(
            {
              port,
              servername: 'localhost',
              ca,
              minVersion: c.version,
              maxVersion: c.version,
              ...(c.clientCert ? { cert: fixture(c.key.clientCert), key: fixture(c.key.clientKey) } : {}),
            },
            PEER_TIMEOUT_MS,
          );
          assert.equal(s.authorized, true);
          // Read before end(): a closed node:tls socket reports no cipher.
          const cipher = s.getCipher();
          const protocol = s.getProtocol() ?? undefined;
          const got: Buffer[] = [];
          s.on('data', (d: Buffer) => got.push(d));
          s.end(payload);
          await waitFor(s, 'end', PEER_TIMEOUT_MS);
          assert.ok(Buffer.concat(got).equals(payload), 'echo');
          return { protocol, cipher: cipher.name, standardName: cipher.standardName, cipherVersion: cipher.version };
        },
      ],
    ];

    for (const version of versions) {
      for (const key of keys) {
        for (const clientCert of clientCertModes) {
          for (const [peer, runPeer] of clientPeers) {
            matrixCase({ peer, role: 'our server', version, key, clientCert }, async (row) => {
              const entry = serverFor(row);
              const seen = await runPeer(entry.port, row);
              const ours = ourSide(row, entry);
              checkAgreement(row, seen, ours, row);
              if (seen.standardName !== undefined) assert.equal(seen.standardName, ours.cipher?.standardName);
              if (seen.cipherVersion !== undefined) assert.equal(seen.cipherVersion, ours.cipher?.version);
              // The oracle: a node:tls server with the same options, the same client.
              const oracle = nodeServers.get(serverKey(key, clientCert));
              assert.ok(oracle);
              oracle.last = null;
              const seenByNode = await runPeer(oracle.port, row);
              row.sameAsNode =
                seenByNode.protocol === seen.protocol && seenByNode.cipher === seen.cipher && seenByNode.kx === seen.kx;
              assert.deepEqual(
                seen,
                seenByNode,
                'what the peer negotiated with a node:tls server with the same options',
              );
            });
          }
        }
      }
    }
  });
}

// ================================================================ our client

/** A peer server: started once per key x client-cert, asked what it saw after each connection. */
interface PeerServer {
  port: number;
  /** Call before connecting; the returned function resolves with what the peer saw. */
  mark(): () => Promise<Negotiated & { peerCN?: string }>;
  /** What the peer sends back for `line` (s_server -rev reverses it). */
  expectEcho(line: string): string;
  stop(): Promise<void>;
}

type PeerFactory = (k: KeySpec, clientCert: boolean) => Promise<PeerServer>;

function fromProcess(
  p: ProcessServer | OpenSSLServer,
  done: RegExp,
  parse: (text: string) => Negotiated & { peerCN?: string },
): Pick<PeerServer, 'mark' | 'stop'> {
  const waitSince = (from: number): Promise<string> =>
    'waitSince' in p
      ? p.waitSince(from, done, PEER_TIMEOUT_MS)
      : p.waitForOutput(done, PEER_TIMEOUT_MS).then(async () => {
          // OpenSSLServer waits on the whole output: poll for the part after `from`.
          const started = Date.now();
          while (!done.test(p.output().slice(from))) {
            if (Date.now() - started > PEER_TIMEOUT_MS)
              throw new Error(`no ${String(done)} after mark; output:\n${p.output().slice(from)}`);
            await new Promise((r) => setTimeout(r, 5));
          }
          return p.output().slice(from);
        });
  return {
    mark: () => {
      const from = p.output().length;
      return async () => parse(await waitSince(from));
    },
    stop: () => p.stop(),
  };
}

const peerServers: Array<[string, PeerFactory]> = [
  [
    'openssl s_server',
    async (k, clientCert) => {
      const args = ['-rev', ...certArgs(k.cert.replace(/\.pem$/, ''))];
      if (clientCert) args.push('-Verify', '1', '-CAfile', caPath, '-verify_return_error');
      const p = await startOpenSSLServer(args, { timeoutMs: PEER_TIMEOUT_MS });
      return {
        port: p.port,
        expectEcho: (line) => `${Array.from(line).reverse().join('')}\n`,
        ...fromProcess(p, /^Ciphersuite: .*\n[^]*?(^Peer certificate: .*\n|^No peer certificate)/m, (text) => ({
          ...parseOpenSSL(text),
          peerCN: /^Peer certificate: .*CN = ([^,\n]+)/m.exec(text)?.[1],
        })),
      };
    },
  ],
  [
    'gnutls-serv',
    async (k, clientCert) => {
      const args = gnutlsCertArgs(fixturePath(k.cert), fixturePath(k.key));
      args.push(
        ...(clientCert
          ? ['--require-client-cert', '--verify-client-cert', '--x509cafile', caPath]
          : ['--disable-client-cert']),
      );
      const p = await startGnutlsServer(args, PEER_TIMEOUT_MS);
      return {
        port: p.port,
        expectEcho: (line) => `${line}\n`,
        ...fromProcess(p, /^- MAC: /m, (text) => ({
          ...parseGnutls(text),
          peerCN: /certificate is trusted/.test(text) ? /Subject: CN=([^,\n]+)/.exec(text)?.[1] : undefined,
        })),
      };
    },
  ],
  [
    'python ssl server',
    async (k, clientCert) => {
      const args = ['--cert', fixturePath(k.cert), '--key', fixturePath(k.key)];
      if (clientCert) args.push('--ca', caPath, '--require-cert');
      const p = await startPythonServer(args, PEER_TIMEOUT_MS);
      return {
        port: p.port,
        expectEcho: (line) => `${line}\n`,
        ...fromProcess(p, /^\{"event": "secure".*\n/m, (text) => {
          const line = /^\{"event": "secure".*$/m.exec(text)?.[0] ?? '{}';
          const seen = JSON.parse(line) as PythonSecure;
          return { protocol: seen.version, cipher: seen.cipher, peerCN: seen.peer_cn ?? undefined };
        }),
      };
    },
  ],
  [
    'node:tls server',
    async (k, clientCert) => {
      let last: (Negotiated & { peerCN?: string }) | null = null;
      let waiter: (() => void) | null = null;
      const server: NodeTlsServer = await startNodeTlsServer(
        {
          key: fixture(k.key),
          cert: fixture(k.cert),
          ...(clientCert ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        (s: nodeTls.TLSSocket) => {
          const cn = s.getPeerCertificate().subject?.CN;
          last = {
            protocol: s.getProtocol() ?? undefined,
            cipher: s.getCipher().name,
            peerCN: typeof cn === 'string' && s.authorized ? cn : undefined,
          };
          waiter?.();
          s.pipe(s);
        },
      );
      return {
        port: server.port,
        expectEcho: (line) => `${line}\n`,
        mark: () => {
          last = null;
          return async () => {
            if (last === null) await new Promise<void>((resolve) => (waiter = resolve));
            waiter = null;
            assert.ok(last);
            return last;
          };
        },
        stop: () => server.close(),
      };
    },
  ],
];

/**
 * One connection from a client (ours or node:tls's) to a peer server: a line goes out,
 * its echo comes back, the client ends. Returns the client's view and the peer's report.
 */
async function clientRound(
  p: PeerServer,
  c: Case,
  s: tls.TLSSocket | nodeTls.TLSSocket,
): Promise<{ view: OurView; peerView: Negotiated & { peerCN?: string } }> {
  const seen = p.mark();
  try {
    await waitFor(s, 'secureConnect', PEER_TIMEOUT_MS);
    assert.equal(s.authorized, true);
    const view = ourView(s);
    const line = token(c);
    const expected = p.expectEcho(line);
    const got: Buffer[] = [];
    let gotLength = 0;
    const echoed = new Promise<void>((resolve, reject) => {
      s.on('data', (d: Buffer) => {
        got.push(d);
        gotLength += d.length;
        if (gotLength >= expected.length) resolve();
      });
      s.once('error', reject);
      s.once('end', () => resolve());
    });
    s.write(`${line}\n`);
    await Promise.race([echoed, waitFor(s, 'never', PEER_TIMEOUT_MS)]);
    assert.equal(Buffer.concat(got).toString('latin1'), expected, 'echo');
    const peerView = await seen();
    s.end();
    await waitFor(s, 'close', PEER_TIMEOUT_MS);
    return { view, peerView };
  } finally {
    s.destroy();
  }
}

function ourClientSuite(): void {
  describe('our client', () => {
    after(async () => {
      await stopAllPeers();
      await stopMorePeers();
    });

    for (const [peer, start] of peerServers) {
      describe(peer, () => {
        const started = new Map<string, PeerServer>();
        const serverKey = (k: KeySpec, clientCert: boolean): string => `${k.name}/${clientCert}`;

        before(async function () {
          this.timeout(30_000);
          const command = peerCommands[peer];
          if (command !== undefined) needPeer(this, command);
          for (const k of keys) for (const cc of clientCertModes) started.set(serverKey(k, cc), await start(k, cc));
        });
        after(async () => {
          for (const p of started.values()) await p.stop();
        });

        for (const version of versions) {
          for (const key of keys) {
            for (const clientCert of clientCertModes) {
              matrixCase({ peer, role: 'our client', version, key, clientCert }, async (row) => {
                const p = started.get(serverKey(key, clientCert));
                assert.ok(p, 'peer server started');
                const options = {
                  port: p.port,
                  host: '127.0.0.1',
                  servername: 'localhost',
                  ca,
                  minVersion: version,
                  maxVersion: version,
                  ...(clientCert ? { cert: fixture(key.clientCert), key: fixture(key.clientKey) } : {}),
                };
                const ours = await clientRound(p, row, tls.connect(options));
                const peerView = ours.peerView;
                checkAgreement(row, peerView, ours.view, row);
                if (clientCert) assert.equal(peerView.peerCN, key.clientCN, 'the peer verified our client certificate');
                // The oracle: a node:tls client with the same options, against the same peer.
                const node = await clientRound(p, row, nodeTls.connect(options));
                row.sameAsNode =
                  node.view.protocol === ours.view.protocol && node.view.cipher?.name === ours.view.cipher?.name;
                assert.deepEqual(
                  node.view.cipher,
                  ours.view.cipher,
                  'getCipher() of a node:tls client with the same options',
                );
                assert.deepEqual(
                  node.peerView,
                  peerView,
                  'what the peer saw from a node:tls client with the same options',
                );
              });
            }
          }
        }
      });
    }
  });
}

// ================================================================ the doc

function versionOf(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return pattern.exec(out)?.[0] ?? out.split('\n')[0] ?? '?';
  } catch {
    return 'not found';
  }
}

function renderDoc(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const header = `| ${columns.map(([name]) => name).join(' | ')} |\n|${columns.map(() => '---').join('|')}|\n`;
  const body = rows.map((r) => `| ${columns.map(([, get]) => cell(get(r))).join(' | ')} |`).join('\n');
  const failed = rows.filter((r) => r.result !== 'pass');
  const peers = [
    `- OpenSSL CLI: ${versionOf('openssl', ['version'], /^OpenSSL \S+/)}`,
    `- GnuTLS: ${versionOf('gnutls-cli', ['--version'], /gnutls-cli \S+/)}`,
    `- curl: ${versionOf('curl', ['--version'], /^curl \S+.*?OpenSSL\/\S+/)}`,
    `- Python: ${versionOf('python3', ['-c', 'import ssl, sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION)'], /^.+$/m)}`,
    `- Node (node:tls peer): ${process.version}, OpenSSL ${process.versions.openssl}`,
  ].join('\n');
  return `# Interop matrix

Generated by \`INTEROP_WRITE_DOC=1 npx mocha test/interop.test.ts\` on ${new Date().toISOString().slice(0, 10)}.
Do not edit by hand; re-run that command.

Each row is one connection between openssl-tls and an independent TLS implementation.
"our server" rows: the peer is the client, connecting to \`tls.createServer()\` (which echoes;
curl gets an HTTP/1.1 response echoing its request path and body). "our client" rows:
\`tls.connect()\` to the peer's echo server. A row passes when bytes go both ways intact and
the peer's report of the negotiated protocol and cipher matches our socket's
\`getProtocol()\` / \`getCipher()\` (and, with a client certificate, both sides verified it
against ca.pem). "Cipher" is the suite's IANA name as our \`getCipher().standardName\` reports it.
"Same as node:tls": the same peer, run against node:tls in our place (a node:tls server, or a
node:tls client, with the same options), negotiated the same protocol and suite; a "NO" fails
the row, since it means our defaults differ from node's.

Session resumption and ALPN are not columns here: \`test/session.test.ts\` and
\`test/alpn.test.ts\` test them against \`openssl s_client\`/\`s_server\` and node:tls.

Peers:
${peers}

${rows.length} cases, ${rows.length - failed.length} passed, ${failed.length} failed.

${header}${body}
${failed.length > 0 ? `\n## Failures\n\n${failed.map((r) => `- ${r.peer}, ${r.role}, ${caseName(r)}: ${cell(r.error ?? r.result)}`).join('\n')}\n` : ''}`;
}

describe('interop matrix', () => {
  ourServerSuite();
  ourClientSuite();

  after(() => {
    if (process.env['INTEROP_WRITE_DOC'] !== '1') return;
    const file = path.join(__dirname, '..', 'docs', 'interop.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // scripts/scan.sh owns the "## Scanners" section at the end of the file: keep it.
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const at = old.indexOf('\n## Scanners\n');
    fs.writeFileSync(file, renderDoc() + (at >= 0 ? old.slice(at) : ''));
  });
});
