// Server behaviour: bad clients fail alone, timeouts, contexts, connection limits,
// and the call forms of connect().
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

async function goodClient(port: number): Promise<string> {
  const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
  const parts: Buffer[] = [];
  c.on('data', (d: Buffer) => parts.push(d));
  await waitFor(c, 'end');
  return Buffer.concat(parts).toString();
}

describe('Server', () => {
  it('a plain-TCP client sending garbage gets tlsClientError and clientError with an ERR_SSL_ code; the server stays up', async () => {
    const server = tls.createServer(rsa, (s) => s.end('served'));
    const tlsErrors: Array<[NodeJS.ErrnoException, unknown]> = [];
    const clientErrors: NodeJS.ErrnoException[] = [];
    server.on('tlsClientError', (e: NodeJS.ErrnoException, s: unknown) => tlsErrors.push([e, s]));
    server.on('clientError', (e: NodeJS.ErrnoException) => clientErrors.push(e));
    const port = await listen(server);
    try {
      const raw = net.connect(port, '127.0.0.1', () => raw.write(Buffer.from('\x00\x01garbage garbage garbage\r\n')));
      raw.on('data', () => {});
      raw.on('error', () => {});
      await waitFor(raw, 'close');
      const http = net.connect(port, '127.0.0.1', () => http.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      http.on('data', () => {});
      http.on('error', () => {});
      await waitFor(http, 'close');
      assert.equal(tlsErrors.length, 2);
      assert.match(String(tlsErrors[0]?.[0].code), /^ERR_SSL_/);
      assert.equal(tlsErrors[1]?.[0].code, 'ERR_SSL_HTTP_REQUEST');
      assert.ok(tlsErrors[0]?.[1] instanceof tls.TLSSocket);
      assert.equal(typeof (tlsErrors[1]?.[0] as unknown as { library: string }).library, 'string');
      assert.equal((tlsErrors[1]?.[0] as unknown as { reason: string }).reason, 'http request');
      assert.deepEqual(
        clientErrors.map((e) => e.code),
        tlsErrors.map(([e]) => e.code),
      );
      assert.equal(await goodClient(port), 'served');
    } finally {
      await close(server);
    }
  });

  it('a client that never finishes the handshake gets ERR_TLS_HANDSHAKE_TIMEOUT', async () => {
    const server = tls.createServer({ ...rsa, handshakeTimeout: 300 }, (s) => s.end('served'));
    const errors: NodeJS.ErrnoException[] = [];
    server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(e));
    const port = await listen(server);
    try {
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => {});
      const started = Date.now();
      await waitFor(raw, 'close', 5000);
      assert.ok(Date.now() - started >= 250);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
      assert.equal(await goodClient(port), 'served');
    } finally {
      await close(server);
    }
  });

  it('setSecureContext() changes the certificate for new connections', async () => {
    const server = tls.createServer(rsa, (s) => s.end('x'));
    const port = await listen(server);
    try {
      const a = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(a, 'secureConnect');
      assert.equal(a.getPeerCertificate().subject?.CN, 'localhost');
      assert.equal(a.getPeerX509Certificate()?.publicKey.asymmetricKeyType, 'rsa');
      a.resume();
      await waitFor(a, 'end');
      server.setSecureContext({ key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') });
      const b = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(b, 'secureConnect');
      assert.equal(b.getPeerX509Certificate()?.publicKey.asymmetricKeyType, 'ec');
      b.resume();
      await waitFor(b, 'end');
    } finally {
      await close(server);
    }
  });

  it('maxConnections refuses connections past the limit', async () => {
    const held: tls.TLSSocket[] = [];
    const server = tls.createServer(rsa, (s) => held.push(s));
    server.maxConnections = 1;
    const port = await listen(server);
    try {
      const a = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(a, 'secureConnect');
      const b = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      const [err] = await waitFor<[NodeJS.ErrnoException]>(b, 'error');
      assert.equal(err.code, 'ECONNRESET');
      const count = await new Promise<number>((resolve, reject) =>
        server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
      );
      assert.equal(count, 1);
      a.destroy();
    } finally {
      for (const s of held) s.destroy();
      await close(server);
    }
  });

  it('exposes the secure socket API on the server side', async () => {
    const server = tls.createServer(rsa, (s) => {
      const info = {
        encrypted: s.encrypted,
        protocol: s.getProtocol(),
        local: s.localPort === (server.address() as net.AddressInfo).port,
        remote: s.remoteAddress,
        family: s.remoteFamily,
        cert: (s.getCertificate() as { subject?: { CN?: string } } | null)?.subject?.CN,
        x509: s.getX509Certificate()?.subject.includes('CN=localhost'),
        eph: JSON.stringify(s.getEphemeralKeyInfo()),
        servername: s.servername,
      };
      s.end(JSON.stringify(info));
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      const parts: Buffer[] = [];
      c.on('data', (d: Buffer) => parts.push(d));
      await waitFor(c, 'end');
      assert.deepEqual(JSON.parse(Buffer.concat(parts).toString()), {
        encrypted: true,
        protocol: 'TLSv1.3',
        local: true,
        remote: '127.0.0.1',
        family: 'IPv4',
        cert: 'localhost',
        x509: true,
        eph: '{}',
        servername: 'localhost',
      });
    } finally {
      await close(server);
    }
  });
});

describe('connect() call forms and options', () => {
  let server: nodeTls.Server;
  let port: number;
  before(async () => {
    server = nodeTls.createServer(rsa, (s) => s.end('hi'));
    port = await listen(server);
  });
  after(() => close(server));

  async function read(c: tls.TLSSocket): Promise<string> {
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    await waitFor(c, 'end');
    return Buffer.concat(parts).toString();
  }

  it('connect(port, host, options, cb)', async () => {
    let called = false;
    const c = tls.connect(port, 'localhost', { ca: fixture('ca.pem') }, () => (called = true));
    assert.equal(await read(c), 'hi');
    assert.equal(called, true);
  });

  it('connect(port, options) defaults host to localhost', async () => {
    const c = tls.connect(port, { ca: fixture('ca.pem') });
    assert.equal(await read(c), 'hi');
    assert.equal(c.authorized, true);
  });

  it('connect(options, cb)', async () => {
    let called = false;
    const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') }, () => (called = true));
    assert.equal(await read(c), 'hi');
    assert.equal(called, true);
  });

  it('connect(path, options) over a unix socket', async () => {
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otls-')), 's.sock');
    const unixServer = nodeTls.createServer(rsa, (s) => s.end('unix'));
    unixServer.listen(sock);
    await waitFor(unixServer, 'listening');
    try {
      const c = tls.connect(sock, { servername: 'localhost', ca: fixture('ca.pem') });
      assert.equal(await read(c), 'unix');
    } finally {
      await close(unixServer);
    }
  });

  it('the timeout option emits timeout on an idle socket', async () => {
    const idle = nodeTls.createServer(rsa, () => {});
    const idlePort = await listen(idle);
    try {
      const c = tls.connect({ port: idlePort, host: 'localhost', ca: fixture('ca.pem'), timeout: 200 });
      await waitFor(c, 'secureConnect');
      const started = Date.now();
      await waitFor(c, 'timeout', 3000);
      assert.ok(Date.now() - started >= 150);
      c.destroy();
    } finally {
      await close(idle);
    }
  });

  it('minDHSize rejects a server whose DH key is too small', async () => {
    const dh = nodeTls.createServer(
      { ...rsa, dhparam: fixture('dh2048.pem'), ciphers: 'DHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' },
      (s) => s.end(),
    );
    const dhPort = await listen(dh);
    try {
      const c = tls.connect({
        port: dhPort,
        host: 'localhost',
        ca: fixture('ca.pem'),
        ciphers: 'DHE-RSA-AES128-GCM-SHA256',
        maxVersion: 'TLSv1.2',
        minDHSize: 4096,
      });
      const [err] = await waitFor<[NodeJS.ErrnoException]>(c, 'error');
      assert.equal(err.code, 'ERR_TLS_DH_PARAM_SIZE');
      const ok = tls.connect({
        port: dhPort,
        host: 'localhost',
        ca: fixture('ca.pem'),
        ciphers: 'DHE-RSA-AES128-GCM-SHA256',
        maxVersion: 'TLSv1.2',
      });
      await waitFor(ok, 'secureConnect');
      assert.deepEqual(ok.getEphemeralKeyInfo(), { type: 'DH', size: 2048 });
      ok.destroy();
    } finally {
      await close(dh);
    }
  });

  it('validates its options like node:tls', () => {
    assert.throws(() => tls.connect({ port, minDHSize: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => tls.connect({ port, minDHSize: 'x' as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
