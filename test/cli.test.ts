// The openssl-tls command (bin/openssl-tls, built from lib/cli/) against real peers:
// `serve` with openssl s_client and curl, `connect` with openssl s_server, `bench`
// against node:tls. What is asserted is what a user sees: the output and the exit code.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from './helpers/fixtures';
import { ocspResponder } from './helpers/ocsp_responses';
import { needPeer } from './helpers/optional_peers';
import { certArgs, runOpenSSLClient, startOpenSSLServer, stopAllPeers } from './helpers/peers';
import { run, waitUntil, type RunResult } from './helpers/peers_more';

const bin = path.join(__dirname, '..', 'bin', 'openssl-tls');
const ca = fixturePath('ca.pem');

/** openssl-tls ARGS to its end; stdin gets `input` (ended at once, or once stdout shows `waitFor`). */
function cli(args: string[], opts: { input?: string; waitFor?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(process.execPath, [bin, ...args], {
    input: opts.input ?? '',
    ...opts,
    timeoutMs: opts.timeoutMs ?? 15_000,
  });
}

interface Serve {
  port: number;
  proc: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the output after `from` once it matches `expected`. */
  waitSince(from: number, expected: RegExp): Promise<string>;
}

const serving = new Set<ChildProcessWithoutNullStreams>();

/** `openssl-tls serve --port 0 ...args`; resolves once it says where it listens. */
async function startServe(args: string[]): Promise<Serve> {
  const proc = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { stdio: 'pipe' });
  serving.add(proc);
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const s: Serve = {
    port: 0,
    proc,
    output: () => output,
    waitSince: async (from, expected) => {
      await waitUntil(
        () => expected.test(output.slice(from)) || proc.exitCode !== null,
        8000,
        () => `${String(expected)} in:\n${output.slice(from)}`,
      );
      assert.match(output.slice(from), expected, 'serve exited');
      return output.slice(from);
    },
  };
  const ready = await s.waitSince(0, /listening on port (\d+)|"port":(\d+)/);
  const m = /listening on port (\d+)|"port":(\d+)/.exec(ready);
  s.port = Number(m?.[1] ?? m?.[2]);
  return s;
}

async function stopServes(): Promise<void> {
  await Promise.all(
    [...serving].map(async (p) => {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((r) => p.once('close', r));
        p.kill('SIGTERM');
        await gone;
      }
      serving.delete(p);
    }),
  );
}

/** The SHA-256 fingerprint of the certificate `openssl s_client` received, as openssl prints it. */
function fingerprintOf(sClientStdout: string): string {
  const pem = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/.exec(sClientStdout)?.[0];
  assert.ok(pem, 'a certificate in s_client output');
  const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' });
  return out.trim().replace(/^sha256 Fingerprint=/i, '');
}

