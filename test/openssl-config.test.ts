// opensslConfig: SSL_CONF commands from JS (lib/context/openssl_config.ts), each
// checked by OpenSSL, applied after node's options. Against real peers:
// openssl s_client / s_server report what was negotiated, node:tls connects.
import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { certArgs, runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const serverKeys = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

async function ourServer(
  options: tls.TlsServerOptions & { opensslConfig?: Record<string, string | number> },
): Promise<tls.Server> {
  const server = tls.createServer({ ...serverKeys, ...options }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => {});
  await listen(server);
  return server;
}

function portOf(server: tls.Server): number {
  return (server.address() as AddressInfo).port;
}

/** s_client -brief's report: protocol, suite, key exchange group, peer signature. */
async function sClient(port: number, args: string[] = []): Promise<Record<string, string> | null> {
  const r = await runOpenSSLClient(port, ['-brief', '-CAfile', fixturePath('ca.pem'), ...args]);
  const field = (name: string): string | undefined => new RegExp(`^${name}: (.+)$`, 'm').exec(r.stderr)?.[1]?.trim();
  const protocol = field('Protocol version');
  if (protocol === undefined) return null;
  return {
    protocol,
    cipher: field('Ciphersuite') ?? '',
    group: field('Server Temp Key') ?? '',
    // -brief's names for these vary between releases.
    signature: field('Signature type') ?? field('Peer signature type') ?? '',
    digest: field('Hash used') ?? field('Peer signing digest') ?? '',
  };
}

describe('opensslConfig: SSL_CONF commands from JS', function () {
  this.timeout(30_000);
  usePeerCleanup();
  let servers: tls.Server[] = [];
  afterEach(async () => {
    for (const s of servers) await close(s);
    servers = [];
  });
  async function serve(
    opensslConfig: Record<string, string | number>,
    options: tls.TlsServerOptions = {},
  ): Promise<number> {
    const server = await ourServer({ ...options, opensslConfig });
    servers.push(server);
    return portOf(server);
  }

  it('Groups and SignatureAlgorithms choose what openssl s_client negotiates', async function () {
    const port = await serve({ Groups: 'P-384', SignatureAlgorithms: 'RSA-PSS+SHA384' });
    const got = await sClient(port, ['-groups', 'X25519:P-256:P-384']);
    assert.ok(got, 'handshake failed');
    assert.match(got.group, /P-384|secp384r1/);
    assert.equal(got.signature, 'RSA-PSS');
    assert.equal(got.digest, 'SHA384');
    // Without the commands the same client gets OpenSSL's first choice.
    const plain = await sClient(await serve({}), ['-groups', 'X25519:P-256:P-384']);
    assert.match(plain?.group ?? '', /X25519/);
  });

  it('MinProtocol and Options override node options given beside them', async function () {
    const port = await serve({ MinProtocol: 'TLSv1.3', Options: 'ServerPreference' }, { minVersion: 'TLSv1.2' });
    assert.equal(await sClient(port, ['-tls1_2']), null);
    assert.equal((await sClient(port))?.protocol, 'TLSv1.3');
    // Ciphersuites, server preference: the server's order wins over the client's.
    const pref = await serve({
      Ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
      Options: 'ServerPreference',
    });
    const got = await sClient(pref, ['-ciphersuites', 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256']);
    assert.equal(got?.cipher, 'TLS_CHACHA20_POLY1305_SHA256');
  });

  it('VerifyMode = Require makes the server demand a client certificate', async function () {
    const port = await serve({ VerifyMode: 'Require' }, { ca: fixture('ca.pem') });
    const without = await runOpenSSLClient(port, ['-CAfile', fixturePath('ca.pem'), '-quiet', '-no_ign_eof'], 'x\n', {
      waitFor: 'hello',
      timeoutMs: 5000,
    }).catch(() => null);
    assert.ok(without === null || !without.stdout.includes('hello'), 'served a client without a certificate');
    const withCert = await runOpenSSLClient(
      port,
      ['-CAfile', fixturePath('ca.pem'), ...certArgs('client'), '-quiet', '-no_ign_eof'],
      '',
      { waitFor: 'hello' },
    );
    assert.match(withCert.stdout, /hello/);
  });

  it('a client: MaxProtocol and Groups against node:tls and openssl s_server', async function () {
    const server = nodeTls.createServer(serverKeys, (s) => s.end());
    await listen(server);
    const socket = tls.connect({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: fixture('ca.pem'),
      opensslConfig: { MaxProtocol: 'TLSv1.2', Groups: 'P-256' },
    });
    await new Promise<void>((resolve, reject) => socket.on('secureConnect', resolve).on('error', reject));
    assert.equal(socket.getProtocol(), 'TLSv1.2');
    assert.equal(socket.getEphemeralKeyInfo()?.name, 'prime256v1');
    socket.destroy();
    await close(server);

    const theirs = await startOpenSSLServer([...certArgs('server-rsa'), '-groups', 'P-384:X25519']);
    const client = tls.connect({
      port: theirs.port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: fixture('ca.pem'),
      opensslConfig: { Groups: 'P-384' },
    });
    await new Promise<void>((resolve, reject) => client.on('secureConnect', resolve).on('error', reject));
    assert.equal(client.getEphemeralKeyInfo()?.name, 'secp384r1');
    client.destroy();
    await theirs.stop();
  });

  it('a refused command fails createSecureContext with OpenSSL error, naming the command', function () {
    const attempt =
      (opensslConfig: unknown): unknown =>
      () =>
        tls.createSecureContext({ opensslConfig } as tls.SecureContextOptions);
    assert.throws(attempt({ NoSuchCommand: 'x' }) as () => void, (err: Error & { code?: string; reason?: string }) => {
      assert.equal(err.code, 'ERR_SSL_UNKNOWN_CMD_NAME');
      assert.match(err.message, /options\.opensslConfig: NoSuchCommand = 'x'/);
      return true;
    });
    assert.throws(attempt({ MinProtocol: 'TLSv9' }) as () => void, (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_SSL_BAD_VALUE');
      assert.match(err.message, /MinProtocol = 'TLSv9'/);
      return true;
    });
    assert.throws(attempt({ Groups: 'no-such-group' }) as () => void, /Groups = 'no-such-group'/);
    assert.throws(attempt({ Groups: true }) as () => void, { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(attempt('Groups=P-256') as () => void, { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(attempt([['Groups', 'P-256']]) as () => void, { code: 'ERR_INVALID_ARG_TYPE' });
    assert.equal((tls as unknown as { _errorQueueLength?: () => number })._errorQueueLength?.() ?? 0, 0);
  });
});
