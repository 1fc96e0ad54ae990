// Certificate verification, as the user sees it: error codes, authorized and
// authorizationError, on both sides, with node:tls as the peer.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

async function withNodeServer(
  options: nodeTls.TlsOptions,
  fn: (port: number) => Promise<void>,
  onSecure: (s: nodeTls.TLSSocket) => void = (s) => s.end(),
): Promise<void> {
  const server = nodeTls.createServer(options, onSecure);
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  try {
    await fn(port);
  } finally {
    await close(server);
  }
}

async function clientError(options: tls.ConnectionOptions): Promise<NodeJS.ErrnoException> {
  const c = tls.connect(options);
  const [err] = await waitFor<[NodeJS.ErrnoException]>(c, 'error').catch((e: unknown) => [e as NodeJS.ErrnoException]);
  return err;
}

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

describe('certificate verification', () => {
  it('rejects a server signed by a CA we do not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE)', async () => {
    await withNodeServer(rsa, async (port) => {
      const err = await clientError({ port, host: 'localhost', ca: fixture('selfsigned.pem') });
      assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });
  });

  it('rejects with the default trust store (system roots) too', async () => {
    await withNodeServer(rsa, async (port) => {
      const err = await clientError({ port, host: 'localhost' });
      assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });
  });

  it('rejects a self-signed server certificate (DEPTH_ZERO_SELF_SIGNED_CERT)', async () => {
    await withNodeServer({ key: fixture('selfsigned-key.pem'), cert: fixture('selfsigned.pem') }, async (port) => {
      const err = await clientError({ port, host: 'localhost', ca: fixture('ca.pem') });
      assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    });
  });

  it('accepts a self-signed certificate that is itself trusted', async () => {
    await withNodeServer({ key: fixture('selfsigned-key.pem'), cert: fixture('selfsigned.pem') }, async (port) => {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('selfsigned.pem') });
      await waitFor(c, 'secureConnect');
      assert.equal(c.authorized, true);
      c.destroy();
    });
  });

  it('rejects an expired certificate (CERT_HAS_EXPIRED)', async () => {
    await withNodeServer({ key: fixture('expired-key.pem'), cert: fixture('expired.pem') }, async (port) => {
      const err = await clientError({ port, host: 'localhost', ca: fixture('ca.pem') });
      assert.equal(err.code, 'CERT_HAS_EXPIRED');
    });
  });

  it('rejects a host name the certificate does not cover (ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
    await withNodeServer(rsa, async (port) => {
      const err = await clientError({ port, host: '127.0.0.1', servername: 'wrong.example', ca: fixture('ca.pem') });
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.equal((err as unknown as { host: string }).host, 'wrong.example');
    });
  });

  it('checks the IP address when connecting by IP without servername', async () => {
    await withNodeServer(rsa, async (port) => {
      const c = tls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      assert.equal(c.authorized, true);
      c.destroy();
    });
  });

  it('calls a custom checkServerIdentity with the detailed certificate', async () => {
    await withNodeServer(rsa, async (port) => {
      let seenHost = '';
      let seenCN: unknown;
      const c = tls.connect({
        port,
        host: 'localhost',
        ca: fixture('ca.pem'),
        checkServerIdentity: (host, cert) => {
          seenHost = host;
          seenCN = cert.subject.CN;
          return Object.assign(new Error('nope'), { code: 'MY_CHECK' });
        },
      });
      const [err] = await waitFor<[NodeJS.ErrnoException]>(c, 'error');
      assert.equal(err.code, 'MY_CHECK');
      assert.equal(seenHost, 'localhost');
      assert.equal(seenCN, 'localhost');
    });
  });

  it('tls.checkServerIdentity is settable, and connect() uses what it holds then (as node:tls)', async () => {
    await withNodeServer(rsa, async (port) => {
      // Module objects themselves (an import namespace is a copy): connect() reads them.
      const ourModule = require('../lib/index') as { checkServerIdentity: unknown };
      const original = ourModule.checkServerIdentity;
      const nodeTlsModule = require('node:tls') as { checkServerIdentity: unknown };
      const nodeOriginal = nodeTlsModule.checkServerIdentity;
      const seen: string[] = [];
      const replacement = (who: string) => (host: string, cert: { subject: Record<string, unknown> }) => {
        seen.push(`${who}:${host}:${String(cert.subject.CN)}`);
        return Object.assign(new Error('replaced'), { code: 'REPLACED_CHECK' });
      };
      try {
        ourModule.checkServerIdentity = replacement('ours');
        nodeTlsModule.checkServerIdentity = replacement('node');
        const ours = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
        const theirs = nodeTls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
        const [[a], [b]] = await Promise.all([
          waitFor<[NodeJS.ErrnoException]>(ours, 'error'),
          waitFor<[NodeJS.ErrnoException]>(theirs, 'error'),
        ]);
        assert.equal(a.code, 'REPLACED_CHECK');
        assert.equal(b.code, 'REPLACED_CHECK');
        assert.deepEqual(seen.sort(), ['node:localhost:localhost', 'ours:localhost:localhost']);
      } finally {
        ourModule.checkServerIdentity = original;
        nodeTlsModule.checkServerIdentity = nodeOriginal;
      }
      // Back to the original: the same connection is accepted.
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      assert.equal(c.authorized, true);
      c.destroy();
    });
  });

  it('a server the client rejects never gets its Finished: the server sees the handshake fail, as with a node:tls client', async () => {
    const outcome = async (lib: typeof nodeTls): Promise<string[]> => {
      const events: string[] = [];
      const server = nodeTls.createServer(rsa, (s) => {
        events.push('secureConnection');
        s.on('error', () => {});
        s.end('x');
      });
      server.on('tlsClientError', (e: NodeJS.ErrnoException) => events.push(`tlsClientError ${String(e.code)}`));
      const port = await listen(server);
      try {
        // No ca: the server's certificate is not trusted, the client rejects it.
        const c = lib.connect({ port, host: 'localhost' });
        const [err] = await waitFor<[NodeJS.ErrnoException]>(c, 'error');
        events.push(`client ${String(err.code)}`);
        for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      } finally {
        await close(server);
      }
      return events.sort();
    };
    const theirs = await outcome(nodeTls);
    const ours = await outcome(tls as unknown as typeof nodeTls);
    assert.deepEqual(theirs, ['client UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tlsClientError ECONNRESET']);
    assert.deepEqual(ours, theirs);
  });

  it('an empty servername checks the host name instead (as node:tls)', async () => {
    await withNodeServer(rsa, async (port) => {
      const outcome = (lib: typeof nodeTls) =>
        new Promise<string>((resolve) => {
          const c = lib.connect({ port, host: 'localhost', servername: '', ca: fixture('ca.pem') });
          c.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${String(err.code)}`));
          c.on('secureConnect', () => {
            resolve(`secure ${String(c.authorized)}`);
            c.destroy();
          });
        });
      const [ours, theirs] = await Promise.all([outcome(tls as unknown as typeof nodeTls), outcome(nodeTls)]);
      assert.equal(theirs, 'secure true');
      assert.equal(ours, theirs);
    });
  });

  it('with rejectUnauthorized: false connects and reports why it is not authorized', async () => {
    await withNodeServer({ key: fixture('selfsigned-key.pem'), cert: fixture('selfsigned.pem') }, async (port) => {
      const c = tls.connect({ port, host: 'localhost', rejectUnauthorized: false });
      await waitFor(c, 'secureConnect');
      assert.equal(c.authorized, false);
      assert.equal(c.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      c.destroy();
    });
  });

  it('rejects a revoked certificate when the CRL is given', async () => {
    await withNodeServer({ key: fixture('revoked-key.pem'), cert: fixture('revoked.pem') }, async (port) => {
      const err = await clientError({ port, host: 'localhost', ca: fixture('ca.pem'), crl: fixture('crl.pem') });
      assert.equal(err.code, 'CERT_REVOKED');
    });
  });

  it('verifies a chain sent by the server (leaf + intermediate)', async () => {
    await withNodeServer(
      { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') },
      async (port) => {
        const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
        await waitFor(c, 'secureConnect');
        assert.equal(c.authorized, true);
        const cert = c.getPeerCertificate(true);
        assert.ok('issuerCertificate' in cert && cert.issuerCertificate);
        assert.equal(cert.issuerCertificate.subject.CN, 'openssl-tls Test Intermediate CA');
        c.destroy();
      },
    );
  });
});

describe('client certificates', () => {
  const serverOptions = { ...rsa, ca: fixture('ca.pem'), requestCert: true, rejectUnauthorized: true };

  it('our server authorizes a node client presenting a good certificate', async () => {
    const server = tls.createServer(serverOptions, (s) => {
      s.end(`${s.authorized} ${String(s.getPeerCertificate().subject?.CN)}`);
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({
        port,
        host: '127.0.0.1',
        ca: fixture('ca.pem'),
        key: fixture('client-key.pem'),
        cert: fixture('client.pem'),
        servername: 'localhost',
      });
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      await waitFor(c, 'end');
      assert.equal(Buffer.concat(chunks).toString(), 'true test client');
    } finally {
      await close(server);
    }
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`our server fails a node client that sends no certificate (${version})`, async () => {
      const server = tls.createServer(serverOptions, () => assert.fail('must not connect'));
      const errors: NodeJS.ErrnoException[] = [];
      server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(e));
      const port = await listen(server);
      try {
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          ca: fixture('ca.pem'),
          servername: 'localhost',
          maxVersion: version,
        });
        c.on('data', () => {});
        const [clientErr] = await waitFor<[NodeJS.ErrnoException]>(c, 'error');
        assert.ok(clientErr.code);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(errors.length, 1);
        assert.equal(errors[0]?.code, 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
      } finally {
        await close(server);
      }
    });
  }

  it('without rejectUnauthorized our server accepts and reports the missing certificate', async () => {
    const server = tls.createServer({ ...serverOptions, rejectUnauthorized: false }, (s) => {
      s.end(`${s.authorized} ${String(s.authorizationError)}`);
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      await waitFor(c, 'end');
      assert.equal(Buffer.concat(chunks).toString(), 'false UNABLE_TO_GET_ISSUER_CERT');
    } finally {
      await close(server);
    }
  });

  it('our client presents its certificate to a node server that requires one', async () => {
    const server = nodeTls.createServer({ ...serverOptions }, (s) => s.end(String(s.authorized)));
    const port = await listen(server);
    try {
      const c = tls.connect({
        port,
        host: 'localhost',
        ca: fixture('ca.pem'),
        key: fixture('client-ec-key.pem'),
        cert: fixture('client-ec.pem'),
      });
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      await waitFor(c, 'end');
      assert.equal(Buffer.concat(chunks).toString(), 'true');
    } finally {
      await close(server);
    }
  });
});
