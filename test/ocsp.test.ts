// OCSP stapling: requestOCSP and 'OCSPResponse' on the client, the server's
// OCSPRequest(certificate, issuer, callback) as a certificate-pause step
// answered late, twice, with an error and after the client left; with real
// OCSP responses made by `openssl ocsp` from the test CA, against node:tls
// and openssl s_client -status / s_server -status_file.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { ocspResponder } from './helpers/ocsp_responses';
import { runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';
import { impls, nodeImpl, ourImpl, runPair, type TlsImpl } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem'), ca: fixture('ca.pem') };
const revoked = { key: fixture('revoked-key.pem'), cert: fixture('revoked.pem'), ca: fixture('ca.pem') };
const der = (pem: Buffer): Buffer => Buffer.from(new X509Certificate(pem).raw);

type OCSPCallback = (err: Error | null, response?: Buffer | null) => void;
type OCSPListener = (certificate: Buffer, issuer: Buffer | null, callback: OCSPCallback) => void;

let dir = '';
let goodResponse: Buffer = Buffer.alloc(0);
let revokedResponse: Buffer = Buffer.alloc(0);

/** What `openssl ocsp` says of a response for `certName`: 'good', 'revoked', ... (verified against the CA). */
function statusOf(response: Buffer, certName: string): string {
  const file = path.join(dir, `check-${process.hrtime.bigint()}.der`);
  fs.writeFileSync(file, response);
  const out = execFileSync(
    'openssl',
    [
      'ocsp',
      '-respin',
      file,
      '-CAfile',
      fixturePath('ca.pem'),
      '-issuer',
      fixturePath('ca.pem'),
      '-cert',
      fixturePath(`${certName}.pem`),
      '-no_nonce',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = new RegExp(`${certName}\\.pem: (\\w+)`).exec(out);
  return m?.[1] ?? out;
}

interface Seen {
  events: string[];
  response?: Buffer | null;
  requests: Array<{ certificate: Buffer; issuer: Buffer | null }>;
  serverError?: string;
  clientError?: string;
}

/** One connection; records the order of the client's events and what OCSPRequest got. */
async function staple(
  server: TlsImpl,
  client: TlsImpl,
  listener: OCSPListener | null,
  serverOptions: Record<string, unknown> = {},
  clientOptions: Record<string, unknown> = { requestOCSP: true },
): Promise<Seen> {
  const seen: Seen = { events: [], requests: [] };
  const r = await runPair({
    server,
    client,
    serverOptions: { ...rsa, ...serverOptions },
    clientOptions,
    setupServer: (s) => {
      if (listener !== null) {
        s.on('OCSPRequest', (certificate: Buffer, issuer: Buffer | null, cb: OCSPCallback) => {
          seen.requests.push({ certificate, issuer });
          listener(certificate, issuer, cb);
        });
      }
    },
    setupClient: (c) => {
      c.on('OCSPResponse', (response: Buffer | null) => {
        seen.events.push('OCSPResponse');
        seen.response = response;
      });
      c.on('secureConnect', () => seen.events.push('secureConnect'));
    },
  });
  if (r.server.error !== undefined) seen.serverError = r.server.error;
  if (r.client.error !== undefined) seen.clientError = r.client.error;
  return seen;
}

describe('OCSP stapling', () => {
  usePeerCleanup();

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-ocsp-'));
    const makeResponse = ocspResponder(dir, { 'server-rsa': 'V', revoked: 'R' });
    goodResponse = makeResponse('server-rsa');
    revokedResponse = makeResponse('revoked');
    assert.equal(statusOf(goodResponse, 'server-rsa'), 'good');
    assert.equal(statusOf(revokedResponse, 'revoked'), 'revoked');
  });

  after(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: a response given later is stapled; the client gets it before secureConnect, as from node:tls`, async () => {
      const late: OCSPListener = (_c, _i, cb) => setTimeout(() => cb(null, goodResponse), 50);
      const expected = await staple(nodeImpl, nodeImpl, late, { maxVersion: version });
      assert.deepEqual(expected.events, ['OCSPResponse', 'secureConnect']);
      for (const server of impls) {
        for (const client of impls) {
          const got = await staple(server, client, late, { maxVersion: version });
          const where = `${server.name} server, ${client.name} client`;
          assert.deepEqual(got.events, expected.events, where);
          assert.deepEqual(got.response, goodResponse, where);
          assert.equal(got.requests.length, 1, where);
        }
      }
      const ours = await staple(ourImpl, ourImpl, late, { maxVersion: version });
      assert.ok(ours.response);
      assert.equal(statusOf(ours.response, 'server-rsa'), 'good');
    });
  }

  it("a client destroyed on 'OCSPResponse' never sends its Finished: no secureConnection, as with node:tls", async () => {
    /** The server's events when its client goes away from inside 'OCSPResponse'. */
    const serverSees = async (server: TlsImpl, client: TlsImpl, maxVersion: string): Promise<string[]> => {
      const events: string[] = [];
      let heard: () => void = () => {};
      const serverHeard = new Promise<void>((resolve) => (heard = resolve));
      const s = server.createServer({ ...rsa, maxVersion });
      s.on('secureConnection', (sock: nodeTls.TLSSocket) => {
        events.push('secureConnection');
        heard();
        sock.on('error', () => {}).end();
      });
      s.on('tlsClientError', () => {
        events.push('tlsClientError');
        heard();
      });
      s.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: OCSPCallback) => setTimeout(cb, 20, null, goodResponse));
      const port = await listen(s);
      try {
        const c = client.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, requestOCSP: true });
        c.on('secureConnect', () => events.push('secureConnect'));
        c.on('OCSPResponse', () => {
          events.push('OCSPResponse');
          c.destroy();
        });
        await waitFor(c, 'close');
        // The server hears of the connection one way or the other; then a moment for a second event.
        await Promise.race([serverHeard, new Promise((resolve) => setTimeout(resolve, 5000))]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await close(s);
      }
      return events;
    };
    for (const version of ['TLSv1.3', 'TLSv1.2']) {
      const expected = await serverSees(nodeImpl, nodeImpl, version);
      assert.equal(expected.includes('secureConnection'), false, version);
      for (const server of impls) {
        for (const client of impls) {
          const got = await serverSees(server, client, version);
          assert.deepEqual(got, expected, `${version}, ${server.name} server, ${client.name} client`);
        }
      }
    }
  });

  it('OCSPRequest gets the certificate and its issuer as DER (issuer null when unknown), as in node:tls', async () => {
    const answer: OCSPListener = (_c, _i, cb) => cb(null, null);
    for (const serverOptions of [{}, { ca: undefined }]) {
      const expected = await staple(nodeImpl, nodeImpl, answer, serverOptions);
      const got = await staple(ourImpl, nodeImpl, answer, serverOptions);
      assert.equal(got.requests.length, 1);
      assert.deepEqual(got.requests, expected.requests);
      assert.deepEqual(got.requests[0]?.certificate, der(rsa.cert));
    }
    const withIssuer = await staple(ourImpl, nodeImpl, answer);
    assert.deepEqual(withIssuer.requests[0]?.issuer, der(rsa.ca));
  });

  it('nothing stapled: OCSPResponse(null) for a client that asked; no listener call and no event for one that did not', async () => {
    const none: OCSPListener = (_c, _i, cb) => cb(null);
    for (const [listener, clientOptions] of [
      [none, { requestOCSP: true }],
      [null, { requestOCSP: true }],
      [none, {}],
    ] as Array<[OCSPListener | null, Record<string, unknown>]>) {
      const expected = await staple(nodeImpl, nodeImpl, listener, {}, clientOptions);
      for (const server of impls) {
        for (const client of impls) {
          const got = await staple(server, client, listener, {}, clientOptions);
          assert.deepEqual(
            got,
            expected,
            `${server.name} server, ${client.name} client, ${JSON.stringify(clientOptions)}`,
          );
        }
      }
    }
  });

  it('openssl s_client -status sees the stapled response', async () => {
    const server = tls.createServer(rsa, (s) => s.end('hi\n'));
    server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: OCSPCallback) =>
      setImmediate(() => cb(null, goodResponse)),
    );
    const port = await listen(server);
    try {
      const r = await runOpenSSLClient(port, ['-status', '-CAfile', fixturePath('ca.pem')], '', { waitFor: 'hi' });
      assert.match(r.stdout, /OCSP Response Status: successful/);
      assert.match(r.stdout, /Cert Status: good/);
      const plain = await runOpenSSLClient(port, ['-CAfile', fixturePath('ca.pem')], '', { waitFor: 'hi' });
      assert.doesNotMatch(plain.stdout, /OCSP Response Status/);
    } finally {
      await close(server);
    }
  });

  it("a revoked certificate's response reaches the client as it was made", async () => {
    // The client goes away at once: the server's end() may meet a reset socket (EPIPE).
    const server = tls.createServer(revoked, (s) => s.on('error', () => {}).end());
    server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: OCSPCallback) => cb(null, revokedResponse));
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, requestOCSP: true });
      const [response] = await waitFor<[Buffer]>(c, 'OCSPResponse');
      c.destroy();
      assert.equal(statusOf(response, 'revoked'), 'revoked');
    } finally {
      await close(server);
    }
  });

  it('our client against openssl s_server -status_file', async () => {
    const file = path.join(dir, 'server-rsa.ocsp.der');
    const server = await startOpenSSLServer([
      '-cert',
      fixturePath('server-rsa.pem'),
      '-key',
      fixturePath('server-rsa-key.pem'),
      '-status_file',
      file,
    ]);
    const events: string[] = [];
    const c = tls.connect({
      port: server.port,
      host: '127.0.0.1',
      ca: fixture('ca.pem'),
      servername: 'localhost',
      requestOCSP: true,
    });
    let response: Buffer | null | undefined;
    c.on('OCSPResponse', (r: Buffer | null) => {
      events.push('OCSPResponse');
      response = r;
    });
    await waitFor(c, 'secureConnect');
    events.push('secureConnect');
    c.destroy();
    assert.deepEqual(events, ['OCSPResponse', 'secureConnect']);
    assert.deepEqual(response, goodResponse);
  });

  describe('the callback answered wrongly', () => {
    async function serverError(listener: OCSPListener): Promise<Seen> {
      return staple(ourImpl, nodeImpl, listener);
    }

    it('callback(err) fails the socket with err (tlsClientError), as in node:tls', async () => {
      const listener: OCSPListener = (_c, _i, cb) =>
        setTimeout(() => cb(Object.assign(new Error('no responder'), { code: 'MY_OCSP' })), 20);
      const expected = await staple(nodeImpl, nodeImpl, listener);
      const got = await serverError(listener);
      assert.equal(got.serverError, 'MY_OCSP');
      assert.equal(got.clientError, expected.clientError);
      assert.deepEqual(got.events, []);
    });

    it('answering twice is ERR_MULTIPLE_CALLBACK, as in node:tls', async () => {
      const listener: OCSPListener = (_c, _i, cb) => {
        cb(null, goodResponse);
        cb(null, goodResponse);
      };
      const expected = await staple(nodeImpl, nodeImpl, listener);
      const got = await serverError(listener);
      assert.equal(expected.serverError, 'ERR_MULTIPLE_CALLBACK');
      assert.equal(got.serverError, 'ERR_MULTIPLE_CALLBACK');
    });

    it('a response that is not a buffer is ERR_INVALID_ARG_TYPE', async () => {
      const got = await serverError((_c, _i, cb) => cb(null, 'abc' as unknown as Buffer));
      assert.equal(got.serverError, 'ERR_INVALID_ARG_TYPE');
    });

    it('a listener that throws fails that socket (node:tls: an uncaught exception)', async () => {
      const got = await serverError(() => {
        throw Object.assign(new Error('boom'), { code: 'THROWN' });
      });
      assert.equal(got.serverError, 'THROWN');
    });

    it('answering after the client went away does nothing harmful; the server goes on', async () => {
      const answers: Array<() => void> = [];
      const server = tls.createServer(rsa, (s) => s.end());
      server.on('tlsClientError', () => {});
      server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: OCSPCallback) => {
        answers.push(() => cb(null, goodResponse));
      });
      const port = await listen(server);
      try {
        const gone = nodeTls.connect({
          port,
          host: '127.0.0.1',
          rejectUnauthorized: false,
          requestOCSP: true,
        } as nodeTls.ConnectionOptions);
        gone.on('error', () => {});
        while (answers.length === 0) await new Promise((r) => setTimeout(r, 5));
        gone.destroy();
        await new Promise((r) => setTimeout(r, 50));
        answers[0]?.();
        answers[0]?.();
        const next = nodeTls.connect({
          port,
          host: '127.0.0.1',
          rejectUnauthorized: false,
          requestOCSP: true,
        } as nodeTls.ConnectionOptions);
        const got = new Promise<Buffer | null>((resolve) => next.once('OCSPResponse', resolve));
        while (answers.length < 2) await new Promise((r) => setTimeout(r, 5));
        answers[1]?.();
        await waitFor(next, 'secureConnect');
        assert.deepEqual(await got, goodResponse);
        next.destroy();
      } finally {
        await close(server);
      }
    });

    it('destroying the server socket while the answer is pending', async () => {
      let answer: (() => void) | undefined;
      const server = tls.createServer(rsa, (s) => s.end());
      const errors: string[] = [];
      server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(e.code ?? e.message));
      // (The raw socket's own 'data' would not fire: the TLS socket has taken its reads, as in node:tls.)
      let raw: net.Socket | undefined;
      server.on('connection', (r: net.Socket) => (raw = r));
      server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: OCSPCallback) => {
        answer = () => cb(null, goodResponse);
        setTimeout(() => raw?.destroy(), 30);
      });
      const port = await listen(server);
      try {
        const failed = new Promise((r) => server.once('tlsClientError', r));
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          rejectUnauthorized: false,
          requestOCSP: true,
        } as nodeTls.ConnectionOptions);
        c.on('error', () => {});
        await Promise.all([failed, new Promise((r) => c.once('close', r))]);
        assert.ok(answer);
        answer();
        answer();
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(errors, ['ECONNRESET']);
      } finally {
        await close(server);
      }
    });
  });
});