describe('openssl-tls (the command line)', function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await stopServes();
    await stopAllPeers();
  });

  describe('usage', () => {
    it('--help for the command and each subcommand: exit 0, the options listed', async () => {
      const top = await cli(['--help']);
      assert.equal(top.code, 0);
      assert.match(top.stdout, /^Usage: openssl-tls <command>/);
      for (const name of ['serve', 'connect', 'bench']) assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'));
      const expected: Record<string, RegExp[]> = {
        serve: [
          /--port N/,
          /--cert FILE --key FILE/,
          /--pfx FILE/,
          /--request-cert/,
          /--alpn LIST/,
          /--min V, --max V/,
          /--echo/,
          /--http/,
          /--json/,
        ],
        connect: [
          /--servername NAME/,
          /--alpn LIST/,
          /--ca FILE/,
          /--insecure/,
          /--session-out FILE/,
          /--session-in FILE/,
          /--keylog FILE/,
          /--json/,
        ],
        bench: [/--scenario NAME/, /handshake/, /resume/, /bulk/, /echo/, /--against node\|none/, /--json/],
      };
      for (const [name, patterns] of Object.entries(expected)) {
        const r = await cli([name, '--help']);
        assert.equal(r.code, 0, name);
        assert.match(r.stdout, new RegExp(`^Usage: openssl-tls ${name}`));
        for (const p of patterns) assert.match(r.stdout, p, `${name} --help: ${String(p)}`);
        assert.match(r.stdout, /Exit codes: /);
      }
    });

    it('no command, an unknown command or option, a bad value: exit 9 and one line saying what', async () => {
      assert.equal((await cli([])).code, 9);
      const cases: Array<[string[], RegExp]> = [
        [['frobnicate'], /^openssl-tls: unknown command 'frobnicate'\n/],
        [['connect', 'localhost:1', '--bogus'], /^openssl-tls connect: Unknown option '--bogus'/],
        [['connect'], /^openssl-tls connect: connect takes one host\[:port\]\n/],
        [['connect', 'localhost:99999'], /^openssl-tls connect: expected host\[:port\], not 'localhost:99999'\n/],
        [['serve', '--port', 'x'], /^openssl-tls serve: --port must be an integer from 0 to 65535, not 'x'\n/],
        [
          ['serve', '--min', 'TLSv9'],
          /^openssl-tls serve: --min must be one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, not 'TLSv9'\n/,
        ],
        [['serve', '--cert', fixturePath('server-rsa.pem')], /^openssl-tls serve: --cert and --key go together\n/],
        [
          ['bench', '--scenario', 'nope'],
          /^openssl-tls bench: unknown scenario 'nope': use handshake, resume, bulk, echo or one of /,
        ],
      ];
      for (const [args, message] of cases) {
        const r = await cli(args);
        assert.equal(r.code, 9, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      }
    });
  });

  describe('serve', () => {
    it('with no certificate: makes one, prints its fingerprint, and logs what openssl s_client negotiated', async () => {
      const s = await startServe(['--alpn', 'h2,http/1.1']);
      const banner = s.output();
      const printed = /SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(banner)?.[1];
      assert.ok(printed, banner);
      assert.match(banner, /certificate: generated, self-signed for localhost/);
      const from = s.output().length;
      const r = await runOpenSSLClient(
        s.port,
        ['-servername', 'localhost', '-alpn', 'h2', '-tls1_3'],
        'GET / HTTP/1.0\r\n\r\n',
        { waitFor: '"request"' },
      );
      assert.equal(fingerprintOf(r.stdout), printed, 'the certificate served is the one whose fingerprint was printed');
      const line = await s.waitSince(from, /\n$/);
      const suite = /^New, TLSv1\.3, Cipher is (\S+)$/m.exec(r.stdout)?.[1];
      assert.ok(suite, r.stdout);
      assert.match(
        line,
        new RegExp(`^\\S+Z \\S+:\\d+ TLSv1\\.3 ${suite} alpn=h2 sni=localhost resumed=no client-cert=none\\n`),
      );
      // -- the default mode answers HTTP with the connection described.
      assert.match(r.stdout, /HTTP\/1\.1 200 OK/);
      assert.match(r.stdout, /"protocol": "TLSv1\.3"/);
      assert.match(r.stdout, /"alpn": "h2"/);
    });

    it('logs a resumed session (openssl s_client -sess_out, then -sess_in)', async () => {
      const s = await startServe(['--json']);
      const file = path.join(dir, 'serve-session.pem');
      const args = ['-servername', 'localhost', '-tls1_2'];
      const first = await runOpenSSLClient(s.port, [...args, '-sess_out', file], 'GET / HTTP/1.0\r\n\r\n', {
        waitFor: '"request"',
      });
      assert.match(first.stdout, /^New, TLSv1\.2/m);
      const second = await runOpenSSLClient(s.port, [...args, '-sess_in', file], 'GET / HTTP/1.0\r\n\r\n', {
        waitFor: '"request"',
      });
      assert.match(second.stdout, /^Reused, TLSv1\.2/m);
      await waitUntil(
        () =>
          s
            .output()
            .split('\n')
            .filter((l) => l.includes('"event":"connection"')).length === 2,
        5000,
        () => s.output(),
      );
      const events = s
        .output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(events[0]?.['event'], 'listening');
      assert.match(String(events[0]?.['fingerprint256']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const connections = events.filter((e) => e['event'] === 'connection');
      assert.deepEqual(
        connections.map((e) => [e['protocol'], e['resumed']]),
        [
          ['TLSv1.2', false],
          ['TLSv1.2', true],
        ],
      );
    });

    it('--http answers curl with the connection described', async function () {
      needPeer(this, 'curl');
      const s = await startServe(['--http', '--alpn', 'http/1.1']);
      const r = await run('curl', [
        '-sS',
        '--insecure',
        '--http1.1',
        '--resolve',
        `localhost:${s.port}:127.0.0.1`,
        `https://localhost:${s.port}/from-curl`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(body['request'], 'GET /from-curl HTTP/1.1');
      assert.equal(body['alpn'], 'http/1.1');
      assert.equal(body['servername'], 'localhost');
      await s.waitSince(0, /alpn=http\/1\.1 sni=localhost resumed=no client-cert=none/);
    });

    it('--cert/--key, --request-cert --ca, --echo, --json: a verified client certificate is logged and bytes come back', async () => {
      const s = await startServe([
        '--cert',
        fixturePath('server-rsa.pem'),
        '--key',
        fixturePath('server-rsa-key.pem'),
        '--ca',
        ca,
        '--request-cert',
        '--echo',
        '--json',
      ]);
      const listening = JSON.parse(s.output().split('\n')[0] ?? '') as Record<string, unknown>;
      assert.equal(listening['certificate'], fixturePath('server-rsa.pem'));
      assert.equal(listening['mode'], 'echo');
      const args = [
        '-servername',
        'localhost',
        '-CAfile',
        ca,
        '-verify_return_error',
        '-cert',
        fixturePath('client.pem'),
        '-key',
        fixturePath('client-key.pem'),
        '-quiet',
        '-no_ign_eof',
      ];
      const r = await runOpenSSLClient(s.port, args, 'echo me\n', { waitFor: 'echo me\n' });
      assert.equal(r.stdout, 'echo me\n', r.stderr);
      await waitUntil(
        () => s.output().includes('"event":"connection"'),
        5000,
        () => s.output(),
      );
      const connection = JSON.parse(
        s
          .output()
          .split('\n')
          .find((l) => l.includes('"event":"connection"')) ?? '',
      ) as {
        authorized: boolean;
        chain: Array<{ subject: string }>;
      };
      assert.equal(connection.authorized, true);
      assert.match(connection.chain[0]?.subject ?? '', /CN=test client/);
    });

    it('--pfx --passphrase with --min TLSv1.3: a TLS 1.2 client is refused and the failure logged', async () => {
      const s = await startServe(['--pfx', fixturePath('server.pfx'), '--passphrase', 'sample', '--min', 'TLSv1.3']);
      const from = s.output().length;
      const r = await runOpenSSLClient(s.port, ['-tls1_2', '-servername', 'localhost'], '');
      assert.notEqual(r.code, 0);
      await s.waitSince(from, /handshake failed: ERR_SSL_UNSUPPORTED_PROTOCOL /);
      const ok = await runOpenSSLClient(
        s.port,
        ['-tls1_3', '-servername', 'localhost', '-CAfile', ca, '-verify_return_error'],
        'GET / HTTP/1.0\r\n\r\n',
        { waitFor: '"request"' },
      );
      assert.match(ok.stdout, /HTTP\/1\.1 200 OK/, ok.stderr);
    });

    it('a port in use: exit 1 with the reason', async () => {
      const s = await startServe([]);
      const r = await cli(['serve', '--port', String(s.port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^openssl-tls serve: cannot listen on port ${s.port}: .*EADDRINUSE`, 'm'));
    });
  });

  describe('connect', () => {
    it('against openssl s_server -rev: prints the connection and the verified chain, pipes stdin and stdout', async () => {
      const server = await startOpenSSLServer(['-rev', ...certArgs('server-rsa'), '-tls1_3']);
      const r = await cli(['connect', `localhost:${server.port}`, '--ca', ca], { input: 'hello\n', waitFor: 'olleh' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'olleh\n');
      const info = r.stderr;
      assert.match(
        info,
        new RegExp(`^Connected to localhost:${server.port} \\(127\\.0\\.0\\.1:${server.port}\\)$`, 'm'),
      );
      assert.match(info, /^Protocol {2}TLSv1\.3$/m);
      // s_server -rev reports like -brief: "Ciphersuite: ...".
      await server.waitForOutput(/^Ciphersuite: (\S+)$/m);
      assert.match(
        info,
        new RegExp(`^Cipher {4}${/^Ciphersuite: (\S+)$/m.exec(server.output())?.[1] ?? '?'}$`, 'm'),
        'the suite s_server reports',
      );
      assert.match(info, /^Group {5}X25519 \(ECDH, 253 bits\)$/m);
      assert.match(info, /^ALPN {6}\(none\)$/m);
      assert.match(info, /^Session {3}new$/m);
      assert.match(info, /^OCSP {6}no stapled response$/m);
      assert.match(info, /^Verify {4}ok$/m);
      // The chain: the server's certificate, then the test CA (self-signed: the end).
      const root = 'C=US, ST=CA, L=SF, O=openssl-tls test, OU=Root, CN=openssl-tls Test Root CA';
      assert.match(
        info,
        new RegExp(
          `^ {2}0 C=US, O=openssl-tls test, CN=localhost\\n {4}issuer {3}${root}\\n {4}names {4}DNS:localhost, `,
          'm',
        ),
      );
      assert.match(info, new RegExp(`^ {2}1 ${root}\\n {4}issuer {3}${root}\\n`, 'm'));
      assert.match(info, /^ {4}valid {4}\w{3} +\d+ [\d:]+ \d{4} GMT to \w{3} +\d+ [\d:]+ \d{4} GMT \(valid\)$/m);
      assert.doesNotMatch(info, /^ {2}2 /m);
    });

    it('--json: protocol, cipher, group, ALPN, chain and a stapled OCSP response, as openssl s_server offers them', async () => {
      const ocspDir = fs.mkdtempSync(path.join(dir, 'ocsp-'));
      const response = ocspResponder(ocspDir, { 'server-rsa': 'V' })('server-rsa');
      const statusFile = path.join(ocspDir, 'status.der');
      fs.writeFileSync(statusFile, response);
      const server = await startOpenSSLServer([
        ...certArgs('server-rsa'),
        '-alpn',
        'h2',
        '-status_file',
        statusFile,
        '-tls1_2',
      ]);
      const r = await cli([
        'connect',
        `127.0.0.1:${server.port}`,
        '--servername',
        'localhost',
        '--ca',
        ca,
        '--alpn',
        'http/1.1,h2',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const facts = JSON.parse(r.stdout) as Record<string, unknown> & {
        cipher: { standardName: string };
        chain: Array<{ subject: string; validity: string }>;
        ocsp: Record<string, string>;
      };
      assert.equal(facts['protocol'], 'TLSv1.2');
      await server.waitForOutput(/^CIPHER is (\S+)$/m);
      assert.equal(
        (facts.cipher as { name?: string }).name,
        /^CIPHER is (\S+)$/m.exec(server.output())?.[1],
        'the suite s_server reports',
      );
      assert.match(facts.cipher.standardName, /^TLS_ECDHE_RSA_WITH_/);
      assert.deepEqual(facts['group'], { type: 'ECDH', name: 'X25519', size: 253 });
      assert.equal(facts['alpn'], 'h2');
      assert.equal(facts['servername'], 'localhost');
      assert.equal(facts['authorized'], true);
      assert.deepEqual(
        facts.chain.map((c) => [c.subject.replace(/^.*CN=/, ''), c.validity]),
        [
          ['localhost', 'valid'],
          ['openssl-tls Test Root CA', 'valid'],
        ],
      );
      assert.equal(facts.ocsp['responseStatus'], 'successful');
      assert.equal(facts.ocsp['certStatus'], 'good');
      // openssl ocsp reads the same response the same way.
      const text = execFileSync('openssl', ['ocsp', '-respin', statusFile, '-resp_text', '-noverify'], {
        encoding: 'utf8',
      });
      assert.match(text, /Cert Status: good/);
      const thisUpdate = /This Update: (.+)$/m.exec(text)?.[1] ?? '';
      assert.equal(
        Date.parse(facts.ocsp['thisUpdate'] ?? ''),
        Date.parse(thisUpdate),
        `thisUpdate vs openssl's ${thisUpdate}`,
      );
    });

    it('an unverifiable server: exit 1 naming the verify error; --insecure carries on and says so', async () => {
      const server = await startOpenSSLServer([
        '-rev',
        '-cert',
        fixturePath('selfsigned.pem'),
        '-key',
        fixturePath('selfsigned-key.pem'),
      ]);
      const refused = await cli(['connect', `localhost:${server.port}`]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        new RegExp(`^openssl-tls connect: localhost:${server.port}: DEPTH_ZERO_SELF_SIGNED_CERT: [^\\n]+\\n$`),
      );
      assert.equal(refused.stdout, '');
      const insecure = await cli(['connect', `localhost:${server.port}`, '--insecure'], {
        input: 'abc\n',
        waitFor: 'cba',
      });
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.match(insecure.stderr, /^Verify {4}FAILED: DEPTH_ZERO_SELF_SIGNED_CERT \(--insecure: carrying on\)$/m);
      assert.equal(insecure.stdout, 'cba\n');
    });

    it('--session-out then --session-in resumes on openssl s_server (TLS 1.3 ticket)', async () => {
      const server = await startOpenSSLServer([...certArgs('server-rsa'), '-tls1_3']);
      const file = path.join(dir, 'connect-session.der');
      const first = await cli(['connect', `localhost:${server.port}`, '--ca', ca, '--session-out', file, '--json']);
      assert.equal(first.code, 0, first.stderr);
      assert.equal((JSON.parse(first.stdout) as { resumed: boolean }).resumed, false);
      assert.ok(fs.statSync(file).size > 0, 'the session was saved');
      const second = await cli(['connect', `localhost:${server.port}`, '--ca', ca, '--session-in', file]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /^Session {3}resumed$/m);
      await server.waitForOutput('Reused session-id');
    });

    it('--keylog writes the secrets openssl s_server logs for the same connection', async () => {
      const serverLog = path.join(dir, 'server.keylog');
      const clientLog = path.join(dir, 'client.keylog');
      const server = await startOpenSSLServer([...certArgs('server-rsa'), '-keylogfile', serverLog, '-tls1_3']);
      const r = await cli(['connect', `localhost:${server.port}`, '--ca', ca, '--keylog', clientLog, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const lines = (file: string): string[] =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .sort();
      await waitUntil(
        () => fs.existsSync(serverLog) && lines(serverLog).length >= 5,
        3000,
        () => 'the server key log',
      );
      assert.deepEqual(lines(clientLog), lines(serverLog));
      assert.ok(lines(clientLog).some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 ')));
    });

    it('a port nobody listens on: exit 1 with ECONNREFUSED', async () => {
      const s = await startServe([]);
      const port = s.port;
      await stopServes();
      const r = await cli(['connect', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`^openssl-tls connect: 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`),
      );
    });
  });

  describe('connect and serve together', () => {
    it('connect --insecure to serve --echo: bytes both ways, and each side reports the other', async () => {
      const s = await startServe(['--echo', '--alpn', 'h2']);
      const r = await cli(['connect', `localhost:${s.port}`, '--insecure', '--alpn', 'h2', '--max', 'TLSv1.2'], {
        input: 'ping\n',
        waitFor: 'ping\n',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ping\n');
      assert.match(r.stderr, /^Protocol {2}TLSv1\.2$/m);
      assert.match(r.stderr, /^ALPN {6}h2$/m);
      const printed = /SHA-256 fingerprint: (\S+)/.exec(s.output())?.[1];
      assert.match(r.stderr, new RegExp(`^ {4}sha256 {3}${printed ?? 'none'}$`, 'm'));
      const suite = /^Cipher {4}\S+ \((TLS_ECDHE_ECDSA_WITH_\w+)\)$/m.exec(r.stderr)?.[1];
      assert.ok(suite, r.stderr);
      await s.waitSince(0, new RegExp(`TLSv1\\.2 ${suite} alpn=h2 sni=localhost resumed=no client-cert=none`));
    });
  });

  describe('bench', function () {
    // A busy or sanitized machine may need the bench's extra wait for a first operation.
    this.timeout(120_000);

    it('handshake: both servers measured, a progress line each, the ratio is ours over node:tls', async () => {
      const r = await cli(['bench', '--scenario', 'handshake', '--seconds', '0.5', '--stime-procs', '2', '--json'], {
        timeoutMs: 100_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        scenario: { id: string; unit: string };
        results: Array<{ impl: string; rate: number }>;
        ratio: number;
      };
      assert.equal(out.scenario.id, 'hs-tls13-rsa');
      assert.equal(out.scenario.unit, 'handshakes/s');
      assert.deepEqual(
        out.results.map((x) => x.impl),
        ['openssl-tls', 'node:tls'],
      );
      for (const x of out.results) assert.ok(x.rate > 0, `${x.impl} rate`);
      assert.ok(Math.abs(out.ratio - (out.results[0]?.rate ?? 0) / (out.results[1]?.rate ?? 1)) < 1e-9);
      assert.match(r.stderr, /^\[1\/2\] openssl-tls: [\d.,]+ handshakes\/s$/m);
      assert.match(r.stderr, /^\[2\/2\] node:tls: [\d.,]+ handshakes\/s$/m);
    });

    it('echo --against none: the text report, openssl-tls alone', async () => {
      const r = await cli(['bench', '--scenario', 'echo', '--seconds', '0.5', '--against', 'none'], {
        timeoutMs: 100_000,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^echo-256: Echo 1 KiB, 256 connections/);
      assert.match(r.stdout, /^openssl-tls +[\d,]+ echoes\/s$/m);
      assert.doesNotMatch(r.stdout, /node:tls +[\d,]/);
      assert.doesNotMatch(r.stdout, /^ratio/m);
    });
  });
});
