// Keys that never leave their store, through node's engine options: a SoftHSM
// token's key (generated inside it) signs our server's handshakes through the
// system OpenSSL's pkcs11 ENGINE (privateKeyEngine + privateKeyIdentifier).
// openssl s_client and node:tls verify the server; a missing engine, token or
// key fails createSecureContext, never the first handshake.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { needPeer } from './helpers/optional_peers';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';
import { makeSoftHsmToken, type SoftHsmToken } from './helpers/softhsm';

type CodedError = Error & { code?: string; opensslErrorStack?: string[] };

describe('privateKeyEngine: a SoftHSM key through the pkcs11 engine', function () {
  this.timeout(30_000);
  usePeerCleanup();
  let token: SoftHsmToken;
  let server: tls.Server | undefined;

  before(function () {
    // A sanitizer build links OpenSSL statically: an engine's shared library would bind to a
    // second libcrypto (the system's), which cannot share ENGINE objects with it.
    if (process.env['OPENSSL_TLS_NO_DEEPBIND'] === '1') this.skip();
    needPeer(this, 'softhsm2-util');
    needPeer(this, 'pkcs11-tool');
    needPeer(this, 'engine:pkcs11');
    token = makeSoftHsmToken();
  });
  afterEach(async () => {
    if (server) await close(server);
    server = undefined;
  });
  after(() => token?.remove());

  function hsmOptions(): tls.SecureContextOptions {
    return {
      cert: fs.readFileSync(token.certFile),
      privateKeyEngine: 'pkcs11',
      privateKeyIdentifier: token.keyUri,
      passphrase: token.pin, // answers the engine's PIN prompt
    };
  }

  async function hsmServer(): Promise<number> {
    server = tls.createServer(hsmOptions(), (socket) => socket.end('signed in the token\n'));
    return listen(server);
  }

  it('openssl s_client verifies our server, TLS 1.3 and 1.2, ECDSA signed in the token', async function () {
    const port = await hsmServer();
    for (const version of ['-tls1_3', '-tls1_2']) {
      const r = await runOpenSSLClient(
        port,
        ['-brief', version, '-CAfile', token.certFile, '-verify_return_error', '-quiet', '-no_ign_eof'],
        '',
        { waitFor: 'signed in the token' },
      );
      assert.match(r.stdout, /signed in the token/);
      assert.match(r.stderr, /Verification: OK/);
      assert.match(r.stderr, /Signature type: ECDSA|Peer signature type: ECDSA/);
    }
  });

  it('node:tls verifies our server', async function () {
    const port = await hsmServer();
    const socket = nodeTls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: fs.readFileSync(token.certFile),
    });
    const data = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.equal(socket.authorized, true);
    assert.equal(data, 'signed in the token\n');
  });

  it('a missing key, token or engine fails createSecureContext', function () {
    const attempt = (changes: tls.SecureContextOptions) => () =>
      tls.createSecureContext({ ...hsmOptions(), ...changes });
    const openssl = (err: CodedError): boolean => {
      assert.match(err.code ?? '', /^ERR_OSSL_/);
      assert.ok(err.message.startsWith('error:'), err.message);
      return true;
    };
    assert.throws(
      attempt({ privateKeyIdentifier: `pkcs11:token=${token.label};object=nothing;type=private` }),
      openssl,
    );
    assert.throws(attempt({ privateKeyIdentifier: 'pkcs11:token=no-such-token;object=server;type=private' }), openssl);
    // As node:tls reports it: OpenSSL's first reason, the rest in opensslErrorStack, no code.
    assert.throws(attempt({ privateKeyEngine: 'no-such-engine' }), (err: CodedError) => {
      assert.match(err.message, /could not load the shared library/);
      assert.ok((err.opensslErrorStack ?? []).length > 0);
      return true;
    });
    // The token's key with another key's certificate: OpenSSL's mismatch, as for a PEM key.
    assert.throws(attempt({ cert: fixture('server-ec.pem') }), { code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' });
  });

  it('clientCertEngine: an engine without client certificates is refused at once', function () {
    assert.throws(() => tls.createSecureContext({ clientCertEngine: 'pkcs11' }), {
      code: 'ERR_SSL_NO_CLIENT_CERT_METHOD',
    });
    assert.throws(() => tls.createSecureContext({ clientCertEngine: 'no-such-engine' }), /could not load the shared/);
  });

  it('setEngine: node crypto.setEngine checks, on the system OpenSSL', function () {
    assert.throws(() => tls.setEngine(1 as unknown as string), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => tls.setEngine('no-such-engine'), /could not load the shared library/);
    // A default engine changes OpenSSL for the whole process (every later test's keys would go
    // through it), so that one runs in a child: the engine's key methods
    // (ENGINE_METHOD_PKEY_METHS, 0x200) become OpenSSL's defaults there.
    const lib = path.join(__dirname, '..', 'lib', 'index.ts');
    const out = execFileSync(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        '-e',
        `require(${JSON.stringify(lib)}).setEngine('pkcs11', 0x200); console.log('set')`,
      ],
      { env: process.env },
    ).toString();
    assert.equal(out.trim(), 'set');
  });
});
