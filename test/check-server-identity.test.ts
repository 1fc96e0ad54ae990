// checkServerIdentity against node:tls's own, case by case: same verdict, code,
// message and reason (and the same thrown error for malformed subjectaltname).
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as nodeTls from 'node:tls';
import { checkServerIdentity } from '../lib/policy/check_server_identity';
import type { PeerCertificate } from '../lib/internal/types';
import { fixture } from './helpers/fixtures';

// Tests hand in only the fields checkServerIdentity reads, as users' own checks do.
function cert(cn: string | string[] | undefined, subjectaltname?: string): PeerCertificate {
  const subject: Record<string, string | string[]> = cn === undefined ? {} : { CN: cn };
  return { subject, subjectaltname } as PeerCertificate;
}
const san = (subjectaltname: string): PeerCertificate => cert(undefined, subjectaltname);
const realCert = (name: string): PeerCertificate =>
  new X509Certificate(fixture(name)).toLegacyObject() as unknown as PeerCertificate;

type Outcome =
  | { kind: 'ok' }
  | { kind: 'error' | 'thrown'; name: string; code: unknown; message: string; reason: unknown; host: unknown };

function outcome(run: () => Error | undefined): Outcome {
  let error: Error | undefined;
  let kind: 'error' | 'thrown' = 'error';
  try {
    error = run();
  } catch (thrown) {
    assert.ok(thrown instanceof Error, 'only Errors are thrown');
    error = thrown;
    kind = 'thrown';
  }
  if (error === undefined) return { kind: 'ok' };
  const fields = error as Error & { code?: unknown; reason?: unknown; host?: unknown };
  return {
    kind,
    name: error.name,
    code: fields.code,
    message: error.message,
    reason: fields.reason,
    host: fields.host,
  };
}

