// Real OCSP responses for the test certificates, signed by the test CA with
// `openssl ocsp` as a responder would give them (test/ocsp.test.ts, test/cli.test.ts).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath } from './fixtures';

/** "Nov 20 01:57:43 2036 GMT" -> "361120015743Z", the CA database's date form. */
function indexDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
}

/** A CA database line for a certificate the test CA signed without `openssl ca`. */
function indexLine(certFile: string, status: 'V' | 'R'): string {
  const x = new X509Certificate(fs.readFileSync(certFile));
  const subject = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'compat'], {
    encoding: 'utf8',
  })
    .trim()
    .replace(/^subject=/, '');
  const revokedAt = status === 'R' ? indexDate(new Date(Date.now() - 86_400_000)) : '';
  return [status, indexDate(new Date(x.validTo)), revokedAt, x.serialNumber.toUpperCase(), 'unknown', subject].join(
    '\t',
  );
}

/**
 * Writes `dir`/index.txt saying which fixture certificates are valid ('V') or revoked ('R');
 * returns a function that makes the OCSP response (DER) for one of them.
 */
export function ocspResponder(dir: string, certs: Record<string, 'V' | 'R'>): (certName: string) => Buffer {
  const lines = Object.entries(certs).map(([name, status]) => indexLine(fixturePath(`${name}.pem`), status));
  fs.writeFileSync(path.join(dir, 'index.txt'), `${lines.join('\n')}\n`);
  return (certName) => {
    const out = path.join(dir, `${certName}.ocsp.der`);
    execFileSync(
      'openssl',
      [
        'ocsp',
        '-index',
        path.join(dir, 'index.txt'),
        '-rsigner',
        fixturePath('ca.pem'),
        '-rkey',
        fixturePath('ca-key.pem'),
        '-CA',
        fixturePath('ca.pem'),
        '-issuer',
        fixturePath('ca.pem'),
        '-cert',
        fixturePath(`${certName}.pem`),
        '-respout',
        out,
        '-ndays',
        '1',
        '-no_nonce',
      ],
      { stdio: 'pipe' },
    );
    return fs.readFileSync(out);
  };
}
