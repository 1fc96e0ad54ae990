// The client's host name check in C (native/host_check.cc): with the default
// checkServerIdentity, a certificate whose DNS names surely cover the host is
// accepted without building a certificate object; anything else goes to the JS
// check. Proven against node:tls: over a table of certificates x host names the
// C side never says "match" where node's checkServerIdentity returns an error,
// and over real connections to node:tls servers our client fails and succeeds
// exactly as node's client does, with node's error.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import { binding } from '../lib/internal/binding';
import { checkServerIdentity as ourCheck } from '../lib/policy/check_server_identity';
import * as tls from '../lib/index';
import type { PeerCertificate } from '../lib/internal/types';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

interface Shape {
  cn: string;
  /** Lines of the openssl [alt] section (DNS.1=..., IP.1=...), or none for no subjectAltName. */
  alt?: string[];
  /** Host names for which the C side must answer "match" (the common shapes it exists for). */
  fast?: string[];
  /** Host names node:tls accepts that the C side must leave to the JS check (it is conservative). */
  unsure?: string[];
}

const shapes: Record<string, Shape> = {
  'one-dns': {
    cn: 'cn.example',
    alt: ['DNS.1=www.example.com'],
    fast: ['www.example.com', 'WWW.Example.COM', 'www.example.com.'],
    unsure: ['www.example.com..'],
  },
  'many-dns': {
    cn: 'cn.example',
    alt: ['DNS.1=a.example.com', 'DNS.2=b.example.com', 'DNS.3=localhost'],
    fast: ['a.example.com', 'b.example.com', 'localhost', 'LocalHost.'],
  },
  'dns-and-ip': {
    cn: 'localhost',
    alt: ['DNS.1=localhost', 'IP.1=127.0.0.1', 'IP.2=::1', 'IP.3=1.2.3.4'],
    fast: ['localhost', 'LocalHost.'],
    unsure: ['127.0.0.1', '127.0.0.1.', '::1', '0:0::1', '1.2.3.4', 'localhost..'],
  },
  'upper-case-dns': {
    cn: 'cn.example',
    alt: ['DNS.1=WWW.Example.COM'],
    fast: ['www.example.com', 'WWW.Example.COM', 'www.example.com.'],
  },
  'dns-trailing-dot': {
    cn: 'cn.example',
    alt: ['DNS.1=www.example.com.'],
    fast: ['www.example.com', 'www.example.com.'],
  },
  'dns-empty-label': { cn: 'cn.example', alt: ['DNS.1=a..example.com'] },
  wildcard: {
    cn: 'cn.example',
    alt: ['DNS.1=*.example.com'],
    fast: ['foo.example.com', 'www.example.com', 'F.Example.Com.', '_srv.example.com', 'xn--a.example.com'],
    unsure: ['.example.com', '\u00e9.example.com', '\u212a.example.com', '*.example.com', 'www.example.com..'],
  },
  'wildcard-upper': { cn: 'cn.example', alt: ['DNS.1=*.EXAMPLE.Com'], fast: ['www.example.com', 'F.Example.Com.'] },
  'wildcard-tld': { cn: 'cn.example', alt: ['DNS.1=*.com'] },
  'wildcard-two-labels': { cn: 'cn.example', alt: ['DNS.1=*.localhost'] },
  'wildcard-alone': { cn: 'cn.example', alt: ['DNS.1=*'] },
  'partial-prefix': {
    cn: 'cn.example',
    alt: ['DNS.1=f*.example.com'],
    fast: ['foo.example.com', 'f.example.com', 'F.Example.Com.'],
  },
  'partial-suffix': { cn: 'cn.example', alt: ['DNS.1=*o.example.com'], fast: ['foo.example.com'] },
  'partial-both': { cn: 'cn.example', alt: ['DNS.1=b*z.example.com'], fast: ['baz.example.com', 'bz.example.com'] },
  'partial-overlap': { cn: 'cn.example', alt: ['DNS.1=ab*bc.example.com'], fast: ['abbc.example.com'] },
  'two-stars': { cn: 'cn.example', alt: ['DNS.1=**.example.com', 'DNS.2=*a*.example.com', 'DNS.3=*.*.example.com'] },
  'inner-star': { cn: 'cn.example', alt: ['DNS.1=a.*.example.com'] },
  idna: {
    cn: 'cn.example',
    alt: ['DNS.1=xn--bcher-kva.example', 'DNS.2=xn--*.example.com'],
    fast: ['xn--bcher-kva.example', 'XN--BCHER-KVA.EXAMPLE'],
  },
  'dns-looks-like-ip': { cn: 'cn.example', alt: ['DNS.1=1.2.3.4', 'DNS.2=*.2.3.4'], unsure: ['a.2.3.4'] },
  underscore: { cn: 'cn.example', alt: ['DNS.1=_srv.example.com'], fast: ['_srv.example.com'] },
  // No DNS name: node falls back to the subject CN; always left to JS.
  'ip-only': {
    cn: 'www.example.com',
    alt: ['IP.1=127.0.0.1', 'IP.2=::1'],
    unsure: ['www.example.com', '127.0.0.1', '::1'],
  },
  'cn-only': { cn: 'localhost', unsure: ['localhost', 'LocalHost.'] },
  'cn-wildcard-only': { cn: '*.example.com', unsure: ['www.example.com', 'foo.example.com'] },
  'uri-only': { cn: 'www.example.com', alt: ['URI.1=spiffe://example.com/www'], unsure: ['www.example.com'] },
  // Entries other than DNS and IP, or DNS names node would print quoted: left to JS.
  'dns-and-email': {
    cn: 'cn.example',
    alt: ['DNS.1=www.example.com', 'email.1=admin@example.com'],
    unsure: ['www.example.com'],
  },
  'dns-and-uri': {
    cn: 'cn.example',
    alt: ['DNS.1=www.example.com', 'URI.1=https://www.example.com/'],
    unsure: ['www.example.com'],
  },
  'dns-and-dirname': {
    cn: 'cn.example',
    alt: ['DNS.1=www.example.com', 'dirName=dir_sect'],
    unsure: ['www.example.com'],
  },
  'dns-injection': { cn: 'cn.example', alt: ['DNS.1=x.com, DNS:www.example.com'] },
  'dns-with-space': {
    cn: 'cn.example',
    alt: ['DNS.1=a b.example.com', 'DNS.2=www.example.com'],
    unsure: ['www.example.com'],
  },
  'dns-utf8': {
    cn: 'cn.example',
    alt: ['DNS.1=b\u00fccher.example', 'DNS.2=*.example.com'],
    unsure: ['www.example.com'],
  },
};