// [hostname, certificate, what node:tls says (documents the case; the oracle decides)]
const cases: Array<[string, () => PeerCertificate, 'ok' | 'error' | 'throws']> = [
  // Exact DNS names, case and trailing dots.
  ['a.com', () => san('DNS:a.com'), 'ok'],
  ['b.com', () => san('DNS:a.com, DNS:c.com'), 'error'],
  ['A.COM', () => san('DNS:a.com'), 'ok'],
  ['a.com', () => san('DNS:A.Com'), 'ok'],
  ['a.com.', () => san('DNS:a.com'), 'ok'],
  ['a.com', () => san('DNS:a.com.'), 'ok'],
  ['A.COM.', () => san('DNS:b.com'), 'error'],
  ['a.com..', () => san('DNS:a.com'), 'ok'],
  ['a.com..', () => san('DNS:a.com..'), 'error'],
  ['a..com', () => san('DNS:a..com'), 'error'],
  ['localhost', () => san('DNS:localhost'), 'ok'],
  ['', () => san('DNS:a.com'), 'error'],
  // Wildcards.
  ['www.example.com', () => san('DNS:*.example.com'), 'ok'],
  ['WWW.Example.COM', () => san('DNS:*.EXAMPLE.com'), 'ok'],
  ['example.com', () => san('DNS:*.example.com'), 'error'],
  ['a.b.example.com', () => san('DNS:*.example.com'), 'error'],
  ['.example.com', () => san('DNS:*.example.com'), 'ok'],
  ['www.example.com.', () => san('DNS:*.example.com.'), 'ok'],
  ['example.com', () => san('DNS:*.com'), 'error'],
  ['a', () => san('DNS:*'), 'error'],
  ['a.b.com', () => san('DNS:a.*.com'), 'error'],
  ['a.b.com', () => san('DNS:**.b.com'), 'error'],
  ['a.b.com', () => san('DNS:*a*.b.com'), 'error'],
  ['foo.example.com', () => san('DNS:f*.example.com'), 'ok'],
  ['foo.example.com', () => san('DNS:*o.example.com'), 'ok'],
  ['bar.example.com', () => san('DNS:f*.example.com'), 'error'],
  ['f.example.com', () => san('DNS:f*.example.com'), 'ok'],
  ['abc.example.com', () => san('DNS:ab*bc.example.com'), 'error'],
  ['baz.example.com', () => san('DNS:b*z.example.com'), 'ok'],
  ['\u212a.example.com', () => san('DNS:k*.example.com'), 'error'], // Kelvin sign is not 'k'
  ['\u0130.example.com', () => san('DNS:i*.example.com'), 'error'],
  ['\u00e9.example.com', () => san('DNS:*.example.com'), 'ok'],
  // Punycode: as given, never a wildcard inside an A-label.
  ['xn--bcher-kva.example', () => san('DNS:xn--bcher-kva.example'), 'ok'],
  ['XN--BCHER-KVA.example', () => san('DNS:xn--bcher-kva.example'), 'ok'],
  ['xn--a.example.com', () => san('DNS:xn--*.example.com'), 'error'],
  ['xn--a.example.com', () => san('DNS:XN--*.example.com'), 'error'],
  ['axn--q.example.com', () => san('DNS:axn--*.example.com'), 'error'],
  ['xn--a.example.com', () => san('DNS:*.example.com'), 'ok'],
  ['b\u00fccher.example', () => san('DNS:xn--bcher-kva.example'), 'error'],
  ['b\u00fccher.example', () => san('DNS:b\u00fccher.example'), 'error'],
  ['a b.com', () => san('DNS:a b.com'), 'error'],
  ['a.com', () => san('DNS:a.com\t'), 'error'],
  ['a\u007f.com', () => san('DNS:a\u007f.com'), 'ok'],
  // IP addresses: only IP SANs count, compared as addresses.
  ['127.0.0.1', () => san('IP Address:127.0.0.1'), 'ok'],
  ['127.0.0.2', () => san('DNS:localhost, IP Address:127.0.0.1, IP Address:10.0.0.1'), 'error'],
  ['127.0.0.1', () => san('DNS:127.0.0.1'), 'error'],
  ['1.2.3.4', () => san('DNS:*.2.3.4'), 'error'],
  ['127.0.0.1', () => cert('127.0.0.1'), 'error'],
  ['127.0.0.1', () => cert('127.0.0.1', 'IP Address:127.0.0.1'), 'ok'],
  ['127.0.0.1.', () => san('IP Address:127.0.0.1'), 'ok'],
  ['127.000.0.1', () => san('IP Address:127.0.0.1'), 'error'],
  ['::1', () => san('IP Address:0:0:0:0:0:0:0:1'), 'ok'],
  ['0:0::1', () => san('IP Address:0:0:0:0:0:0:0:1'), 'ok'],
  ['::2', () => san('IP Address:0:0:0:0:0:0:0:1'), 'error'],
  ['FE80::1', () => san('IP Address:FE80:0:0:0:0:0:0:1'), 'ok'],
  ['fe80::1%eth0', () => san('IP Address:FE80:0:0:0:0:0:0:1'), 'ok'],
  ['[::1]', () => san('IP Address:0:0:0:0:0:0:0:1'), 'error'],
  ['::ffff:1.2.3.4', () => san('IP Address:0:0:0:0:0:FFFF:102:304'), 'ok'],
  ['1.2.3.4', () => san('IP Address:0:0:0:0:0:FFFF:102:304'), 'error'],
  ['::ffff:1.2.3.4', () => san('IP Address:1.2.3.4'), 'error'],
  ['::1.2.3.4', () => san('IP Address:0:0:0:0:0:0:102:304'), 'ok'],
  ['::', () => san('IP Address:0:0:0:0:0:0:0:0'), 'ok'],
  // The reason lists every IP SAN in canonical form, '' for those that are not addresses.
  [
    '9.9.9.9',
    () =>
      san(
        'IP Address:bogus, IP Address:1.2.3.5, IP Address:, IP Address:01.2.3.4, IP Address:FE80::1%eth0, ' +
          'IP Address:1:0:0:1:0:0:0:1, IP Address:1:0:0:0:1:0:0:0, IP Address:0:0:0:0:0:0:1:0, ' +
          'IP Address:0:0:0:0:0:FFFE:102:304, IP Address:64:FF9B:0:0:0:0:102:304, IP Address:00001::, ' +
          'IP Address:0000:0000:0000:0000:0000:0000:0000:0001, IP Address:ABCD::',
      ),
    'error',
  ],
  // CN: a fallback only without any DNS SAN, never for IPs.
  ['a.com', () => cert('a.com'), 'ok'],
  ['b.com', () => cert('a.com'), 'error'],
  ['LOCALHOST', () => cert('LocalHost'), 'ok'],
  ['b.com', () => cert(['a.com', 'b.com']), 'ok'],
  ['d.com', () => cert(['a.com', 'b.com']), 'error'],
  ['d.com', () => cert([]), 'error'],
  ['d.com', () => cert(''), 'error'],
  ['www.a.com', () => cert('*.a.com'), 'ok'],
  ['a.com', () => cert('*.com'), 'error'],
  ['a.com', () => cert('a.com', 'DNS:b.com'), 'error'],
  ['a.com', () => cert('a.com', 'IP Address:1.2.3.4, email:x@a.com'), 'ok'],
  ['b.com', () => cert('a.com', 'URI:https://b.com/'), 'error'],
  ['a.com', () => cert('a.com', 'URI:https://b.com/'), 'ok'],
  ['\u00e9.com', () => cert('\u00e9.com'), 'error'],
  // No name at all; entries that are not DNS or IP.
  ['a.com', () => cert(undefined), 'error'],
  ['a.com', () => cert(undefined, ''), 'error'],
  ['a.com', () => san('URI:https://a.com/, email:a@a.com'), 'error'],
  ['a.com', () => san('dns:a.com'), 'error'],
  ['a.com', () => san('DNS :a.com'), 'error'],
  ['a.com', () => san('DNS:'), 'error'],
  ['a.com', () => san('DNS:, DNS:a.com'), 'ok'],
  // Splitting: only ', ' separates; JSON-quoted runs are decoded in place.
  ['a.com', () => san('DNS:x.com,DNS:a.com'), 'error'],
  ['a.com', () => san('DNS:x.com,  DNS:a.com'), 'error'],
  ['a.com', () => san('DNS:a.com,xDNS:b.com'), 'error'],
  ['a,b.com', () => san('DNS:"a\\u002cb.com", DNS:x.com'), 'ok'],
  ['a.com', () => san('DNS:"a\\u002cb.com", DNS:"a.com"'), 'ok'],
  ['abc', () => san('DNS:a"b"c'), 'ok'],
  ['abc', () => san('DNS:"a""b"c'), 'ok'],
  ['a.com', () => san('"DNS:a.com"'), 'ok'],
  ['1.2.3.4', () => san('"IP Address:1.2.3.4"'), 'ok'],
  ['a"b', () => san('DNS:"a\\"b"'), 'ok'],
  ['a.com', () => san('DNS:"a.com\\u0000"'), 'error'],
  ['a.com', () => san('DNS:"a.com"x, DNS:a.com'), 'ok'],
  ['a.com', () => san('DNS:a.com, , DNS:b.com, '), 'ok'],
  ['a.com', () => san('DNS:"a.com'), 'throws'],
  ['a.com', () => san('DNS:"a\\x"'), 'throws'],
  ['a.com', () => san('DNS:"a\\'), 'throws'],
  ['a.com', () => san('DNS:"a\nb"'), 'throws'],
  ['1.2.3.4', () => san('DNS:a.com, DNS:"'), 'throws'],
  ['a.com', () => cert('a.com', 'DNS:"\\u00"'), 'throws'],
  // Certificates made by openssl (test/fixtures/make-certs.sh).
  ['localhost', () => realCert('server-rsa.pem'), 'ok'],
  ['foo.test.local', () => realCert('server-rsa.pem'), 'ok'],
  ['test.local', () => realCert('server-rsa.pem'), 'error'],
  ['127.0.0.1', () => realCert('server-rsa.pem'), 'ok'],
  ['::1', () => realCert('server-rsa.pem'), 'ok'],
  ['localhost', () => realCert('wronghost.pem'), 'error'],
  ['other.example', () => realCert('wronghost.pem'), 'ok'],
  ['localhost', () => realCert('client.pem'), 'error'],
];

