// A throwaway self-signed certificate for localhost, made with the system's openssl
// command (node's crypto can make keys but not certificates), so that `serve` and
// `bench` need no set-up.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type KeyType = 'ec' | 'rsa';

export interface Identity {
  key: Buffer;
  cert: Buffer;
  /** As `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
  description: string;
}

const DAYS = 30;

// The extensions of a server (and client) leaf; its own trust anchor.
const CONFIG = `[req]
distinguished_name = dn
x509_extensions = leaf
prompt = no
[dn]
CN = localhost
O = openssl-tls self-signed
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
`;

/** A new key and a certificate for localhost, 127.0.0.1 and ::1, valid for 30 days. */
export function selfSigned(type: KeyType = 'ec'): Identity {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openssl-tls-cert-'));
  try {
    const cnf = path.join(dir, 'req.cnf');
    fs.writeFileSync(cnf, CONFIG);
    const keyArgs = type === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          ...keyArgs,
          '-nodes',
          '-days',
          String(DAYS),
          '-config',
          cnf,
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
      if (e.code === 'ENOENT')
        throw new Error('making a self-signed certificate needs the openssl command: apt-get install openssl', {
          cause: error,
        });
      throw new Error(`openssl req failed: ${e.stderr?.toString().trim() ?? e.message}`, { cause: error });
    }
    const cert = fs.readFileSync(certFile);
    return {
      key: fs.readFileSync(keyFile),
      cert,
      fingerprint256: new X509Certificate(cert).fingerprint256,
      description: `self-signed for localhost, ${type === 'ec' ? 'ECDSA P-256' : 'RSA-2048'}, valid ${DAYS} days`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
