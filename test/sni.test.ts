// Server name indication: addContext (wildcards, later additions win), an
// SNICallback that answers late, wrongly, twice, or after the client left.
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const wrong = { key: fixture('wronghost-key.pem'), cert: fixture('wronghost.pem') };

/** The key type and subject CN the server presented for `servername`. */
async function presented(port: number, servername: string): Promise<{ type: string | undefined; cn: unknown }> {
  const c = nodeTls.connect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false });
  await waitFor(c, 'secureConnect');
  // node:tls (20) returns {} from getPeerCertificate() once getPeerX509Certificate() was called: ask in this order.
  const cert = c.getPeerCertificate();
  const x = c.getPeerX509Certificate();
  // Read to the server's end so it finished its side before we go.
  c.resume();
  await new Promise((resolve) => c.once('close', resolve));
  return { type: x?.publicKey.asymmetricKeyType, cn: cert.subject.CN };
}

describe('SNI', () => {
  usePeerCleanup();

  it('addContext picks the context by name, wildcards match one label, later additions win', async () => {
    const server = tls.createServer(rsa, (s) => s.end());
    server.addContext('*.test.local', ec);
    server.addContext('other.example', tls.createSecureContext(wrong));
    const port = await listen(server);
    try {
      assert.deepEqual(await presented(port, 'a.test.local'), { type: 'ec', cn: 'localhost' });
      assert.deepEqual(await presented(port, 'A.TEST.LOCAL'), { type: 'ec', cn: 'localhost' });
      assert.deepEqual(await presented(port, 'b.a.test.local'), { type: 'rsa', cn: 'localhost' });
      assert.deepEqual(await presented(port, 'other.example'), { type: 'rsa', cn: 'other.example' });
      assert.deepEqual(await presented(port, 'nothing.here'), { type: 'rsa', cn: 'localhost' });
      server.addContext('a.test.local', wrong);
      assert.deepEqual(await presented(port, 'a.test.local'), { type: 'rsa', cn: 'other.example' });
      server.addContext('*.test.local', ec);
      assert.deepEqual(await presented(port, 'a.test.local'), { type: 'ec', cn: 'localhost' });
    } finally {
      await close(server);
    }
  });

  it('socket.servername on the server is the name the client sent (false when none)', async () => {
    const names: Array<string | false | null> = [];
    const server = tls.createServer(rsa, (s) => {
      names.push(s.servername);
      s.end();
    });
    const port = await listen(server);
    try {
      await presented(port, 'x.test.local');
      const c = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      c.resume();
      await new Promise((resolve) => c.once('close', resolve));
      assert.deepEqual(names, ['x.test.local', false]);
    } finally {
      await close(server);
    }
  });

  it('SNICallback may answer later; openssl s_client -servername sees the chosen certificate', async () => {
    const seen: string[] = [];
    const ecCtx = tls.createSecureContext(ec);
    const server = tls.createServer(
      {
        ...rsa,
        SNICallback: (name, cb) => {
          seen.push(name);
          setTimeout(() => cb(null, name === 'ec.test' ? ecCtx : null), 50);
        },
      },
      (s) => s.end('hi\n'),
    );
    const port = await listen(server);
    try {
      const r = await runOpenSSLClient(port, ['-servername', 'ec.test', '-CAfile', fixturePath('ca.pem')], '', {
        waitFor: 'hi',
      });
      assert.match(r.stdout, /Server public key is 256 bit/);
      assert.deepEqual(await presented(port, 'rsa.test'), { type: 'rsa', cn: 'localhost' });
      assert.deepEqual(seen, ['ec.test', 'rsa.test']);
    } finally {
      await close(server);
    }
  });

  it('SNICallback is not called when the client sends no name', async () => {
    let called = false;
    const server = tls.createServer(
      {
        ...rsa,
        SNICallback: (_n, cb) => {
          called = true;
          cb(null);
        },
      },
      (s) => s.end(),
    );
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      await waitFor(c, 'secureConnect');
      c.destroy();
      assert.equal(called, false);
    } finally {
      await close(server);
    }
  });

  async function clientErrorFor(
    SNICallback: tls.TlsServerOptions['SNICallback'],
    impl: typeof tls | typeof nodeTls = tls,
  ): Promise<NodeJS.ErrnoException> {
    const make = impl.createServer as (o: object, l: (s: nodeTls.TLSSocket) => void) => nodeTls.Server;
    const server = make({ ...rsa, SNICallback }, (s) => s.end('ok'));
    const errors: NodeJS.ErrnoException[] = [];
    server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(e));
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'x.test', rejectUnauthorized: false });
      c.on('error', () => {});
      await new Promise((resolve) => c.once('close', resolve));
      // The server is still up for the next client.
      const ok = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      await waitFor(ok, 'secureConnect');
      ok.destroy();
      assert.equal(errors.length, 1);
      return errors[0] as NodeJS.ErrnoException;
    } finally {
      await close(server);
    }
  }

  it('an SNICallback error fails that socket with the error', async () => {
    const err = await clientErrorFor((_n, cb) =>
      setTimeout(() => cb(Object.assign(new Error('no such host'), { code: 'MY_SNI' })), 10),
    );
    assert.equal(err.code, 'MY_SNI');
  });

  it("an answer that is not a SecureContext is node:tls's TypeError on that socket", async () => {
    for (const answer of [{ not: 'a context' }, {}, { context: {} }]) {
      const bad = (_n: string, cb: (e: Error | null, c?: tls.SecureContext) => void) =>
        cb(null, answer as unknown as tls.SecureContext);
      const theirs = await clientErrorFor(bad, nodeTls);
      const ours = await clientErrorFor(bad);
      assert.ok(ours instanceof TypeError, String(ours));
      assert.deepEqual([ours.message, ours.code], [theirs.message, theirs.code]);
      assert.equal(ours.message, 'Invalid SNI context');
    }
  });

  /** The certificate a client sees from `impl`'s server whose SNICallback answers `answer()`. */
  async function servedFingerprint(impl: typeof nodeTls, answer: () => unknown): Promise<string> {
    const server = impl.createServer({ ...rsa, SNICallback: (_n, cb) => cb(null, answer() as never) });
    server.on('secureConnection', (s) => s.end('ok'));
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'x.test', rejectUnauthorized: false });
      await waitFor(c, 'secureConnect');
      const { fingerprint256 } = c.getPeerCertificate();
      c.destroy();
      return fingerprint256;
    } finally {
      await close(server);
    }
  }

  it('an answer that is not an object keeps the server context, as in node:tls', async () => {
    for (const answer of [42, 'a string', true]) {
      for (const impl of [nodeTls, tls as unknown as typeof nodeTls]) {
        assert.equal(await servedFingerprint(impl, () => answer), new X509Certificate(rsa.cert).fingerprint256);
      }
    }
  });

  it('an answer of the native context itself (`ctx.context`) is taken, as node:tls takes it', async () => {
    for (const impl of [nodeTls, tls as unknown as typeof nodeTls]) {
      const other = impl.createSecureContext(ec);
      assert.equal(await servedFingerprint(impl, () => other.context), new X509Certificate(ec.cert).fingerprint256);
    }
  });

  it('answering twice is ERR_MULTIPLE_CALLBACK', async () => {
    const err = await clientErrorFor((_n, cb) => {
      cb(null);
      cb(null);
    });
    assert.equal(err.code, 'ERR_MULTIPLE_CALLBACK');
  });

  it('a callback that throws fails that socket', async () => {
    const err = await clientErrorFor(() => {
      throw Object.assign(new Error('boom'), { code: 'THROWN' });
    });
    assert.equal(err.code, 'THROWN');
  });

  it('answering after the client went away does nothing harmful', async () => {
    let answer: (() => void) | undefined;
    const ecCtx = tls.createSecureContext(ec);
    const server = tls.createServer(
      {
        ...rsa,
        SNICallback: (name, cb) => {
          if (name === 'gone.test') answer = () => cb(null, ecCtx);
          else cb(null, ecCtx);
        },
      },
      (s) => s.end(),
    );
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'gone.test', rejectUnauthorized: false });
      c.on('error', () => {});
      while (answer === undefined) await new Promise((r) => setTimeout(r, 10));
      c.destroy();
      await new Promise((r) => setTimeout(r, 100));
      answer();
      answer();
      assert.deepEqual(await presented(port, 'next.test'), { type: 'ec', cn: 'localhost' });
    } finally {
      await close(server);
    }
  });
});