describe('checkServerIdentity', () => {
  it('has a large table', () => assert.ok(cases.length >= 40));

  for (const [hostname, makeCert, expected] of cases) {
    it(`${JSON.stringify(hostname)} vs ${describeCert(makeCert())} -> ${expected}, as node:tls`, () => {
      const oracle = outcome(() =>
        nodeTls.checkServerIdentity(hostname, makeCert() as unknown as nodeTls.PeerCertificate),
      );
      const ours = outcome(() => checkServerIdentity(hostname, makeCert()));
      assert.equal(oracle.kind === 'thrown' ? 'throws' : oracle.kind, expected, 'the table disagrees with node:tls');
      assert.deepEqual(ours, oracle);
    });
  }

  it('puts code, reason, host and cert on the error, in that order', () => {
    const c = cert('a.com');
    const error = checkServerIdentity('B.com.', c);
    assert.ok(error instanceof Error);
    assert.deepEqual(Object.keys(error), ['code', 'reason', 'host', 'cert']);
    assert.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(error.host, 'B.com');
    assert.equal(error.cert, c);
    assert.equal(error.name, 'Error');
  });

  it('prints as Node does: "Error [CODE]: message" in toString() and stack', () => {
    const c = san('DNS:b.com');
    const ours = checkServerIdentity('a.com', c);
    const theirs = nodeTls.checkServerIdentity('a.com', c as unknown as nodeTls.PeerCertificate);
    assert.ok(ours && theirs);
    assert.equal(String(ours), String(theirs));
    assert.equal(ours.stack?.split('\n')[0], theirs.stack?.split('\n')[0]);
  });

  it('throws SyntaxError ERR_TLS_CERT_ALTNAME_FORMAT for an unterminated quote, printed as Node does', () => {
    const c = san('DNS:"a.com');
    const grab = (run: () => unknown): Error => {
      try {
        run();
      } catch (error) {
        if (error instanceof Error) return error;
      }
      assert.fail('did not throw');
    };
    const ours = grab(() => checkServerIdentity('a.com', c));
    const theirs = grab(() => nodeTls.checkServerIdentity('a.com', c as unknown as nodeTls.PeerCertificate));
    assert.ok(ours instanceof SyntaxError);
    assert.equal((ours as Error & { code?: string }).code, 'ERR_TLS_CERT_ALTNAME_FORMAT');
    assert.equal(String(ours), String(theirs));
    assert.equal(ours.stack?.split('\n')[0], theirs.stack?.split('\n')[0]);
  });

  it('turns a non-string hostname into a string as Node does', () => {
    const host = { toString: () => 'a.com', valueOf: () => 'b.com' } as unknown as string;
    const c = san('DNS:b.com');
    assert.deepEqual(
      outcome(() => checkServerIdentity(host, c)),
      outcome(() => nodeTls.checkServerIdentity(host, c as unknown as nodeTls.PeerCertificate)),
    );
    assert.equal(checkServerIdentity(host, c), undefined);
  });
});

function describeCert(c: PeerCertificate): string {
  const text = c.raw
    ? `${String(c.subject.CN)} [${c.subjectaltname ?? ''}]`
    : JSON.stringify({ CN: c.subject.CN, san: c.subjectaltname });
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}
