// createSecureContext on input node:tls takes without complaint or words its own
// way: a `ca` holding no certificate, PFX bundles missing their key or their
// certificate, engine options. Every case runs on node:tls and openssl-tls and
// compares what the program sees.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as nodeTls from 'node:tls';
import { defaults } from '../lib/context/defaults';
import { same, type Tls } from './helpers/both_modules';
import { fixture, fixturePath } from './helpers/fixtures';
import { impls, runPair } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

// What a client says of a server whose leaf it cannot tie to a trusted root.
const kUntrusted = 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';

/** What a client trusting only `ca` says of the test server (ok, or its error code), on each module. */
async function verifyWith(ca: unknown): Promise<string[]> {
  const results: string[] = [];
  for (const impl of impls) {
    const r = await runPair({
      server: impl,
      client: impl,
      serverOptions: rsa,
      clientOptions: { ca, rejectUnauthorized: true, servername: 'localhost' },
    });
    results.push(r.client.error ?? (r.client.socket ? 'ok' : 'none'));
  }
  return results;
}

describe('a ca option that holds no certificate, as node:tls takes it', () => {
  const caPem = fixture('ca.pem').toString('latin1');

  for (const [title, ca] of [
    ['a private key', fixture('server-rsa-key.pem')],
    ['plain text', 'not a certificate'],
    ['DER bytes', Buffer.from([0x30, 0x82, 0x01, 0x00])],
    ['an empty string inside an array', ['']],
  ] as const) {
    it(`${title}: accepted, and trusts nothing`, async () => {
      assert.equal(
        same((tls) => tls.createSecureContext({ ca: ca as string })),
        'ok',
      );
      assert.deepEqual(await verifyWith(ca), [kUntrusted, kUntrusted]);
    });
  }

  it('text around a certificate: the certificate counts', async () => {
    assert.deepEqual(await verifyWith(`before\n${caPem}\nafter\n`), ['ok', 'ok']);
  });

  it('a key before the certificate: the certificate counts', async () => {
    assert.deepEqual(await verifyWith(Buffer.concat([fixture('server-rsa-key.pem'), fixture('ca.pem')])), ['ok', 'ok']);
  });

  it('a broken certificate before a good one: reading stops at the broken one', async () => {
    const broken = caPem.replace(/^(-----BEGIN CERTIFICATE-----\n)(.{10})/, '$1!!!!!!!!!!');
    assert.deepEqual(await verifyWith(`${broken}${caPem}`), [kUntrusted, kUntrusted]);
  });
});

describe('PFX bundles missing a part, or in algorithms this OpenSSL lacks', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-pfx-'));
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-nokeys',
      '-in',
      fixturePath('server-rsa.pem'),
      '-out',
      path.join(tmp, 'nokey.pfx'),
      '-passout',
      'pass:test',
    ]);
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-nocerts',
        '-inkey',
        fixturePath('server-rsa-key.pem'),
        '-out',
        path.join(tmp, 'nocert.pfx'),
        '-passout',
        'pass:test',
      ],
      { stdio: 'ignore' },
    );
    // RC2-40, written by the system openssl with its legacy provider; the libraries load none.
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-legacy',
      '-inkey',
      fixturePath('server-rsa-key.pem'),
      '-in',
      fixturePath('server-rsa.pem'),
      '-out',
      path.join(tmp, 'legacy.pfx'),
      '-passout',
      'pass:legacy',
    ]);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("legacy algorithms this OpenSSL lacks: ERR_CRYPTO_UNSUPPORTED_OPERATION, 'Unsupported PKCS12 PFX data'", () => {
    const pfx = fs.readFileSync(path.join(tmp, 'legacy.pfx'));
    const outcome = same((tls: Tls) => tls.createSecureContext({ pfx, passphrase: 'legacy' }));
    assert.equal(outcome, 'Error ERR_CRYPTO_UNSUPPORTED_OPERATION Unsupported PKCS12 PFX data');
  });

  it('without a key: "Unable to load private key from PFX data"', () => {
    const pfx = fs.readFileSync(path.join(tmp, 'nokey.pfx'));
    assert.equal(
      same((tls) => tls.createSecureContext({ pfx, passphrase: 'test' })),
      'Error ERR_CRYPTO_OPERATION_FAILED Unable to load private key from PFX data',
    );
  });

  it('without a certificate: "Unable to load certificate from PFX data"', () => {
    const pfx = fs.readFileSync(path.join(tmp, 'nocert.pfx'));
    assert.equal(
      same((tls) => tls.createSecureContext({ pfx, passphrase: 'test' })),
      'Error ERR_CRYPTO_OPERATION_FAILED Unable to load certificate from PFX data',
    );
  });

  it('without a key, but a certificate carrying the key bag OID: still "private key"', () => {
    // The OID of a PKCS#12 shrouded key bag, in an extension of a certificate given alone
    // (not encrypted): only the parsed bundle can tell that no key is in it.
    const key = path.join(tmp, 'oid-key.pem');
    const cert = path.join(tmp, 'oid.pem');
    const oid = '1.2.840.113549.1.12.10.1.2';
    execFileSync(
      'openssl',
      ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'].concat([
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=oid',
        '-addext',
        `${oid}=ASN1:NULL`,
      ]),
      { stdio: 'ignore' },
    );
    const out = path.join(tmp, 'oid-nokey.pfx');
    execFileSync(
      'openssl',
      ['pkcs12', '-export', '-nokeys', '-certpbe', 'NONE', '-in', cert, '-out', out, '-passout', 'pass:test'],
      {
        stdio: 'ignore',
      },
    );
    const pfx = fs.readFileSync(out);
    assert.equal(
      same((tls) => tls.createSecureContext({ pfx, passphrase: 'test' })),
      'Error ERR_CRYPTO_OPERATION_FAILED Unable to load private key from PFX data',
    );
  });

  it('a client with a key-less PFX fails at connect with that error', () => {
    const pfx = fs.readFileSync(path.join(tmp, 'nokey.pfx'));
    assert.match(
      same((tls) => tls.connect({ port: 1, pfx, passphrase: 'test' })),
      /Unable to load private key from PFX data/,
    );
  });
});