const hosts = [
  'www.example.com',
  'WWW.Example.COM',
  'www.example.com.',
  'www.example.com..',
  'example.com',
  'a.b.example.com',
  'foo.example.com',
  'f.example.com',
  'F.Example.Com.',
  'bar.example.com',
  'baz.example.com',
  'bz.example.com',
  'abc.example.com',
  'abbc.example.com',
  'a.example.com',
  'b.example.com',
  'c.example.com',
  'localhost',
  'LocalHost.',
  'localhost..',
  'foo.localhost',
  'cn.example',
  'com',
  'x.com',
  'a',
  '',
  '.',
  '.example.com',
  'a..example.com',
  'a b.example.com',
  'www.example.com\u0000',
  '*.example.com',
  'xn--bcher-kva.example',
  'XN--BCHER-KVA.EXAMPLE',
  'xn--a.example.com',
  'b\u00fccher.example',
  '\u212a.example.com',
  '\u00e9.example.com',
  '_srv.example.com',
  '127.0.0.1',
  '127.0.0.1.',
  '127.000.0.1',
  '::1',
  '0:0::1',
  '[::1]',
  '1.2.3.4',
  'a.2.3.4',
  'admin@example.com',
  'www.example.com:443',
];

let dir = '';
const ders = new Map<string, Buffer>();
const pems = new Map<string, Buffer>();
const key = (): Buffer => fs.readFileSync(path.join(dir, 'key.pem'));

