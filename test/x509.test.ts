// Certificates as Node's legacy objects: every case is compared with what Node's
// own crypto.X509Certificate#toLegacyObject() gives for the same DER.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as nodeTls from 'node:tls';
import { binding } from '../lib/internal/binding';
import * as ours from '../lib/index';
import type { NativeCertificate, NativeError } from '../typings/native';
import { fixture } from './helpers/fixtures';

// ---- A little DER, enough to build the certificates Node's printer has to handle.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...parts);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function oidBody(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const septets: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) septets.unshift(0x80 | (v & 0x7f));
    out.push(...septets);
  }
  return Buffer.from(out);
}
const oid = (dotted: string): Buffer => tlv(0x06, oidBody(dotted));

/** A Name: one array per RDN, each attribute as [OID, value TLV]. */
function name(...rdns: Array<Array<[string, Buffer]>>): Buffer {
  return seq(...rdns.map((rdn) => set(...rdn.map(([type, value]) => seq(oid(type), value)))));
}

// GeneralName forms (RFC 5280, implicit tags).
const gn = {
  other: (type: string, value: Buffer): Buffer => tlv(0xa0, oid(type), tlv(0xa0, value)),
  email: (s: string): Buffer => tlv(0x81, bytes(s)),
  dns: (s: string): Buffer => tlv(0x82, bytes(s)),
  x400: (): Buffer => tlv(0xa3),
  dir: (n: Buffer): Buffer => tlv(0xa4, n),
  edi: (): Buffer => tlv(0xa5, tlv(0xa1, utf8('party'))),
  uri: (s: string): Buffer => tlv(0x86, bytes(s)),
  ip: (...octets: number[]): Buffer => tlv(0x87, Buffer.from(octets)),
  rid: (dotted: string): Buffer => tlv(0x88, oidBody(dotted)),
};