describe('engine options, checked as node:tls checks them', () => {
  const cases: Array<[string, object]> = [
    ['privateKeyIdentifier with a key', { ...rsa, privateKeyIdentifier: 'id', privateKeyEngine: 'e' }],
    ['privateKeyIdentifier without an engine', { privateKeyIdentifier: 'id' }],
    ['privateKeyIdentifier a number', { privateKeyIdentifier: 0, privateKeyEngine: 'e' }],
    ['privateKeyEngine a number', { privateKeyIdentifier: 'id', privateKeyEngine: 0 }],
    ['privateKeyEngine alone (not used)', { privateKeyEngine: 'e' }],
    ['privateKeyEngine alone, a number (not used)', { privateKeyEngine: 0 }],
    ['clientCertEngine a number', { clientCertEngine: 0 }],
    ['clientCertEngine null', { clientCertEngine: null }],
    // Engines load now (test/engine-keys.test.ts): a missing one is OpenSSL's error, as in node:tls.
    ['privateKeyEngine that does not exist', { privateKeyIdentifier: 'id', privateKeyEngine: 'no-such-engine' }],
    ['clientCertEngine that does not exist', { clientCertEngine: 'no-such-engine' }],
  ];
  for (const [title, options] of cases) it(title, () => void same((tls) => tls.createSecureContext(options)));
});

describe('messages that print the value given', () => {
  for (const [title, options] of [
    ['minVersion a function', { minVersion: () => 'TLSv1.2' }],
    ['maxVersion a symbol', { maxVersion: Symbol('v') }],
    ['minVersion an object', { minVersion: { v: 1 } }],
  ] as const) {
    it(title, () => void same((tls) => tls.createSecureContext(options as unknown as nodeTls.SecureContextOptions)));
  }
});

