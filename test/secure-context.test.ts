// createSecureContext: every option applied, every malformed option refused at
// once with node:tls's code (node's own createSecureContext is the oracle, and
// each case also names the code it expects, so the test fails if both are wrong).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import { binding } from '../lib/internal/binding';
import { defaults } from '../lib/context/defaults';
import {
  createSecureContext,
  getCiphers,
  getRootCertificates,
  rootCertificates,
  SecureContext,
  type SecureContextOptions,
} from '../lib/context/secure_context';
import { fixture } from './helpers/fixtures';

type Outcome = { ok: true } | { ok: false; error: Error & { code?: string } };

function attempt(fn: () => unknown): Outcome {
  try {
    fn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error as Error & { code?: string } };
  }
}

function ours(options: unknown): Outcome {
  return attempt(() => createSecureContext(options as SecureContextOptions));
}

function nodes(options: unknown): Outcome {
  return attempt(() => nodeTls.createSecureContext(options as nodeTls.SecureContextOptions));
}

/** Both throw, node with `code`, and ours with node's code. Returns both errors. */
function sameFailure(
  options: unknown,
  code: string | string[] | undefined,
): { mine: Error & { code?: string }; theirs: Error & { code?: string } } {
  const codes = Array.isArray(code) ? code : [code];
  const theirs = nodes(options);
  assert.ok(!theirs.ok, 'node:tls accepted it');
  assert.ok(codes.includes(theirs.error.code), `node:tls: ${String(theirs.error.code)} ${theirs.error.message}`);
  const mine = ours(options);
  assert.ok(!mine.ok, 'openssl-tls accepted it');
  assert.ok(codes.includes(mine.error.code), `openssl-tls: ${String(mine.error.code)} ${mine.error.message}`);
  return { mine: mine.error, theirs: theirs.error };
}

/** Also the same message, class and printed form (errors node's JS makes). */
function sameError(options: unknown, code: string): void {
  const { mine, theirs } = sameFailure(options, code);
  assert.equal(mine.message, theirs.message);
  assert.equal(mine.name, theirs.name);
  assert.equal(String(mine), String(theirs));
  assert.equal(mine.stack?.split('\n')[0], theirs.stack?.split('\n')[0]);
  assert.deepEqual(Object.keys(mine), Object.keys(theirs));
}

// Records every native SecureContext call, to see what each option applied.
type Call = [string, ...unknown[]];
function recordCalls(fn: () => void): Call[] {
  const proto = binding.SecureContext.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const calls: Call[] = [];
  const saved = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name];
    if (name === 'constructor' || typeof original !== 'function') continue;
    saved.set(name, original);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      calls.push([name, ...args]);
      return original.apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
  return calls;
}

function callsOf(calls: Call[], name: string): unknown[][] {
  return calls.filter((c) => c[0] === name).map((c) => c.slice(1));
}

const der = (pemName: string): Buffer => new X509Certificate(fixture(pemName)).raw;
const V = binding.protocolVersions;
const SERVER_PREF = binding.sslOptions.SSL_OP_CIPHER_SERVER_PREFERENCE;

