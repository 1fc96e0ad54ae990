// The system OpenSSL's TLS policy (openssl.cnf's system_default section) as the
// default, where the user sets nothing (lib/context/system_policy.ts). Each
// case runs openssl-tls in a child process under a temporary OPENSSL_CONF and
// compares it with openssl s_server / s_client under the same file: what the
// system openssl command refuses, ours refuses; an explicit option overrides.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envWith, runApp, serveApp, type AppServer } from './helpers/child_app';
import { runOpenSSLClient, startOpenSSLServer, usePeerCleanup, type OpenSSLServer } from './helpers/peers';

function conf(dir: string, name: string, commands: string[]): string {
  const file = path.join(dir, name);
  const lines = ['openssl_conf = openssl_init', '[openssl_init]', 'ssl_conf = ssl_sect', '[ssl_sect]'];
  lines.push('system_default = system_default_sect', '[system_default_sect]', ...commands);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** What `openssl s_client` negotiated, or null when the handshake failed. */
async function sClient(
  port: number,
  args: string[],
  opensslConf: string,
): Promise<{ protocol: string; cipher: string } | null> {
  const r = await runOpenSSLClient(port, ['-brief', ...args], '', { env: envWith(opensslConf) });
  const protocol = /Protocol version: (\S+)/.exec(r.stderr)?.[1];
  const cipher = /Ciphersuite: (\S+)/.exec(r.stderr)?.[1];
  return protocol !== undefined && cipher !== undefined ? { protocol, cipher } : null;
}

describe('system policy: openssl.cnf system_default under a temporary OPENSSL_CONF', function () {
  this.timeout(60_000);
  usePeerCleanup();
  let dir: string;
  let none: string; // a configuration with no TLS policy: the peers' side
  let tls13Only: string;
  let restricted: string;
  let seclevel3: string;
  let servers: AppServer[] = [];
  let key: string;
  let cert: string;
  let rsaKey: string;
  let rsaCert: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-policy-'));
    none = path.join(dir, 'none.cnf');
    fs.writeFileSync(none, '# no system TLS policy\n');
    tls13Only = conf(dir, 'tls13.cnf', ['MinProtocol = TLSv1.3', 'Ciphersuites = TLS_AES_256_GCM_SHA384']);
    restricted = conf(dir, 'restricted.cnf', ['CipherString = ECDHE+AESGCM:!AES128', 'MaxProtocol = TLSv1.2']);
    seclevel3 = conf(dir, 'seclevel3.cnf', ['CipherString = DEFAULT:@SECLEVEL=3']);
    // Self-signed, so a level-3 chain has no weaker CA in it: P-256 (128 bits) passes level 3,
    // RSA-2048 (112 bits) does not.
    key = path.join(dir, 'ec-key.pem');
    cert = path.join(dir, 'ec.pem');
    rsaKey = path.join(dir, 'rsa-key.pem');
    rsaCert = path.join(dir, 'rsa.pem');
    const req = [
      'req',
      '-x509',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ];
    execFileSync(
      'openssl',
      [...req, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', key, '-out', cert],
      {
        stdio: 'ignore',
        env: envWith(none),
      },
    );
    execFileSync('openssl', [...req, '-newkey', 'rsa:2048', '-keyout', rsaKey, '-out', rsaCert], {
      stdio: 'ignore',
      env: envWith(none),
    });
  });

  afterEach(() => {
    for (const s of servers) s.stop();
    servers = [];
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function ourServer(opensslConf: string, options: Record<string, unknown> = {}): Promise<AppServer> {
    const s = await serveApp(opensslConf, { key: `read:${key}`, cert: `read:${cert}`, ...options });
    servers.push(s);
    return s;
  }

  async function theirServer(opensslConf: string, args: string[] = []): Promise<OpenSSLServer> {
    return startOpenSSLServer(['-cert', cert, '-key', key, ...args], { env: envWith(opensslConf) });
  }

  it('systemDefaults() reports the file, the commands and where each default comes from', function () {
    const [policy] = runApp(tls13Only, 'defaults');
    assert.equal(policy?.['configFile'], tls13Only);
    assert.equal(policy?.['section'], 'system_default_sect');
    assert.deepEqual(policy?.['commands'], { MinProtocol: 'TLSv1.3', Ciphersuites: 'TLS_AES_256_GCM_SHA384' });
    assert.equal(policy?.['minVersion'], 'TLSv1.3');
    const effective = policy?.['effective'] as Record<string, { value: unknown; source: string }>;
    assert.deepEqual(effective['minVersion'], { value: 'TLSv1.3', source: 'openssl.cnf' });
    assert.deepEqual(effective['maxVersion'], { value: 'TLSv1.3', source: 'node' });
    assert.deepEqual(effective['ciphersuites'], { value: 'TLS_AES_256_GCM_SHA384', source: 'openssl.cnf' });
    assert.equal(effective['ciphers']?.source, 'node');

    const [plain] = runApp(none, 'defaults');
    assert.equal(plain?.['section'], null);
    assert.deepEqual((plain?.['effective'] as Record<string, unknown>)['minVersion'], {
      value: 'TLSv1.2',
      source: 'node',
    });
    // The security level is the system OpenSSL's own (Debian builds it in with OPENSSL_TLS_SECURITY_LEVEL).
    const built = /OPENSSL_TLS_SECURITY_LEVEL=(\d+)/.exec(execFileSync('openssl', ['version', '-a']).toString());
    if (built) assert.equal(plain?.['securityLevel'], Number(built[1]));
  });

  it('MinProtocol = TLSv1.3: our server refuses TLS 1.2 as openssl s_server does', async function () {
    const ours = await ourServer(tls13Only);
    const theirs = await theirServer(tls13Only);
    for (const port of [ours.port, theirs.port]) {
      assert.equal(await sClient(port, ['-tls1_2'], none), null, `port ${port} accepted TLS 1.2`);
      assert.deepEqual(await sClient(port, [], none), { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    }
    await theirs.stop();
  });

  it('MinProtocol = TLSv1.3: our client refuses a TLS 1.2 server as openssl s_client does', async function () {
    const server = await theirServer(none, ['-tls1_2']);
    assert.equal(await sClient(server.port, [], tls13Only), null);
    const [refused] = runApp(tls13Only, 'connect', String(server.port), JSON.stringify({ rejectUnauthorized: false }));
    assert.equal(refused?.['ok'], false);
    assert.match(String(refused?.['code']), /^ERR_SSL_/);
    // An explicit minVersion overrides the system's.
    const [allowed] = runApp(
      tls13Only,
      'connect',
      String(server.port),
      JSON.stringify({ rejectUnauthorized: false, minVersion: 'TLSv1.2' }),
    );
    assert.equal(allowed?.['ok'], true, JSON.stringify(allowed));
    assert.equal(allowed?.['protocol'], 'TLSv1.2');
    await server.stop();
  });

  it('a restricted CipherString (and MaxProtocol) bounds our server as it bounds s_server', async function () {
    const ours = await ourServer(restricted);
    const theirs = await theirServer(restricted);
    for (const port of [ours.port, theirs.port]) {
      assert.equal(await sClient(port, ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'], none), null);
      assert.deepEqual(await sClient(port, ['-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384'], none), {
        protocol: 'TLSv1.2',
        cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
      });
    }
    await theirs.stop();
    // An explicit ciphers option overrides the system's list (MaxProtocol still holds).
    const explicit = await ourServer(restricted, { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    assert.deepEqual(await sClient(explicit.port, [], none), {
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
  });

  it('@SECLEVEL=3 refuses an RSA-2048 certificate at createSecureContext, as s_server refuses to start', async function () {
    const [ours] = runApp(seclevel3, 'context', JSON.stringify({ key: `read:${rsaKey}`, cert: `read:${rsaCert}` }));
    assert.equal(ours?.['ok'], false);
    assert.equal(ours?.['code'], 'ERR_SSL_EE_KEY_TOO_SMALL');
    await assert.rejects(
      startOpenSSLServer(['-cert', rsaCert, '-key', rsaKey], { env: envWith(seclevel3), timeoutMs: 5000 }),
      /ee key too small/,
    );
    // The level-3 P-256 certificate loads in both; an explicit @SECLEVEL overrides the system's.
    assert.deepEqual(runApp(seclevel3, 'context', JSON.stringify({ key: `read:${key}`, cert: `read:${cert}` })), [
      { ok: true },
    ]);
    const lowered = { key: `read:${rsaKey}`, cert: `read:${rsaCert}`, ciphers: 'DEFAULT:@SECLEVEL=2' };
    assert.deepEqual(runApp(seclevel3, 'context', JSON.stringify(lowered)), [{ ok: true }]);
  });
});