describe('secureProtocol under a raised DEFAULT_MIN_VERSION, as node:tls', () => {
  // SSLv23_method caps the maximum at TLS 1.2 and keeps the default minimum: with
  // DEFAULT_MIN_VERSION = 'TLSv1.3' (node's --tls-min-v1.3) nothing is left to offer.
  it("SSLv23_method keeps the minimum: the server has no protocol (node's code)", async () => {
    // The modules themselves (a namespace import's properties are copies).
    const nodeModule = createRequire(__filename)('node:tls') as Tls;
    const saved = { ours: defaults.DEFAULT_MIN_VERSION, node: nodeModule.DEFAULT_MIN_VERSION };
    defaults.DEFAULT_MIN_VERSION = 'TLSv1.3';
    nodeModule.DEFAULT_MIN_VERSION = 'TLSv1.3';
    try {
      const results: Array<string | undefined> = [];
      for (const impl of impls) {
        const r = await runPair({
          server: impl,
          client: impl,
          serverOptions: { ...rsa, secureProtocol: 'SSLv23_method' },
          clientOptions: { rejectUnauthorized: false, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' },
        });
        results.push(`${String(r.server.error)} ${String(r.client.error)}`);
      }
      assert.equal(results[0], results[1]);
      assert.match(results[0] ?? '', /^ERR_SSL_NO_PROTOCOLS_AVAILABLE /);
    } finally {
      defaults.DEFAULT_MIN_VERSION = saved.ours;
      nodeModule.DEFAULT_MIN_VERSION = saved.node;
    }
  });
});

describe("a SecureContext's native context takes PEM text too, as node:tls's does", () => {
  it('context.addCACert(pem string) trusts that CA for a connection made with it', async () => {
    const caText = fixture('ca.pem').toString();
    const results: unknown[] = [];
    for (const impl of impls) {
      const make = (impl as unknown as typeof nodeTls).createSecureContext;
      const outcome = async (withCa: boolean) => {
        const secureContext = make({});
        if (withCa) (secureContext.context as { addCACert(ca: string): void }).addCACert(caText);
        const r = await runPair({
          server: impl,
          client: impl,
          serverOptions: rsa,
          clientOptions: { secureContext, rejectUnauthorized: true, servername: 'localhost' },
        });
        return r.client.error ?? 'ok';
      };
      results.push([impl.name, await outcome(false), await outcome(true)]);
    }
    assert.deepEqual(results, [
      ['ours', kUntrusted, 'ok'],
      ['node', kUntrusted, 'ok'],
    ]);
  });
});

describe('allowPartialTrustChain', () => {
  // The server sends its leaf and the intermediate; the client trusts only the intermediate.
  const serverOptions = { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') };

  it('a CA that is no root anchors the chain only with the option, as in node:tls', async () => {
    const results: unknown[] = [];
    for (const impl of impls) {
      const outcome = async (allow: boolean | undefined) => {
        const r = await runPair({
          server: impl,
          client: impl,
          serverOptions,
          clientOptions: {
            ca: fixture('inter.pem'),
            rejectUnauthorized: true,
            servername: 'localhost',
            ...(allow === undefined ? {} : { allowPartialTrustChain: allow }),
          },
        });
        return r.client.error ?? 'ok';
      };
      results.push([impl.name, await outcome(undefined), await outcome(false), await outcome(true)]);
    }
    assert.deepEqual(results, [
      ['ours', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'ok'],
      ['node', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'ok'],
    ]);
  });
});

describe("the module's exports, replaceable as node:tls's are", () => {
  it('a replaced createSecureContext is what connect(), createServer() and addContext() call', () => {
    // The module objects themselves (an ESM namespace of either could not be assigned to).
    const req = createRequire(__filename);
    const results: string[][] = [];
    for (const tls of [req('node:tls'), req('../lib/index')] as Tls[]) {
      const exported = tls as unknown as Record<string, unknown>;
      const original = tls.createSecureContext;
      const calls: string[] = [];
      exported.createSecureContext = (options: nodeTls.SecureContextOptions) => {
        calls.push(options.ciphers === tls.DEFAULT_CIPHERS ? 'default ciphers' : String(options.ciphers));
        return original(options);
      };
      try {
        const server = tls.createServer(rsa);
        server.addContext('a.test', { ...rsa, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
        const c = tls.connect({ port: 1, host: '127.0.0.1' });
        c.on('error', () => {});
        c.destroy();
      } finally {
        exported.createSecureContext = original;
      }
      results.push(calls);
    }
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[0], ['undefined', 'ECDHE-RSA-AES128-GCM-SHA256', 'default ciphers']);
  });

  it('connect, createServer and the others can be replaced by assignment (as APM agents do)', () => {
    // In a plain node process on dist/, what a program loads (tsx, which runs these tests
    // on lib/, makes every export a fixed getter).
    const script = `
      const names = ['connect', 'createServer', 'createSecureContext', 'getCiphers', 'checkServerIdentity', 'Server'];
      const out = {};
      for (const [label, id] of [['node', 'node:tls'], ['ours', process.argv[1]]]) {
        const m = require(id);
        out[label] = names.filter((name) => {
          const original = m[name];
          const stand = () => name;
          m[name] = stand;
          const took = m[name] === stand;
          m[name] = original;
          return took && m[name] === original;
        });
        out[label].push(Object.getOwnPropertyDescriptor(m, 'rootCertificates').configurable);
      }
      console.log(JSON.stringify(out));`;
    const dist = path.join(__dirname, '..', 'dist', 'index.js');
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script, dist], { encoding: 'utf8' })) as Record<
      string,
      unknown[]
    >;
    assert.deepEqual(out.ours, out.node);
    assert.deepEqual(out.node, [
      'connect',
      'createServer',
      'createSecureContext',
      'getCiphers',
      'checkServerIdentity',
      'Server',
      false,
    ]);
  });
});