describe('createSecureContext', () => {
  const key = fixture('server-rsa-key.pem');
  const cert = fixture('server-rsa.pem');
  let dh1024: Buffer;

  before(() => {
    // 1024-bit DH: fine for node:tls (with a warning), below the system's level 2.
    dh1024 = execFileSync('openssl', ['dhparam', '-dsaparam', '1024'], { stdio: ['ignore', 'pipe', 'ignore'] });
  });

  describe('shape', () => {
    it('returns a SecureContext whose only own key is the native context', () => {
      const ctx = createSecureContext({});
      assert.ok(ctx instanceof SecureContext);
      assert.deepEqual(Object.keys(ctx), ['context']);
      assert.ok(ctx.context instanceof binding.SecureContext);
    });

    it('takes no options, undefined or null', () => {
      for (const options of [undefined, null])
        assert.ok(createSecureContext(options as undefined) instanceof SecureContext);
      assert.ok(createSecureContext() instanceof SecureContext);
    });

    it('new SecureContext(secureProtocol, secureOptions, min, max) as in node', () => {
      const calls = recordCalls(() => new SecureContext(undefined, undefined, 'TLSv1.2', 'TLSv1.2'));
      assert.deepEqual(callsOf(calls, 'setProtoVersions'), [[V['TLSv1.2'], V['TLSv1.2']]]);
    });
  });

  describe('certificates and keys', () => {
    it('cert + key: the certificate is the one given', () => {
      const ctx = createSecureContext({ key, cert });
      assert.deepEqual(ctx.context.getCertificateDer(), der('server-rsa.pem'));
    });

    it('strings, Uint8Array and DataView work like Buffers', () => {
      const k = new Uint8Array(key);
      const ctx = createSecureContext({
        key: new DataView(k.buffer, k.byteOffset, k.byteLength),
        cert: cert.toString(),
      });
      assert.deepEqual(ctx.context.getCertificateDer(), der('server-rsa.pem'));
    });

    it('a PEM chain: the first certificate is ours, the rest its chain', () => {
      const ctx = createSecureContext({
        key: fixture('server-inter-key.pem'),
        cert: fixture('server-inter-chain.pem'),
      });
      assert.deepEqual(ctx.context.getCertificateDer(), der('server-inter.pem'));
    });

    it('arrays of certificates and keys (RSA and ECDSA side by side)', () => {
      const ctx = createSecureContext({
        cert: [cert, fixture('server-ec.pem')],
        key: [key, fixture('server-ec-key.pem')],
      });
      assert.deepEqual(ctx.context.getCertificateDer(), der('server-ec.pem'));
    });

    it('an encrypted key with passphrase, or {pem, passphrase} (which wins over passphrase)', () => {
      const enc = fixture('server-rsa-key-enc.pem');
      assert.ok(ours({ key: enc, cert, passphrase: 'secret' }).ok);
      assert.ok(ours({ key: [{ pem: enc, passphrase: 'secret' }], cert, passphrase: 'wrong' }).ok);
      assert.ok(ours({ key: [{ pem: enc }], cert, passphrase: 'secret' }).ok);
    });

    it('a key of another type than the certificate is accepted, as node does (they fill different slots)', () => {
      const options = { cert, key: fixture('server-ec-key.pem') };
      assert.ok(nodes(options).ok);
      assert.ok(ours(options).ok);
    });

    it('close() frees the SSL_CTX once; later calls throw', () => {
      const ctx = createSecureContext({ key, cert });
      ctx.context.close();
      ctx.context.close();
      assert.throws(() => ctx.context.getCertificateDer(), { code: 'ERR_INVALID_STATE' });
    });

    it('no certificate: getCertificateDer() is null', () => {
      assert.equal(createSecureContext({}).context.getCertificateDer(), null);
    });

    it('pfx with passphrase (also as a Buffer, an array, {buf, passphrase})', () => {
      const pfx = fixture('server.pfx');
      for (const options of [
        { pfx, passphrase: 'sample' },
        { pfx, passphrase: Buffer.from('sample') },
        { pfx: [pfx], passphrase: 'sample' },
        { pfx: [{ buf: pfx, passphrase: 'sample' }] },
        { pfx: new Uint8Array(pfx), passphrase: 'sample' },
      ]) {
        const ctx = createSecureContext(options as SecureContextOptions);
        assert.deepEqual(ctx.context.getCertificateDer(), der('server-rsa.pem'));
      }
    });

    it('pfx with an empty password needs no passphrase', () => {
      const ctx = createSecureContext({ pfx: fixture('client.pfx') });
      assert.deepEqual(ctx.context.getCertificateDer(), der('client.pem'));
    });

    it("pfx CA certificates are trusted: the store becomes the context's own", () => {
      const calls = recordCalls(() => createSecureContext({ pfx: fixture('server.pfx'), passphrase: 'sample' }));
      assert.deepEqual(callsOf(calls, 'addRootCerts'), [[]]);
      assert.equal(callsOf(calls, 'loadPKCS12').length, 1);
    });
  });

  describe('trust', () => {
    it('no ca: the system roots', () => {
      const calls = recordCalls(() => createSecureContext({}));
      assert.deepEqual(callsOf(calls, 'addRootCerts'), [[]]);
      assert.deepEqual(callsOf(calls, 'addCACert'), []);
    });

    it('ca replaces the system roots; each array entry is added', () => {
      const ca = fixture('ca.pem');
      const inter = fixture('inter.pem');
      const calls = recordCalls(() => createSecureContext({ ca: [ca, inter.toString()] }));
      assert.deepEqual(callsOf(calls, 'addRootCerts'), []);
      assert.deepEqual(callsOf(calls, 'addCACert'), [[ca], [inter]]);
    });

    it('ca: [] trusts nothing (as in node); an empty entry adds nothing', () => {
      assert.ok(ours({ ca: [] }).ok);
      assert.ok(ours({ ca: [''] }).ok);
    });

    it('crl, alone or with ca, single or array', () => {
      assert.ok(ours({ crl: fixture('crl.pem') }).ok);
      assert.ok(ours({ ca: fixture('ca.pem'), crl: [fixture('crl.pem'), fixture('crl.pem').toString()] }).ok);
    });
  });

  describe('ciphers and protocol versions', () => {
    it('defaults: DEFAULT_CIPHERS split into TLS 1.3 suites and the TLS 1.2 list, versions 1.2..1.3', () => {
      const calls = recordCalls(() => createSecureContext({}));
      const entries = defaults.DEFAULT_CIPHERS.split(':');
      assert.deepEqual(callsOf(calls, 'setCipherSuites'), [[entries.filter((c) => c.startsWith('TLS_')).join(':')]]);
      assert.deepEqual(callsOf(calls, 'setCiphers'), [[entries.filter((c) => !c.startsWith('TLS_')).join(':')]]);
      assert.deepEqual(callsOf(calls, 'setProtoVersions'), [[V['TLSv1.2'], V['TLSv1.3']]]);
      assert.deepEqual(callsOf(calls, 'setECDHCurve'), [['auto']]);
    });

    it('DEFAULT_CIPHERS and DEFAULT_MIN_VERSION are read at each call', () => {
      const saved = { ...defaults };
      try {
        defaults.DEFAULT_CIPHERS = 'ECDHE-RSA-AES128-GCM-SHA256';
        defaults.DEFAULT_MIN_VERSION = 'TLSv1.3';
        const calls = recordCalls(() => createSecureContext({}));
        assert.deepEqual(callsOf(calls, 'setCiphers'), [['ECDHE-RSA-AES128-GCM-SHA256']]);
        assert.deepEqual(callsOf(calls, 'setProtoVersions'), [[V['TLSv1.3'], V['TLSv1.3']]]);
        defaults.DEFAULT_MIN_VERSION = 'bogus';
        assert.equal((ours({}) as { error: { code: string } }).error.code, 'ERR_TLS_INVALID_PROTOCOL_VERSION');
      } finally {
        Object.assign(defaults, saved);
      }
    });

    it('a list without TLS_ entries keeps the default TLS 1.3 suites (node does the same)', () => {
      const calls = recordCalls(() => createSecureContext({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }));
      assert.deepEqual(callsOf(calls, 'setCipherSuites'), []);
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['ECDHE-RSA-AES128-GCM-SHA256']]);
    });

    it('only TLS_ entries: TLS 1.3 only', () => {
      const calls = recordCalls(() => createSecureContext({ ciphers: 'TLS_AES_128_GCM_SHA256' }));
      assert.deepEqual(callsOf(calls, 'setCipherSuites'), [['TLS_AES_128_GCM_SHA256']]);
      assert.deepEqual(callsOf(calls, 'setProtoVersions').at(-1), [V['TLSv1.3'], V['TLSv1.3']]);
      assert.deepEqual(
        nodeTls.createSecureContext({ ciphers: 'TLS_AES_128_GCM_SHA256' }).context.getMinProto(),
        V['TLSv1.3'],
      );
    });

    it('ciphersuites overrides the TLS_ entries; empty means no TLS 1.3', () => {
      let calls = recordCalls(() =>
        createSecureContext({ ciphers: 'TLS_AES_128_GCM_SHA256:HIGH', ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256' }),
      );
      assert.deepEqual(callsOf(calls, 'setCipherSuites'), [['TLS_CHACHA20_POLY1305_SHA256']]);
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['HIGH']]);
      calls = recordCalls(() => createSecureContext({ ciphersuites: '' }));
      assert.deepEqual(callsOf(calls, 'setCipherSuites'), [['']]);
      assert.deepEqual(callsOf(calls, 'setProtoVersions').at(-1), [V['TLSv1.2'], V['TLSv1.2']]);
    });

    it('minVersion TLSv1 lowers the security level so TLS 1.0 can work, unless the list sets one', () => {
      let calls = recordCalls(() => createSecureContext({ minVersion: 'TLSv1', ciphers: 'HIGH' }));
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['HIGH:@SECLEVEL=0']]);
      assert.deepEqual(callsOf(calls, 'setProtoVersions'), [[V['TLSv1'], V['TLSv1.3']]]);
      calls = recordCalls(() => createSecureContext({ minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=1' }));
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['DEFAULT:@SECLEVEL=1']]);
      calls = recordCalls(() => createSecureContext({ secureProtocol: 'TLSv1_method', ciphers: 'HIGH' }));
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['HIGH:@SECLEVEL=0']]);
    });

    it('secureProtocol sets the versions as node does', () => {
      const expect: Record<string, [number, number]> = {
        TLS_method: [0, V['TLSv1.3']],
        TLS_server_method: [0, V['TLSv1.3']],
        SSLv23_method: [V['TLSv1.2'], V['TLSv1.2']],
        SSLv23_client_method: [V['TLSv1.2'], V['TLSv1.2']],
        TLSv1_method: [V['TLSv1'], V['TLSv1']],
        TLSv1_1_server_method: [V['TLSv1.1'], V['TLSv1.1']],
        TLSv1_2_method: [V['TLSv1.2'], V['TLSv1.2']],
        TLSv1_2_client_method: [V['TLSv1.2'], V['TLSv1.2']],
      };
      for (const [method, versions] of Object.entries(expect)) {
        const calls = recordCalls(() => createSecureContext({ secureProtocol: method }));
        assert.deepEqual(callsOf(calls, 'setProtoVersions')[0], versions, method);
        const theirs = nodeTls.createSecureContext({ secureProtocol: method }).context;
        assert.deepEqual(
          [theirs.getMinProto(), theirs.getMaxProto()],
          versions.map((v) => v || 0),
          method,
        );
      }
    });

    it('honorCipherOrder and secureOptions set OpenSSL options', () => {
      const calls = recordCalls(() =>
        createSecureContext({ honorCipherOrder: true, secureOptions: Number(binding.sslOptions.SSL_OP_NO_TICKET) }),
      );
      assert.deepEqual(callsOf(calls, 'setOptions'), [[binding.sslOptions.SSL_OP_NO_TICKET], [SERVER_PREF]]);
    });

    it('ecdhCurve: a list, auto, and false (the old docs: no ECDHE in TLS 1.2)', () => {
      assert.ok(ours({ ecdhCurve: 'X25519:P-256:P-384' }).ok);
      const calls = recordCalls(() => createSecureContext({ ecdhCurve: false, ciphers: 'HIGH' }));
      assert.deepEqual(callsOf(calls, 'setCiphers'), [['HIGH:!kECDHE']]);
      assert.deepEqual(callsOf(calls, 'setECDHCurve'), []);
    });

    it('sigalgs', () => {
      const calls = recordCalls(() => createSecureContext({ sigalgs: 'RSA-PSS+SHA256:ECDSA+SHA256' }));
      assert.deepEqual(callsOf(calls, 'setSigalgs'), [['RSA-PSS+SHA256:ECDSA+SHA256']]);
    });
  });

  describe('DH parameters', () => {
    it("dhparam 2048 and 'auto'", () => {
      assert.equal(createSecureContext({}).context.setDHParam(fixture('dh2048.pem')), 2048);
      assert.ok(ours({ dhparam: fixture('dh2048.pem') }).ok);
      assert.ok(ours({ dhparam: fixture('dh2048.pem').toString() }).ok);
      assert.ok(ours({ dhparam: 'auto' }).ok);
    });

    it('unreadable parameters are dropped silently, as node (and its docs) do', () => {
      assert.ok(nodes({ dhparam: Buffer.from('garbage') }).ok);
      assert.ok(ours({ dhparam: Buffer.from('garbage') }).ok);
      assert.ok(ours({ dhparam: '' }).ok);
    });

    it('below 2048 bits: a SecurityWarning, as in node (where the security level allows it)', async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => {
        warnings.push(w);
      };
      process.on('warning', onWarning);
      try {
        createSecureContext({ dhparam: dh1024, minVersion: 'TLSv1' });
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].name, 'SecurityWarning');
      assert.equal(warnings[0].message, 'DH parameter is less than 2048 bits');
    });

    it("below the system's security level (2 = 112 bits) it is OpenSSL's error", () => {
      const r = ours({ dhparam: dh1024 });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'ERR_SSL_DH_KEY_TOO_SMALL');
    });
  });

  describe('sessions', () => {
    it('ticket keys: random by default, 48 bytes, and set by ticketKeys', () => {
      const a = createSecureContext({}).context.getTicketKeys();
      const b = createSecureContext({}).context.getTicketKeys();
      assert.equal(a.length, 48);
      assert.notDeepEqual(a, b);
      const keys = Buffer.from(Array.from({ length: 48 }, (_, i) => i));
      assert.deepEqual(createSecureContext({ ticketKeys: keys }).context.getTicketKeys(), keys);
      assert.deepEqual(createSecureContext({ ticketKeys: new Uint8Array(keys) }).context.getTicketKeys(), keys);
      const ctx = createSecureContext({});
      ctx.context.setTicketKeys(keys);
      assert.deepEqual(ctx.context.getTicketKeys(), keys);
    });

    it('sessionIdContext and sessionTimeout', () => {
      const calls = recordCalls(() => createSecureContext({ sessionIdContext: 'abc', sessionTimeout: 300 }));
      assert.deepEqual(callsOf(calls, 'setSessionIdContext'), [[Buffer.from('abc')]]);
      assert.deepEqual(callsOf(calls, 'setSessionTimeout'), [[300]]);
    });
  });

  describe("malformed options fail with node:tls's code", () => {
    const enc = fixture('server-rsa-key-enc.pem');
    const cases: Array<[string, () => unknown, string | string[] | undefined]> = [
      ['truncated certificate', () => ({ cert: cert.subarray(0, 200) }), 'ERR_OSSL_PEM_BAD_END_LINE'],
      ['garbage certificate', () => ({ cert: Buffer.from('garbage') }), 'ERR_OSSL_PEM_NO_START_LINE'],
      ['DER certificate', () => ({ cert: der('server-rsa.pem') }), 'ERR_OSSL_PEM_NO_START_LINE'],
      ['truncated key', () => ({ key: key.subarray(0, 200), cert }), 'ERR_OSSL_UNSUPPORTED'],
      ['garbage key', () => ({ key: Buffer.from('garbage'), cert }), 'ERR_OSSL_UNSUPPORTED'],
      ['empty key in an array', () => ({ key: [''] }), 'ERR_OSSL_UNSUPPORTED'],
      ['key not matching cert', () => ({ cert, key: fixture('client-key.pem') }), 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'],
      [
        'wrong passphrase',
        () => ({ key: enc, cert, passphrase: 'wrong' }),
        ['ERR_OSSL_BAD_DECRYPT', 'ERR_OSSL_UNSUPPORTED'],
      ],
      // Decrypting with no passphrase fails in one of two ways, depending on the
      // key file's random salt (the wrong key's padding check passes about 1 time
      // in 256, and the garbage then fails to decode): node:tls varies alike.
      ['missing passphrase', () => ({ key: enc, cert }), ['ERR_OSSL_BAD_DECRYPT', 'ERR_OSSL_UNSUPPORTED']],
      ['garbage CRL', () => ({ crl: Buffer.from('garbage') }), 'ERR_CRYPTO_OPERATION_FAILED'],
      ['truncated CRL', () => ({ crl: fixture('crl.pem').subarray(0, 100) }), 'ERR_CRYPTO_OPERATION_FAILED'],
      ['unknown cipher', () => ({ ciphers: 'NOPE' }), 'ERR_SSL_NO_CIPHER_MATCH'],
      ['unknown TLS 1.3 suite', () => ({ ciphers: 'TLS_NOPE' }), 'ERR_SSL_NO_CIPHER_MATCH'],
      ['good suite, unknown cipher', () => ({ ciphers: 'TLS_AES_128_GCM_SHA256:NOPE' }), 'ERR_SSL_NO_CIPHER_MATCH'],
      ['unknown curve', () => ({ ecdhCurve: 'nope' }), 'ERR_CRYPTO_OPERATION_FAILED'],
      ['empty curve', () => ({ ecdhCurve: '' }), 'ERR_CRYPTO_OPERATION_FAILED'],
      ['512-bit DH', () => ({ dhparam: fixture('dh512.pem') }), 'ERR_INVALID_ARG_VALUE'],
      ['unknown secureProtocol', () => ({ secureProtocol: 'NOPE_method' }), 'ERR_TLS_INVALID_PROTOCOL_METHOD'],
      ['empty secureProtocol', () => ({ secureProtocol: '' }), 'ERR_TLS_INVALID_PROTOCOL_METHOD'],
      [
        'TLSv1_3_method (node has none)',
        () => ({ secureProtocol: 'TLSv1_3_method' }),
        'ERR_TLS_INVALID_PROTOCOL_METHOD',
      ],
      ['SSLv3_method', () => ({ secureProtocol: 'SSLv3_method' }), 'ERR_TLS_INVALID_PROTOCOL_METHOD'],
      ['SSLv3_server_method', () => ({ secureProtocol: 'SSLv3_server_method' }), 'ERR_TLS_INVALID_PROTOCOL_METHOD'],
      ['SSLv2_method', () => ({ secureProtocol: 'SSLv2_method' }), 'ERR_TLS_INVALID_PROTOCOL_METHOD'],
      ['sigalgs OpenSSL does not know', () => ({ sigalgs: 'nope' }), undefined],
      ['pfx with a wrong password', () => ({ pfx: fixture('server.pfx'), passphrase: 'wrong' }), undefined],
      ['pfx without its password', () => ({ pfx: fixture('server.pfx') }), undefined],
      ['garbage pfx', () => ({ pfx: Buffer.from('garbage') }), undefined],
      ['empty pfx', () => ({ pfx: Buffer.alloc(0) }), undefined],
      ['pfx of the wrong type', () => ({ pfx: 5 }), 'ERR_CRYPTO_OPERATION_FAILED'],
      [
        'pfx passphrase of the wrong type',
        () => ({ pfx: fixture('server.pfx'), passphrase: 5 }),
        'ERR_INVALID_ARG_TYPE',
      ],
    ];
    for (const [title, options, code] of cases) {
      it(title, () => {
        const { mine, theirs } = sameFailure(options(), code);
        // node's PKCS#12 errors are OpenSSL's reason alone, with no code.
        if (title.includes('pfx') && code === undefined) assert.equal(mine.message, theirs.message);
      });
    }
  });

  describe("wrong types and values: node's code and exact message", () => {
    const cases: Array<[string, unknown, string]> = [
      ['options a number', 5, 'ERR_INVALID_ARG_TYPE'],
      ['options a string', 'x', 'ERR_INVALID_ARG_TYPE'],
      ['options an array', [], 'ERR_INVALID_ARG_TYPE'],
      ['key a number', { key: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['key in an array a number', { key: [5] }, 'ERR_INVALID_ARG_TYPE'],
      ['key an object outside an array', { key: { pem: 'x' } }, 'ERR_INVALID_ARG_TYPE'],
      ['key {pem: 5}', { key: [{ pem: 5 }] }, 'ERR_INVALID_ARG_TYPE'],
      ['key {} ', { key: [{}] }, 'ERR_INVALID_ARG_TYPE'],
      ['key passphrase a number', { key: 'x', passphrase: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['key {passphrase: 5}', { key: [{ pem: 'x', passphrase: 5 }] }, 'ERR_INVALID_ARG_TYPE'],
      ['cert a number', { cert: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['cert a symbol', { cert: Symbol('s') }, 'ERR_INVALID_ARG_TYPE'],
      ['cert a function', { cert: function foo() {} }, 'ERR_INVALID_ARG_TYPE'],
      ['cert a bigint', { cert: 10n }, 'ERR_INVALID_ARG_TYPE'],
      // eslint-disable-next-line @typescript-eslint/no-extraneous-class
      ['cert a class instance', { cert: new (class Foo {})() }, 'ERR_INVALID_ARG_TYPE'],
      ['cert a null-prototype object', { cert: Object.create(null) }, 'ERR_INVALID_ARG_TYPE'],
      ['ca a number', { ca: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['ca [null]', { ca: [null] }, 'ERR_INVALID_ARG_TYPE'],
      ['crl a number', { crl: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['crl [null]', { crl: [null] }, 'ERR_INVALID_ARG_TYPE'],
      ['ciphers a number', { ciphers: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['ciphers with no cipher', { ciphers: ':' }, 'ERR_INVALID_ARG_VALUE'],
      ['ciphers with very many empty entries', { ciphers: ':'.repeat(200) }, 'ERR_INVALID_ARG_VALUE'],
      ['ecdhCurve a number', { ecdhCurve: 1 }, 'ERR_INVALID_ARG_TYPE'],
      ['ecdhCurve null', { ecdhCurve: null }, 'ERR_INVALID_ARG_TYPE'],
      ['dhparam a number', { dhparam: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['dhparam false', { dhparam: false }, 'ERR_INVALID_ARG_TYPE'],
      ['sigalgs a number', { sigalgs: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['sigalgs empty', { sigalgs: '' }, 'ERR_INVALID_ARG_VALUE'],
      ['sessionIdContext a Buffer', { sessionIdContext: Buffer.from('x') }, 'ERR_INVALID_ARG_TYPE'],
      ['sessionTimeout a string', { sessionTimeout: 'x' }, 'ERR_INVALID_ARG_TYPE'],
      ['sessionTimeout negative', { sessionTimeout: -1 }, 'ERR_OUT_OF_RANGE'],
      ['sessionTimeout fractional', { sessionTimeout: 1.5 }, 'ERR_OUT_OF_RANGE'],
      ['sessionTimeout NaN', { sessionTimeout: NaN }, 'ERR_OUT_OF_RANGE'],
      ['sessionTimeout huge', { sessionTimeout: 2 ** 40 }, 'ERR_OUT_OF_RANGE'],
      ['ticketKeys a string', { ticketKeys: 'x'.repeat(48) }, 'ERR_INVALID_ARG_TYPE'],
      ['ticketKeys short string', { ticketKeys: 'x'.repeat(27) }, 'ERR_INVALID_ARG_TYPE'],
      ['ticketKeys 10 bytes', { ticketKeys: Buffer.alloc(10) }, 'ERR_INVALID_ARG_VALUE'],
      ['ticketKeys 49 bytes', { ticketKeys: Buffer.alloc(49) }, 'ERR_INVALID_ARG_VALUE'],
      ['secureOptions a string', { secureOptions: 'x' }, 'ERR_INVALID_ARG_TYPE'],
      ['secureOptions fractional', { secureOptions: 1.5 }, 'ERR_OUT_OF_RANGE'],
      ['secureOptions beyond safe integers', { secureOptions: 2 ** 60 }, 'ERR_OUT_OF_RANGE'],
      ['minVersion unknown', { minVersion: 'TLSv9' }, 'ERR_TLS_INVALID_PROTOCOL_VERSION'],
      ['minVersion empty', { minVersion: '' }, 'ERR_TLS_INVALID_PROTOCOL_VERSION'],
      ['minVersion a number', { minVersion: 5 }, 'ERR_TLS_INVALID_PROTOCOL_VERSION'],
      ['maxVersion unknown', { maxVersion: 'SSLv3' }, 'ERR_TLS_INVALID_PROTOCOL_VERSION'],
      [
        'secureProtocol with minVersion',
        { secureProtocol: 'TLS_method', minVersion: 'TLSv1.2' },
        'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
      ],
      [
        'secureProtocol with maxVersion',
        { secureProtocol: 'TLSv1_2_method', maxVersion: 'TLSv1.3' },
        'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
      ],
      [
        'secureProtocol a number with minVersion',
        { secureProtocol: 5, minVersion: 'TLSv1.2' },
        'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
      ],
      ['privateKeyIdentifier without an engine', { privateKeyIdentifier: 'x' }, 'ERR_INVALID_ARG_VALUE'],
      ['privateKeyIdentifier a number', { privateKeyIdentifier: 5, privateKeyEngine: 'x' }, 'ERR_INVALID_ARG_TYPE'],
      ['privateKeyEngine a number', { privateKeyIdentifier: 'x', privateKeyEngine: 5 }, 'ERR_INVALID_ARG_TYPE'],
      ['clientCertEngine a number', { clientCertEngine: 5 }, 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [title, options, code] of cases) it(title, () => sameError(options, code));
  });

  describe('where openssl-tls differs from node:tls on purpose', () => {
    it('engine options load the engine at createSecureContext; a missing one is an error there', () => {
      // test/engine-keys.test.ts has engines that work (a SoftHSM token through pkcs11).
      for (const options of [
        { privateKeyIdentifier: 'id', privateKeyEngine: 'no-such-engine' },
        { clientCertEngine: 'no-such-engine' },
      ]) {
        const r = ours(options);
        assert.ok(!r.ok);
        assert.match(r.error.message, /could not load the shared library/);
      }
      // An engine without a key identifier is not used, so not refused (node:tls ignores it too).
      assert.ok(ours({ privateKeyEngine: 'pkcs11' }).ok);
      assert.ok(nodes({ privateKeyEngine: 'pkcs11' }).ok);
    });

    it("a session id context over 32 bytes is OpenSSL's coded error (node throws one without a code)", () => {
      const r = ours({ sessionIdContext: 'x'.repeat(33) });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'ERR_SSL_SSL_SESSION_ID_CONTEXT_TOO_LONG');
    });
  });
});

describe('getCiphers', () => {
  it('is what the system openssl offers, lower case, unique, sorted', () => {
    const tls13 =
      'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256';
    const out = execFileSync('openssl', ['ciphers', '-ciphersuites', tls13], { encoding: 'utf8' }).trim();
    const expected = [...new Set(out.split(':').map((c) => c.toLowerCase()))].sort();
    const got = getCiphers();
    assert.deepEqual(got, expected);
    assert.ok(got.includes('tls_aes_128_gcm_sha256'));
    assert.ok(got.includes('ecdhe-rsa-aes128-gcm-sha256'));
    const all = new Set(
      execFileSync('openssl', ['ciphers', 'ALL'], { encoding: 'utf8' }).trim().toLowerCase().split(':'),
    );
    for (const name of got) assert.ok(all.has(name) || name.startsWith('tls_'), name);
  });

  it('returns a fresh copy each time', () => {
    const a = getCiphers();
    a.push('changed');
    assert.ok(!getCiphers().includes('changed'));
  });
});

describe('rootCertificates', () => {
  // What the default verify paths hold, counted with node's own X509 parser.
  function systemRoots(): Set<string> {
    const dirOut = execFileSync('openssl', ['version', '-d'], { encoding: 'utf8' });
    const opensslDir = /"(.*)"/.exec(dirOut)?.[1] ?? '/usr/lib/ssl';
    const file = process.env.SSL_CERT_FILE ?? path.join(opensslDir, 'cert.pem');
    const dirs = (process.env.SSL_CERT_DIR ?? path.join(opensslDir, 'certs')).split(':').filter(Boolean);
    const pemBlocks = (text: string): string[] =>
      text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const seen = new Set<string>();
    const add = (p: string): void => {
      let text: string;
      try {
        text = fs.readFileSync(p, 'latin1');
      } catch {
        return;
      }
      for (const pem of pemBlocks(text)) seen.add(new X509Certificate(pem).fingerprint256);
    };
    add(file);
    for (const dir of dirs) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names.filter((n) => /^[0-9a-f]{8}\.\d+$/.test(n))) add(path.join(dir, name));
    }
    return seen;
  }

  it('is the system trust store: non-empty, frozen, PEM, the same certificates', () => {
    assert.ok(Array.isArray(rootCertificates));
    assert.ok(rootCertificates.length > 0);
    assert.ok(Object.isFrozen(rootCertificates));
    for (const pem of rootCertificates) {
      assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    }
    const ours = new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256));
    assert.equal(ours.size, rootCertificates.length, 'no duplicates');
    assert.deepEqual(ours, systemRoots());
  });

  it('is computed once', () => {
    assert.equal(getRootCertificates(), getRootCertificates());
    assert.equal(rootCertificates, getRootCertificates());
  });
});
