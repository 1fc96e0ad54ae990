// SecureContext options seen from the other end of a real connection: what a
// node:tls peer negotiates with an openssl-tls server configured each way.
import { strict as assert } from 'node:assert';
import { constants } from 'node:crypto';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };

interface Seen {
  protocol: string | null;
  cipher: string;
  key: nodeTls.EphemeralKeyInfo | object | null;
  keyType: string | undefined;
}

/** Connects a node:tls client to an openssl-tls server made with `serverOptions`. */
async function negotiate(
  serverOptions: tls.TlsServerOptions,
  clientOptions: nodeTls.ConnectionOptions = {},
): Promise<Seen> {
  const server = tls.createServer(serverOptions, (s) => s.end());
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  try {
    const c = nodeTls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: fixture('ca.pem'),
      ...clientOptions,
    });
    await waitFor(c, 'secureConnect');
    const seen = {
      protocol: c.getProtocol(),
      cipher: c.getCipher().name,
      key: c.getEphemeralKeyInfo(),
      keyType: c.getPeerX509Certificate()?.publicKey.asymmetricKeyType,
    };
    c.resume();
    await new Promise((r) => c.once('close', r));
    return seen;
  } finally {
    await close(server);
  }
}

async function refused(
  serverOptions: tls.TlsServerOptions,
  clientOptions: nodeTls.ConnectionOptions = {},
): Promise<string> {
  const server = tls.createServer(serverOptions, (s) => s.end());
  const serverErrors: string[] = [];
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => serverErrors.push(String(e.code)));
  const port = await listen(server);
  try {
    const c = nodeTls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: fixture('ca.pem'),
      ...clientOptions,
    });
    const [err] = await new Promise<[NodeJS.ErrnoException]>((resolve) => c.once('error', (e) => resolve([e])));
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(err.code);
    return serverErrors[0] ?? '';
  } finally {
    await close(server);
  }
}

describe('SecureContext options against a node:tls client', () => {
  it('minVersion/maxVersion bound the protocol', async () => {
    assert.equal((await negotiate(rsa)).protocol, 'TLSv1.3');
    assert.equal((await negotiate({ ...rsa, maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
    assert.equal(
      await refused({ ...rsa, minVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' }),
      'ERR_SSL_UNSUPPORTED_PROTOCOL',
    );
  });

  it('secureProtocol and secureOptions restrict versions as in node', async () => {
    assert.equal((await negotiate({ ...rsa, secureProtocol: 'TLSv1_2_method' })).protocol, 'TLSv1.2');
    assert.equal((await negotiate({ ...rsa, secureOptions: constants.SSL_OP_NO_TLSv1_3 })).protocol, 'TLSv1.2');
    assert.throws(() => tls.createServer({ ...rsa, secureProtocol: 'SSLv3_method' }), {
      code: 'ERR_TLS_INVALID_PROTOCOL_METHOD',
    });
  });

  it('ciphers picks the TLS 1.2 suite and ciphersuites the TLS 1.3 suite', async () => {
    assert.equal(
      (await negotiate({ ...rsa, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', maxVersion: 'TLSv1.2' })).cipher,
      'ECDHE-RSA-AES256-GCM-SHA384',
    );
    assert.equal(
      (await negotiate({ ...rsa, ciphers: 'TLS_CHACHA20_POLY1305_SHA256' })).cipher,
      'TLS_CHACHA20_POLY1305_SHA256',
    );
    assert.equal(
      (await negotiate({ ...rsa, ciphersuites: 'TLS_AES_128_GCM_SHA256' })).cipher,
      'TLS_AES_128_GCM_SHA256',
    );
  });

  it("honorCipherOrder: the server's order wins by default on a server (as in node), the client's with false", async () => {
    const order = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
    const client = {
      ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2' as const,
    };
    assert.equal((await negotiate({ ...rsa, ciphers: order }, client)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
    assert.equal(
      (await negotiate({ ...rsa, ciphers: order, honorCipherOrder: true }, client)).cipher,
      'ECDHE-RSA-AES128-GCM-SHA256',
    );
    assert.equal(
      (await negotiate({ ...rsa, ciphers: order, honorCipherOrder: false }, client)).cipher,
      'ECDHE-RSA-AES256-GCM-SHA384',
    );
  });

  it('ecdhCurve chooses the key exchange group', async () => {
    const p384 = await negotiate({ ...rsa, ecdhCurve: 'P-384' });
    assert.deepEqual(p384.key, { type: 'ECDH', name: 'secp384r1', size: 384 });
    const x25519 = await negotiate({ ...rsa, ecdhCurve: 'auto' });
    assert.deepEqual(x25519.key, { type: 'ECDH', name: 'X25519', size: 253 });
  });

  it('dhparam enables DHE with that group', async () => {
    const seen = await negotiate({
      ...rsa,
      dhparam: fixture('dh2048.pem'),
      ciphers: 'DHE-RSA-AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2',
    });
    assert.equal(seen.cipher, 'DHE-RSA-AES128-GCM-SHA256');
    assert.deepEqual(seen.key, { type: 'DH', size: 2048 });
  });

  it("key and cert arrays serve RSA and ECDSA side by side; the client's sigalgs choose", async () => {
    const both = {
      key: [{ pem: fixture('server-rsa-key-enc.pem'), passphrase: 'secret' }, fixture('server-ec-key.pem')],
      cert: [fixture('server-rsa.pem'), fixture('server-ec.pem')],
    };
    assert.equal((await negotiate(both, { sigalgs: 'ecdsa_secp256r1_sha256' })).keyType, 'ec');
    assert.equal((await negotiate(both, { sigalgs: 'rsa_pss_rsae_sha256' })).keyType, 'rsa');
  });

  it('sigalgs limits the signature algorithms the server accepts', async () => {
    assert.equal((await negotiate({ ...ec, sigalgs: 'ecdsa_secp256r1_sha256' })).keyType, 'ec');
    assert.match(await refused({ ...rsa, sigalgs: 'ecdsa_secp256r1_sha256' }), /^ERR_SSL_/);
  });

  it('a certificate given alone is sent with the chain its ca store reaches (built once)', async () => {
    const server = tls.createServer(
      {
        key: fixture('server-inter-key.pem'),
        cert: fixture('server-inter.pem'),
        ca: [fixture('inter.pem'), fixture('ca.pem')],
      },
      (s) => s.end(),
    );
    const port = await listen(server);
    try {
      for (let i = 0; i < 2; i++) {
        const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
        await waitFor(c, 'secureConnect');
        assert.equal(c.authorized, true);
        assert.equal(c.getPeerCertificate(true).issuerCertificate?.subject.CN, 'openssl-tls Test Intermediate CA');
        c.resume();
        await new Promise((r) => c.once('close', r));
      }
    } finally {
      await close(server);
    }
    // Without the intermediate anywhere, the leaf goes alone and a client cannot verify it.
    assert.equal(
      await refused({ key: fixture('server-inter-key.pem'), cert: fixture('server-inter.pem') }),
      'ECONNRESET',
    );
  });

  it('pfx with passphrase, and arrays of pfx objects', async () => {
    assert.equal((await negotiate({ pfx: fixture('server.pfx'), passphrase: 'sample' })).keyType, 'rsa');
    assert.equal((await negotiate({ pfx: [{ buf: fixture('server.pfx'), passphrase: 'sample' }] })).keyType, 'rsa');
    assert.equal((await negotiate({ pfx: [fixture('server-ec.pfx')] })).keyType, 'ec');
  });
});