const OID = {
  cn: '2.5.4.3',
  c: '2.5.4.6',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  san: '2.5.29.17',
  bc: '2.5.29.19',
  ku: '2.5.29.15',
  eku: '2.5.29.37',
  aia: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  upn: '1.3.6.1.4.1.311.20.2.3',
  srvName: '1.3.6.1.5.5.7.8.7',
  xmpp: '1.3.6.1.5.5.7.8.5',
  naiRealm: '1.3.6.1.5.5.7.8.8',
  smtpUtf8: '1.3.6.1.5.5.7.8.9',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

const ecKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const spki = (key: crypto.KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

interface CertParts {
  version?: 1 | 3;
  /** Content bytes of the serial INTEGER. */
  serial?: number[];
  subject?: Buffer;
  issuer?: Buffer;
  notBefore?: Buffer;
  notAfter?: Buffer;
  spki?: Buffer;
  /** [OID, DER of extnValue]; the same OID may repeat. */
  extensions?: Array<[string, Buffer]>;
}

/**
 * A certificate with the given parts. The signature is zeros: nothing here
 * verifies it, and both printers only read the fields.
 */
function makeCert(p: CertParts): Buffer {
  const alg = seq(oid('1.2.840.10045.4.3.2'));
  const subject = p.subject ?? name([[OID.cn, utf8('test')]]);
  const fields = [
    ...(p.version === 1 ? [] : [tlv(0xa0, tlv(0x02, Buffer.from([2])))]),
    tlv(0x02, Buffer.from(p.serial ?? [0x01])),
    alg,
    p.issuer ?? subject,
    seq(p.notBefore ?? tlv(0x17, bytes('250101000000Z')), p.notAfter ?? tlv(0x17, bytes('350101000000Z'))),
    subject,
    p.spki ?? spki(ecKey),
  ];
  if (p.extensions) {
    fields.push(tlv(0xa3, seq(...p.extensions.map(([type, value]) => seq(oid(type), tlv(0x04, value))))));
  }
  return seq(seq(...fields), alg, tlv(0x03, Buffer.alloc(65)));
}

const san = (...names: Buffer[]): [string, Buffer] => [OID.san, seq(...names)];
const aia = (...entries: Array<[string, Buffer]>): [string, Buffer] => [
  OID.aia,
  seq(...entries.map(([method, location]) => seq(oid(method), location))),
];

// ---- Comparison with the oracle

function assertSameAsNode(der: Buffer): void {
  const want = new crypto.X509Certificate(der).toLegacyObject() as unknown as Record<string, unknown>;
  const got = binding.certificateToObject(der) as unknown as Record<string, unknown>;
  // deepStrictEqual also compares prototypes (null-prototype subject, issuer, infoAccess).
  assert.deepStrictEqual(got, want);
  assert.deepStrictEqual(Object.keys(got), Object.keys(want));
  for (const key of ['subject', 'issuer', 'infoAccess']) {
    const inner = want[key];
    if (inner !== null && typeof inner === 'object') {
      assert.deepStrictEqual(Object.keys(got[key] as object), Object.keys(inner));
    }
  }
}

function pemToDer(pem: Buffer): Buffer {
  return new crypto.X509Certificate(pem).raw;
}

describe('x509: certificate objects', () => {
  describe('the test fixtures, as Node prints them', () => {
    const files = [
      'ca.pem',
      'inter.pem',
      'server-rsa.pem',
      'server-ec.pem',
      'client.pem',
      'client-ec.pem',
      'wronghost.pem',
      'server-inter.pem',
      'revoked.pem',
      'expired.pem',
      'selfsigned.pem',
    ];
    for (const file of files) {
      it(file, () => assertSameAsNode(pemToDer(fixture(file))));
    }

    it('has the shape tls prints for an RSA server certificate', () => {
      const der = pemToDer(fixture('server-rsa.pem'));
      const c = binding.certificateToObject(der);
      assert.equal(Object.getPrototypeOf(c), Object.prototype);
      assert.equal(Object.getPrototypeOf(c.subject), null);
      assert.equal(Object.getPrototypeOf(c.issuer), null);
      assert.equal(Object.getPrototypeOf(c.infoAccess), null);
      assert.equal(c.subject.CN, 'localhost');
      assert.equal(
        c.subjectaltname,
        'DNS:localhost, DNS:*.test.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      );
      assert.deepEqual(
        { ...c.infoAccess },
        {
          'OCSP - URI': ['http://127.0.0.1:8888/'],
          'CA Issuers - URI': ['http://127.0.0.1:8888/ca.pem'],
        },
      );
      assert.equal(c.ca, false);
      assert.equal(c.bits, 2048);
      assert.equal(c.exponent, '0x10001');
      assert.match(c.modulus ?? '', /^[0-9A-F]{512}$/);
      assert.match(c.valid_from, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
      assert.match(c.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.deepEqual(c.ext_key_usage, [OID.serverAuth]);
      assert.deepEqual(c.raw, der);
      assert.deepEqual(c.pubkey, spki(crypto.createPublicKey(fixture('server-rsa-key.pem'))));
      assert.equal(c.issuerCertificate, undefined);
    });

    it('has the curve of an EC certificate', () => {
      const c = binding.certificateToObject(pemToDer(fixture('server-ec.pem')));
      assert.equal(c.asn1Curve, 'prime256v1');
      assert.equal(c.nistCurve, 'P-256');
      assert.equal(c.bits, 256);
      assert.equal(c.modulus, undefined);
      assert.equal(c.pubkey?.length, 65);
    });
  });

  describe('names', () => {
    it('repeated, unknown, empty and non-UTF-8 attributes', () => {
      const subject = name(
        [[OID.c, tlv(0x13, bytes('US'))]],
        [[OID.ou, utf8('One')]],
        [
          [OID.ou, utf8('Two')],
          [OID.cn, utf8('multi-valued')],
        ],
        [[OID.ou, utf8('Three')]],
        [['1.2.3.4', utf8('custom')]],
        [[OID.o, tlv(0x1e, Buffer.from('\u0000B\u0000M\u0000P\u0000\u00fc', 'latin1'))]], // BMPString
        [['2.5.4.7', tlv(0x14, bytes('t61\u00fc'))]], // T61String
        [['2.5.4.8', tlv(0x16, bytes(''))]],
        [['2.5.4.12', utf8('toString')]],
        [[OID.cn, utf8('a"b\\c,d\ne\u0001\u00fc')]],
      );
      assertSameAsNode(makeCert({ subject, issuer: name() }));
    });

    it('a name with an attribute that is not a string is left out', () => {
      const odd = name([[OID.cn, utf8('a')]], [['1.2.3.5', seq(utf8('x'))]]);
      assertSameAsNode(makeCert({ subject: odd, issuer: name([[OID.cn, utf8('issuer')]]) }));
      assertSameAsNode(makeCert({ subject: name([[OID.cn, utf8('a')]]), issuer: odd }));
      const c = binding.certificateToObject(makeCert({ subject: odd }));
      assert.equal('subject' in c, false);
    });
  });

  describe('subjectaltname', () => {
    it('quotes names that could be misread, as Node does', () => {
      const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => gn.dns(`a${String.fromCharCode(0x20 + i)}`));
      assertSameAsNode(
        makeCert({
          extensions: [
            san(
              ...printable,
              gn.dns('a,b.example'),
              gn.dns('nl\nx\u007f\u0001'),
              gn.dns('nul\u0000x'),
              gn.dns('utf\u00c3\u00bc'),
              gn.dns(''),
              gn.dns('colon:x'),
              gn.uri('http://x.example/a?b=c,d'),
              gn.uri('http://x.example/ok'),
              gn.email('foo@bar.example'),
              gn.email('e\\x'),
            ),
          ],
        }),
      );
    });

    it('IP addresses, registered IDs, other names, directory names', () => {
      const dir = name(
        [[OID.cn, utf8('q"b\\c\n\u0001\u007f\u00fc #x')]],
        [
          [OID.ou, utf8('x')],
          [OID.o, utf8('A+B')],
        ],
        [['1.2.3.4', utf8('cu')]],
        [[OID.o, utf8(' lead')]],
      );
      assertSameAsNode(
        makeCert({
          extensions: [
            san(
              gn.ip(127, 0, 0, 1),
              gn.ip(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd),
              gn.ip(1, 2, 3, 4, 5),
              gn.ip(),
              gn.ip(10, 0, 0, 0, 255, 255, 255, 0),
              gn.rid('1.2.3.4'),
              gn.rid(OID.serverAuth),
              gn.other(OID.upn, utf8('upn@example')),
              gn.other(OID.upn, utf8('u"p\u00fc')),
              gn.other(OID.upn, tlv(0x16, bytes('ia5-is-unsupported'))),
              gn.other(OID.srvName, tlv(0x16, bytes('_sip._tcp,\u00c3\u00bc'))),
              gn.other(OID.xmpp, utf8('xmpp@example')),
              gn.other(OID.naiRealm, utf8('nai.example')),
              gn.other(OID.smtpUtf8, utf8("x'y")),
              gn.other('1.2.3.4', utf8('unknown')),
              gn.dir(dir),
              gn.dir(name([[OID.cn, utf8('\u00fc')]])),
              gn.dir(name()),
              gn.x400(),
              gn.edi(),
            ),
          ],
        }),
      );
    });

    it('is the empty string for an empty extension, null for one that cannot be read', () => {
      assertSameAsNode(makeCert({ extensions: [san()] }));
      assertSameAsNode(makeCert({ extensions: [[OID.san, Buffer.from('3003820201', 'hex')]] }));
      const unreadable = binding.certificateToObject(makeCert({ extensions: [[OID.san, Buffer.from('0403', 'hex')]] }));
      assert.equal(unreadable.subjectaltname, null);
      // Only the first extension counts.
      assertSameAsNode(makeCert({ extensions: [san(gn.dns('first')), san(gn.dns('second'))] }));
    });
  });

  describe('infoAccess', () => {
    it('groups locations by method and type, unquoting values', () => {
      assertSameAsNode(
        makeCert({
          extensions: [
            aia(
              [OID.ocsp, gn.uri('http://a/"q"')],
              [OID.caIssuers, gn.uri('http://b/\u00c3\u00bc')],
              [OID.ocsp, gn.uri('http://c/,d')],
              ['1.2.3.4', gn.ip(1, 2, 3, 4, 5)],
              ['1.3.6.1.5.5.7.48.5', gn.other(OID.upn, utf8('upn'))],
              [OID.caIssuers, gn.dns('dns.example')],
              [
                OID.caIssuers,
                gn.dir(
                  name([
                    [OID.cn, utf8('Dir')],
                    [OID.o, utf8('My, Org')],
                  ]),
                ),
              ],
              [OID.caIssuers, gn.rid('1.2.3')],
              [OID.caIssuers, gn.email('a@b')],
            ),
          ],
        }),
      );
    });

    it('is an empty object for an empty extension, null for one that cannot be read', () => {
      assertSameAsNode(makeCert({ extensions: [aia()] }));
      assertSameAsNode(makeCert({ extensions: [[OID.aia, Buffer.from('3003820201', 'hex')]] }));
      const unreadable = binding.certificateToObject(
        makeCert({ extensions: [[OID.aia, Buffer.from('3003820101', 'hex')]] }),
      );
      assert.equal(unreadable.infoAccess, null);
    });
  });

  describe('keys', () => {
    const cases: Array<[string, () => crypto.KeyObject]> = [
      ['RSA with a modulus that starts with a zero digit', () => rsa(1020, 0x1000b)],
      ['RSA with exponent 3', () => rsa(1024, 3)],
      ['RSA of an odd size', () => rsa(1023, 65537)],
      ['P-384', () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
      ['secp256k1 (no NIST name)', () => crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey],
      ['brainpoolP256r1', () => crypto.generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).publicKey],
      ['Ed25519 (no key fields)', () => crypto.generateKeyPairSync('ed25519').publicKey],
      ['RSA-PSS (no key fields)', () => crypto.generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey],
      [
        'DSA (no key fields)',
        () => crypto.generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey,
      ],
    ];
    function rsa(modulusLength: number, publicExponent: number): crypto.KeyObject {
      return crypto.generateKeyPairSync('rsa', { modulusLength, publicExponent }).publicKey;
    }
    for (const [title, key] of cases) {
      it(title, () => assertSameAsNode(makeCert({ spki: spki(key()) })));
    }

    it('a compressed EC point comes out uncompressed', () => {
      const point = crypto.ECDH.convertKey(ecPoint(ecKey), 'prime256v1', undefined, undefined, 'compressed') as Buffer;
      const compressed = seq(
        seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
        tlv(0x03, Buffer.from([0]), point),
      );
      assertSameAsNode(makeCert({ spki: compressed }));
      const c = binding.certificateToObject(makeCert({ spki: compressed }));
      assert.deepEqual(c.pubkey, ecPoint(ecKey));
    });
    function ecPoint(key: crypto.KeyObject): Buffer {
      const der = spki(key);
      return der.subarray(der.length - 65);
    }
  });

  describe('other fields', () => {
    it('serial numbers: zero, negative, high bit, long', () => {
      for (const serial of [
        [0],
        [0xfb],
        [0x00, 0x80],
        [0x07, 0x89, 0xbe],
        Array.from({ length: 20 }, (_, i) => i + 1),
      ]) {
        assertSameAsNode(makeCert({ serial }));
      }
    });

    it('dates as UTCTime and GeneralizedTime', () => {
      assertSameAsNode(
        makeCert({ notBefore: tlv(0x17, bytes('200105030405Z')), notAfter: tlv(0x18, bytes('20501231235959Z')) }),
      );
    });

    it('ca: only a basicConstraints CA counts', () => {
      const bcTrue = seq(tlv(0x01, Buffer.from([0xff])));
      const keyCertSign = tlv(0x03, Buffer.from([0x02, 0x04]));
      assertSameAsNode(makeCert({ extensions: [[OID.bc, bcTrue]] }));
      assert.equal(binding.certificateToObject(makeCert({ extensions: [[OID.bc, bcTrue]] })).ca, true);
      assertSameAsNode(makeCert({ extensions: [[OID.ku, keyCertSign]] }));
      assertSameAsNode(makeCert({ version: 1 }));
      assertSameAsNode(makeCert({ extensions: [[OID.bc, Buffer.from('3003820101', 'hex')]] }));
    });

    it('ext_key_usage: only when there is exactly one readable extension', () => {
      const eku = (...oids: string[]): [string, Buffer] => [OID.eku, seq(...oids.map(oid))];
      assertSameAsNode(makeCert({ extensions: [eku(OID.serverAuth, OID.clientAuth, '1.2.3.4.5')] }));
      assertSameAsNode(makeCert({ extensions: [eku()] }));
      assertSameAsNode(makeCert({ extensions: [eku(OID.serverAuth), eku(OID.clientAuth)] }));
      assertSameAsNode(makeCert({ extensions: [[OID.eku, Buffer.from('3003820201', 'hex')]] }));
    });
  });

  describe('errors', () => {
    for (const [title, der] of [
      ['garbage', Buffer.from('not a certificate')],
      ['an empty buffer', Buffer.alloc(0)],
      ['a truncated certificate', pemToDer(fixture('server-rsa.pem')).subarray(0, 100)],
    ] as const) {
      it(`${title} throws an OpenSSL error`, () => {
        assert.throws(
          () => binding.certificateToObject(der),
          (err: NativeError) => {
            assert.ok(err instanceof Error);
            assert.match(err.code, /^ERR_OSSL_/);
            return true;
          },
        );
        // The error queue was left empty: the next certificate converts cleanly.
        assertSameAsNode(pemToDer(fixture('ca.pem')));
      });
    }
  });
});

// ---- The issuer chain, through real connections: ours against Node's tls.

type TlsModule = typeof nodeTls;
const oursTls = ours as unknown as TlsModule;

interface Listening {
  port: number;
  close(): void;
}

/** Starts a server with `lib`; each accepted socket reports getPeerCertificate(detailed). */
async function listen(
  lib: TlsModule,
  options: nodeTls.TlsOptions,
  detailed: boolean,
): Promise<Listening & { peer: Promise<unknown> }> {
  let report: (peer: unknown) => void = () => {};
  const peer = new Promise<unknown>((resolve) => (report = resolve));
  const server = lib.createServer(options, (socket) => {
    socket.on('error', () => {});
    report(socket.getPeerCertificate(detailed));
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => server.close(), peer };
}

/** Connects with `lib` and gives what getPeerCertificate(detailed) returned on the client. */
function peerOfServer(lib: TlsModule, options: nodeTls.ConnectionOptions, detailed: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = lib.connect({ host: '127.0.0.1', servername: 'localhost', ...options }, () => {
      resolve(socket.getPeerCertificate(detailed));
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** The subject CNs up the chain; '(self)' marks a certificate that is its own issuer. */
function chainNames(cert: unknown): string[] {
  const names: string[] = [];
  let c = cert as NativeCertificate | undefined;
  for (let i = 0; c !== undefined && i < 10; i++) {
    names.push(String(c.subject.CN));
    if (c.issuerCertificate === c) {
      names.push('(self)');
      break;
    }
    c = c.issuerCertificate;
  }
  return names;
}

describe('x509: peer certificate chains, as Node links them', () => {
  const root = 'openssl-tls Test Root CA';
  const inter = 'openssl-tls Test Intermediate CA';
  const clientCases: Array<[string, nodeTls.TlsOptions, nodeTls.ConnectionOptions, string[]]> = [
    [
      'a chain with an intermediate, completed from our CA',
      { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') },
      { ca: fixture('ca.pem') },
      ['localhost', inter, root, '(self)'],
    ],
    [
      'a leaf signed by the root',
      { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') },
      { ca: fixture('ca.pem') },
      ['localhost', root, '(self)'],
    ],
    [
      'a self-signed certificate',
      { key: fixture('selfsigned-key.pem'), cert: fixture('selfsigned.pem') },
      { rejectUnauthorized: false },
      ['localhost', '(self)'],
    ],
    [
      'a chain whose root we do not have',
      { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') },
      { ca: fixture('selfsigned.pem'), rejectUnauthorized: false },
      ['localhost', inter],
    ],
  ];
  for (const [title, serverOptions, clientOptions, names] of clientCases) {
    it(`client side: ${title}`, async () => {
      const server = await listen(nodeTls, serverOptions, false);
      try {
        const want = await peerOfServer(nodeTls, { port: server.port, ...clientOptions }, true);
        const got = await peerOfServer(oursTls, { port: server.port, ...clientOptions }, true);
        assert.deepStrictEqual(chainNames(want), names);
        assert.deepStrictEqual(got, want);
        const plain = await peerOfServer(oursTls, { port: server.port, ...clientOptions }, false);
        assert.deepStrictEqual(plain, await peerOfServer(nodeTls, { port: server.port, ...clientOptions }, false));
        assert.equal('issuerCertificate' in (plain as object), false);
      } finally {
        server.close();
      }
    });
  }

  const serverCases: Array<[string, nodeTls.ConnectionOptions, string[]]> = [
    [
      'a client certificate signed by the root',
      { key: fixture('client-key.pem'), cert: fixture('client.pem') },
      ['test client', root, '(self)'],
    ],
    [
      'a client certificate with an intermediate',
      { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') },
      ['localhost', inter, root, '(self)'],
    ],
  ];
  for (const [title, clientOptions, names] of serverCases) {
    it(`server side: ${title}`, async () => {
      const serverOptions: nodeTls.TlsOptions = {
        key: fixture('server-rsa-key.pem'),
        cert: fixture('server-rsa.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
        rejectUnauthorized: false,
      };
      const peers: unknown[] = [];
      for (const lib of [nodeTls, oursTls]) {
        const server = await listen(lib, serverOptions, true);
        try {
          await peerOfServer(nodeTls, { port: server.port, ca: fixture('ca.pem'), ...clientOptions }, false);
          peers.push(await server.peer);
        } finally {
          server.close();
        }
      }
      assert.deepStrictEqual(chainNames(peers[0]), names);
      assert.deepStrictEqual(peers[1], peers[0]);
    });
  }
});
