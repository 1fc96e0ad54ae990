// offloadHandshake: a server's handshake steps on the libuv thread pool. Handshakes
// with node:tls and openssl s_client, many at once, destroy() while a step is in
// flight, pauses (an SNICallback answering late), failures reported as without offload.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { binding } from '../lib/internal/binding';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';
import type { CycleResult } from '../typings/native';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');

/** A node:tls client that sends `msg` and resolves with the echo. */
async function echoOnce(port: number, msg: string, options: nodeTls.ConnectionOptions = {}): Promise<string> {
  const c = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', ...options });
  await waitFor(c, 'secureConnect');
  c.write(msg);
  const [data] = (await waitFor(c, 'data')) as [Buffer];
  c.end();
  // The server ends too: wait for it, so closing the server later resets nothing.
  await new Promise((resolve) => c.once('close', resolve));
  return data.toString();
}

function echoServer(options: tls.TlsServerOptions = {}): tls.Server {
  return tls.createServer({ ...ec, offloadHandshake: true, ...options }, (s) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
  });
}

describe('offloadHandshake', () => {
  usePeerCleanup();

  it('handshakes with node:tls over TLS 1.3 and 1.2, RSA and ECDSA', async () => {
    for (const identity of [rsa, ec]) {
      for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
        const server = echoServer({ ...identity, minVersion: version, maxVersion: version });
        const port = await listen(server);
        try {
          assert.equal(await echoOnce(port, `hello ${version}`), `hello ${version}`);
        } finally {
          await close(server);
        }
      }
    }
  });

  it('runs the handshake steps on the thread pool, on the native transport too', async () => {
    const counts: number[] = [];
    for (const offloadHandshake of [false, true]) {
      const server = echoServer({ offloadHandshake, minVersion: 'TLSv1.3' });
      const port = await listen(server);
      try {
        // offloadHandshake no longer moves a server to the JS transport.
        assert.equal(server.nativeTransport, process.env.OPENSSL_TLS_TRANSPORT !== 'js');
        const before = binding.poolHandshakeSteps();
        for (let i = 0; i < 3; i++) assert.equal(await echoOnce(port, `n${i}`), `n${i}`);
        counts.push(binding.poolHandshakeSteps() - before);
      } finally {
        await close(server);
      }
    }
    assert.equal(counts[0], 0, 'steps ran on the pool without offloadHandshake');
    // TLS 1.3, full handshake: the ClientHello step and the client's Finished step.
    assert.ok(counts[1] >= 6, `only ${counts[1]} steps on the pool for 3 handshakes`);
  });

  it('handshakes with openssl s_client', async () => {
    const server = echoServer();
    const port = await listen(server);
    try {
      const r = await runOpenSSLClient(port, ['-quiet', '-no_ign_eof', '-servername', 'localhost'], 'ping', {
        waitFor: 'ping',
      });
      assert.match(r.stdout, /ping/);
    } finally {
      await close(server);
    }
  });

  it('serves many concurrent handshakes', async () => {
    const server = echoServer();
    let secure = 0;
    server.on('secureConnection', () => secure++);
    const port = await listen(server);
    try {
      const n = 64;
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => echoOnce(port, `m${i}`)));
      assert.deepEqual(
        answers,
        Array.from({ length: n }, (_, i) => `m${i}`),
      );
      assert.equal(secure, n);
    } finally {
      await close(server);
    }
  });

  it('resumes a TLS 1.3 session with a ticket', async () => {
    const server = echoServer();
    const port = await listen(server);
    try {
      let session: Buffer | undefined;
      const c1 = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      c1.on('session', (s: Buffer) => (session = s));
      await waitFor(c1, 'secureConnect');
      c1.write('x');
      await waitFor(c1, 'data');
      c1.end();
      await new Promise((r) => c1.once('close', r));
      assert.ok(session);
      const c2 = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', session });
      await waitFor(c2, 'secureConnect');
      assert.equal(c2.isSessionReused(), true);
      c2.destroy();
    } finally {
      await close(server);
    }
  });

  it('pauses: an SNICallback answering late picks the context', async () => {
    const server = echoServer({
      ...rsa,
      SNICallback: (name, cb) => {
        setTimeout(() => cb(null, name === 'ec.local' ? tls.createSecureContext(ec) : undefined), 20);
      },
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'ec.local', rejectUnauthorized: false });
      await waitFor(c, 'secureConnect');
      assert.equal(c.getPeerX509Certificate()?.publicKey.asymmetricKeyType, 'ec');
      c.write('late');
      const [data] = (await waitFor(c, 'data')) as [Buffer];
      assert.equal(data.toString(), 'late');
      c.end();
      await new Promise((resolve) => c.once('close', resolve));
    } finally {
      await close(server);
    }
  });

  it("a 'keylog' listener added while a step is on the pool switches the report on once it is back", async () => {
    // The JS transport runs its steps through the Connection (the native one before JS adopts it).
    let lines = 0;
    const errors: unknown[] = [];
    const server = echoServer({
      ...rsa,
      nativeTransport: false,
      SNICallback(this: tls.TLSSocket, _name, cb) {
        cb(null);
        // The answer started the next step on the pool: the Connection has no engine now.
        try {
          this.on('keylog', () => lines++);
        } catch (err) {
          errors.push(err);
        }
      },
    });
    const port = await listen(server);
    try {
      assert.equal(await echoOnce(port, 'keylog', { minVersion: 'TLSv1.3' }), 'keylog');
      assert.deepEqual(errors, []);
      assert.ok(lines > 0, 'the lines that came after the step are reported');
    } finally {
      await close(server);
    }
  });

  it('reports a failed handshake as tlsClientError with the same code as without offload', async () => {
    const codes: string[] = [];
    for (const offloadHandshake of [false, true]) {
      const server = echoServer({ offloadHandshake, minVersion: 'TLSv1.3' });
      const port = await listen(server);
      const clientError = new Promise<Error>((resolve) => server.once('tlsClientError', resolve));
      const c = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', maxVersion: 'TLSv1.2' });
      c.on('error', () => {});
      const err = (await clientError) as Error & { code?: string };
      codes.push(String(err.code));
      c.destroy();
      await close(server);
    }
    assert.equal(codes[1], codes[0]);
    assert.match(codes[1], /^ERR_SSL_/);
  });

  it('native: destroy() while a step is in flight frees the SSL once the step is back', async () => {
    const ctx = tls.createSecureContext(ec);
    const server = new binding.Connection(ctx.context, { isServer: true });
    const client = new binding.Connection(tls.createSecureContext({}).context, {
      isServer: false,
      servername: 'localhost',
    });
    const hello = client.start().encrypted;
    assert.ok(hello);
    let called = false;
    const r = server.receiveAsync(hello, () => {
      called = true;
    });
    assert.equal(r, undefined);
    // Nothing else may touch the SSL meanwhile.
    assert.throws(() => server.receive(Buffer.alloc(0)), { code: 'ERR_INVALID_STATE' });
    assert.throws(() => server.getProtocol(), { code: 'ERR_INVALID_STATE' });
    server.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(called, false);
    assert.throws(() => server.receive(Buffer.alloc(0)), { code: 'ERR_SOCKET_CLOSED' });
    client.destroy();
  });

  it('native: a step result comes back on the main thread with the server flight', async () => {
    const ctx = tls.createSecureContext(ec);
    const server = new binding.Connection(ctx.context, { isServer: true });
    const client = new binding.Connection(tls.createSecureContext({ ca }).context, {
      isServer: false,
      servername: 'localhost',
    });
    const hello = client.start().encrypted;
    assert.ok(hello);
    const result = await new Promise<CycleResult>((resolve) => {
      assert.equal(server.receiveAsync(hello, resolve), undefined);
    });
    assert.equal(result.status & binding.status.ERROR, 0);
    assert.ok(result.encrypted && result.encrypted.length > 0);
    const fin = client.receive(result.encrypted);
    assert.notEqual(fin.status & binding.status.HANDSHAKE_DONE, 0);
    assert.ok(fin.encrypted);
    const done = await new Promise<CycleResult>((resolve) => {
      const r = server.receiveAsync(fin.encrypted as Buffer, resolve);
      if (r !== undefined) resolve(r);
    });
    assert.notEqual(done.status & binding.status.HANDSHAKE_DONE, 0);
    // Handshake done: receiveAsync answers at once from now on.
    const later = server.receiveAsync(Buffer.alloc(0), () => assert.fail('no step is due'));
    assert.ok(later !== undefined);
    server.destroy();
    client.destroy();
  });

  it('a socket destroyed while its step is in flight closes cleanly (handshakeTimeout)', async () => {
    const server = echoServer({ handshakeTimeout: 1 });
    // The native transport sweeps for late handshakes every 10 ms at least: one may
    // finish first. Either way the client must see its connection close.
    server.on('secureConnection', (s: tls.TLSSocket) => s.end());
    const errors: string[] = [];
    server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(String(e.code)));
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      c.on('error', () => {});
      await new Promise((r) => c.once('close', r));
      assert.ok(errors.length <= 1);
      // The server still works.
      const ok = echoServer();
      const port2 = await listen(ok);
      assert.equal(await echoOnce(port2, 'still'), 'still');
      await close(ok);
    } finally {
      await close(server);
    }
  });

  it('rejects a non-boolean offloadHandshake', () => {
    const saved = process.env.OPENSSL_TLS_OFFLOAD;
    delete process.env.OPENSSL_TLS_OFFLOAD;
    try {
      assert.throws(() => tls.createServer({ ...ec, offloadHandshake: 'yes' as unknown as boolean }), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    } finally {
      if (saved !== undefined) process.env.OPENSSL_TLS_OFFLOAD = saved;
    }
  });
});
