// A SoftHSM token made for one test run (softhsm2, opensc's pkcs11-tool): an
// EC P-256 key pair generated inside the token (the private key never leaves
// it) and a self-signed certificate for localhost signed by that key through
// the openssl command's pkcs11 engine. SOFTHSM2_CONF points this process (and
// its children) at the token's directory; p11-kit's proxy, the pkcs11 engine's
// default module, finds SoftHSM through its registered module file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SoftHsmToken {
  dir: string;
  label: string;
  pin: string;
  /** PKCS#11 URI of the private key (no PIN in it). */
  keyUri: string;
  /** The token's key's certificate (PEM file), self-signed for localhost. */
  certFile: string;
  remove(): void;
}

/** SoftHSM's PKCS#11 module, as p11-kit registers it (Debian: /usr/lib/softhsm/libsofthsm2.so). */
function softhsmModule(): string {
  const registered = '/usr/share/p11-kit/modules/softhsm2.module';
  const line = fs.existsSync(registered) ? /^module:\s*(\S+)/m.exec(fs.readFileSync(registered, 'utf8')) : null;
  return line?.[1] ?? '/usr/lib/softhsm/libsofthsm2.so';
}

export function makeSoftHsmToken(label = 'otls-test', pin = '1234'): SoftHsmToken {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-hsm-'));
  fs.mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env['SOFTHSM2_CONF'] = conf;
  const quiet = { stdio: 'ignore' as const };
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '87654321'],
    quiet,
  );
  execFileSync(
    'pkcs11-tool',
    ['--module', softhsmModule(), '--token-label', label, '--login', '--pin', pin, '--keypairgen'].concat([
      '--key-type',
      'EC:prime256v1',
      '--label',
      'server',
      '--id',
      '01',
    ]),
    quiet,
  );
  const keyUri = `pkcs11:token=${label};object=server;type=private`;
  const certFile = path.join(dir, 'server.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-engine', 'pkcs11', '-keyform', 'engine', '-key', `${keyUri};pin-value=${pin}`].concat([
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '2',
      '-out',
      certFile,
    ]),
    quiet,
  );
  return { dir, label, pin, keyUri, certFile, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