/** One leaf for a shape, signed by the test root CA (so verification passes and the host check decides). */
function makeCert(name: string, shape: Shape): void {
  const cnf = [
    '[req]',
    'distinguished_name=dn',
    'prompt=no',
    '[dn]',
    `CN=${shape.cn}`,
    '[ext]',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    ...(shape.alt ? ['subjectAltName=@alt', '[alt]', ...shape.alt] : []),
    '[dir_sect]',
    'CN=www.example.com',
  ].join('\n');
  const cnfPath = path.join(dir, `${name}.cnf`);
  const out = path.join(dir, `${name}.pem`);
  fs.writeFileSync(cnfPath, `${cnf}\n`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      path.join(dir, 'key.pem'),
      '-CA',
      fixturePath('ca.pem'),
      '-CAkey',
      fixturePath('ca-key.pem'),
      '-config',
      cnfPath,
      '-extensions',
      'ext',
      '-days',
      '30',
      '-out',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  pems.set(name, fs.readFileSync(out));
  ders.set(name, new X509Certificate(fs.readFileSync(out)).raw);
}

type Verdict = 'ok' | 'error' | 'throws';
function verdict(run: () => Error | undefined): Verdict {
  try {
    return run() === undefined ? 'ok' : 'error';
  } catch {
    return 'throws';
  }
}

describe('host name check in C', function () {
  this.timeout(60000);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-hostcheck-'));
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      path.join(dir, 'key.pem'),
    ]);
    for (const [name, shape] of Object.entries(shapes)) makeCert(name, shape);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('never says "match" where node:tls checkServerIdentity rejects', () => {
    for (const [name, shape] of Object.entries(shapes)) {
      it(`${name} [${shape.alt?.join(', ') ?? `CN=${shape.cn}`}] x ${hosts.length} host names`, () => {
        const der = ders.get(name)!;
        const nodeCert = new X509Certificate(der).toLegacyObject() as unknown as nodeTls.PeerCertificate;
        const ourCert = binding.certificateToObject(der) as unknown as PeerCertificate;
        const wrong: string[] = [];
        for (const host of hosts) {
          const fast = binding.certificateNamesHost(der, host);
          const node = verdict(() => nodeTls.checkServerIdentity(host, nodeCert));
          const ours = verdict(() => ourCheck(host, ourCert));
          if (ours !== node) wrong.push(`${JSON.stringify(host)}: JS check ${ours}, node:tls ${node}`);
          if (fast && node !== 'ok') wrong.push(`${JSON.stringify(host)}: C says match, node:tls ${node}`);
          if (shape.fast?.includes(host) === true && !fast)
            wrong.push(`${JSON.stringify(host)}: C is unsure, the table says match`);
          if (shape.unsure?.includes(host) === true && (fast || node !== 'ok')) {
            wrong.push(`${JSON.stringify(host)}: C says ${fast}, node:tls ${node}; the table says unsure, node:tls ok`);
          }
        }
        assert.deepEqual(wrong, []);
        assert.equal(binding.errorQueueLength(), 0);
      });
    }

    it('answers "unsure" for bytes that are not a certificate, and checks its arguments', () => {
      for (const bytes of [
        Buffer.alloc(0),
        Buffer.from([0x30, 0x80, 0, 0]),
        Buffer.from([0x30, 0x03, 0x30, 0x01]),
        ders.get('one-dns')!.subarray(0, 200),
      ]) {
        assert.equal(binding.certificateNamesHost(bytes, 'www.example.com'), false);
      }
      assert.equal(binding.errorQueueLength(), 0);
      assert.throws(() => binding.certificateNamesHost('x' as unknown as Buffer, 'a.com'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
      assert.throws(() => binding.certificateNamesHost(ders.get('one-dns')!, 1 as unknown as string), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    });
  });

  describe('over real connections to node:tls servers', () => {
    const servers = new Map<string, nodeTls.Server>();
    const ports = new Map<string, number>();
    const connected = [
      'one-dns',
      'many-dns',
      'dns-and-ip',
      'wildcard',
      'partial-prefix',
      'idna',
      'ip-only',
      'cn-only',
      'cn-wildcard-only',
      'dns-and-email',
      'dns-injection',
    ];

    before(async () => {
      for (const name of connected) {
        const server = nodeTls.createServer({ key: key(), cert: pems.get(name) }, (s) => {
          s.on('error', () => {});
          s.end();
        });
        server.on('tlsClientError', () => {});
        servers.set(name, server);
        ports.set(name, await listen(server));
      }
    });
    after(async () => {
      for (const server of servers.values()) await close(server);
    });

    interface Outcome {
      ok: boolean;
      error?: {
        keys: string[];
        code: unknown;
        message: string;
        reason: unknown;
        host: unknown;
        string: string;
        cert: unknown;
      };
    }

    /** Connects a client (ours or node's) and reports what the user sees. */
    async function attempt(client: typeof tls | typeof nodeTls, name: string, host: string): Promise<Outcome> {
      const options = {
        port: ports.get(name)!,
        ca: fixture('ca.pem'),
        ...(host === '127.0.0.1' ? { host } : { host: '127.0.0.1', servername: host }),
      };
      const socket = (client as typeof nodeTls).connect(options);
      const result = await new Promise<Outcome>((resolve) => {
        socket.once('secureConnect', () => resolve({ ok: true }));
        socket.once('error', (err: Error & { code?: unknown; reason?: unknown; host?: unknown; cert?: unknown }) => {
          resolve({
            ok: false,
            error: {
              keys: Object.keys(err),
              code: err.code,
              message: err.message,
              reason: err.reason,
              host: err.host,
              string: String(err),
              cert: err.cert,
            },
          });
        });
      });
      socket.destroy();
      return result;
    }

    const pairs: Array<[string, string]> = [];
    for (const name of connected) {
      for (const host of [
        'www.example.com',
        'WWW.EXAMPLE.COM.',
        'a.example.com',
        'foo.example.com',
        'f.example.com',
        'localhost',
        'other.example',
        'xn--bcher-kva.example',
        '127.0.0.1',
      ]) {
        pairs.push([name, host]);
      }
    }

    it(`our client succeeds and fails as node's client does, with node's error (${pairs.length} pairs)`, async () => {
      let matches = 0;
      let mismatches = 0;
      for (const [name, host] of pairs) {
        const theirs = await attempt(nodeTls, name, host);
        const ours = await attempt(tls, name, host);
        const label = `${name} / ${host}`;
        assert.equal(ours.ok, theirs.ok, label);
        if (theirs.ok) {
          matches++;
          continue;
        }
        mismatches++;
        assert.equal(ours.error!.code, 'ERR_TLS_CERT_ALTNAME_INVALID', label);
        const { cert: ourCert, ...ourRest } = ours.error!;
        const { cert: theirCert, ...theirRest } = theirs.error!;
        assert.deepEqual(ourRest, theirRest, label);
        // The whole certificate, issuer chain included, as node's client puts it on the error.
        assert.deepStrictEqual(ourCert, theirCert, label);
      }
      assert.ok(matches >= 10 && mismatches >= 10, `${matches} matches, ${mismatches} mismatches`);
    });

    it('builds no certificate object for the default check when the C side answers', async () => {
      const calls: unknown[] = [];
      const original = tls.TLSSocket.prototype.getPeerCertificate;
      tls.TLSSocket.prototype.getPeerCertificate = function (this: tls.TLSSocket, detailed?: boolean) {
        calls.push(detailed);
        return original.call(this, detailed);
      } as typeof original;
      try {
        assert.equal((await attempt(tls, 'wildcard', 'foo.example.com')).ok, true);
        assert.deepEqual(calls, []);
        // Explicitly passing tls.checkServerIdentity is the default too.
        const c = tls.connect({
          port: ports.get('wildcard')!,
          host: '127.0.0.1',
          servername: 'foo.example.com',
          ca: fixture('ca.pem'),
          checkServerIdentity: tls.checkServerIdentity,
        });
        await waitFor(c, 'secureConnect');
        c.destroy();
        assert.deepEqual(calls, []);
        // A mismatch, or a case left to JS: the detailed certificate, once.
        assert.equal((await attempt(tls, 'wildcard', 'example.com')).ok, false);
        assert.deepEqual(calls, [true]);
        assert.equal((await attempt(tls, 'cn-only', 'localhost')).ok, true);
        assert.deepEqual(calls, [true, true]);
      } finally {
        tls.TLSSocket.prototype.getPeerCertificate = original;
      }
    });

    it('getPeerCertificate() after a C-checked handshake is whole, chain included, every time', async () => {
      // Everything is read in 'secureConnect': these servers end at once, and a socket
      // that has closed has no certificate to show (node:tls answers null then).
      const connectBoth = (client: typeof tls | typeof nodeTls) =>
        new Promise<{
          authorized: boolean;
          detailed: unknown;
          again: unknown;
          plain: unknown;
          der: Buffer | undefined;
        }>((resolve, reject) => {
          const c = (client as typeof nodeTls).connect({
            port: ports.get('one-dns')!,
            host: '127.0.0.1',
            servername: 'www.example.com',
            ca: fixture('ca.pem'),
          });
          c.on('error', reject);
          c.on('secureConnect', () => {
            resolve({
              authorized: c.authorized,
              detailed: c.getPeerCertificate(true),
              again: c.getPeerCertificate(true),
              plain: c.getPeerCertificate(),
              der: c.getPeerX509Certificate()?.raw,
            });
            c.destroy();
          });
        });
      const ours = await connectBoth(tls);
      const theirs = await connectBoth(nodeTls);
      assert.equal(ours.authorized, true);
      const detailed = ours.detailed as nodeTls.DetailedPeerCertificate;
      assert.deepStrictEqual(detailed, theirs.detailed);
      assert.equal(detailed.subjectaltname, 'DNS:www.example.com');
      assert.equal(detailed.issuerCertificate.subject.CN, 'openssl-tls Test Root CA');
      assert.equal(detailed.issuerCertificate.issuerCertificate, detailed.issuerCertificate);
      assert.deepStrictEqual(ours.plain, theirs.plain);
      assert.equal('issuerCertificate' in (ours.plain as object), false);
      // Asked again: a new object, the same content (nothing cached from the check).
      assert.notEqual(ours.again, detailed);
      assert.deepStrictEqual(ours.again, detailed);
      assert.deepEqual(ours.der, ders.get('one-dns'));
    });

    it("a user's checkServerIdentity still gets node's detailed certificate and decides", async () => {
      const seen: Array<[string, nodeTls.DetailedPeerCertificate]> = [];
      const run = (
        client: typeof tls | typeof nodeTls,
        host: string,
        answer: (h: string, c: nodeTls.PeerCertificate) => Error | undefined,
      ) =>
        new Promise<Error | null>((resolve) => {
          const c = (client as typeof nodeTls).connect({
            port: ports.get('one-dns')!,
            host: '127.0.0.1',
            servername: host,
            ca: fixture('ca.pem'),
            checkServerIdentity: (h, cert) => {
              seen.push([h, cert as nodeTls.DetailedPeerCertificate]);
              return answer(h, cert);
            },
          });
          c.once('secureConnect', () => {
            c.destroy();
            resolve(null);
          });
          c.once('error', (err) => resolve(err));
        });
      // A match the C side would have answered: the user's check is called all the same.
      assert.equal(await run(tls, 'www.example.com', () => undefined), null);
      assert.equal(await run(nodeTls, 'www.example.com', () => undefined), null);
      // A mismatch the user accepts.
      assert.equal(await run(tls, 'other.example', () => undefined), null);
      // The user's own error.
      const mine = await run(tls, 'www.example.com', () => Object.assign(new Error('no thanks'), { code: 'MINE' }));
      assert.equal((mine as Error & { code: string }).code, 'MINE');
      assert.equal(seen.length, 4);
      assert.deepEqual(
        seen.map(([h]) => h),
        ['www.example.com', 'www.example.com', 'other.example', 'www.example.com'],
      );
      assert.deepStrictEqual(seen[0][1], seen[1][1]);
      assert.equal(seen[0][1].issuerCertificate.subject.CN, 'openssl-tls Test Root CA');
      assert.equal(seen[2][1].issuerCertificate.issuerCertificate, seen[2][1].issuerCertificate);
    });
  });
});
