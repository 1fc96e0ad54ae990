// A software TPM 2.0 (swtpm) for one test run, and a key generated inside it
// through the tpm2-openssl provider (the openssl command with -provider tpm2):
// the key file holds only the TPM's wrapped blob (TSS2 PRIVATE KEY), so the
// private key never exists outside the TPM. A self-signed certificate for
// localhost is signed with it. TPM2OPENSSL_TCTI (set here for this process and
// its children) points the provider at the TPM; confFile is an openssl.cnf
// that activates the default and tpm2 providers.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SoftTpm {
  dir: string;
  keyFile: string;
  certFile: string;
  confFile: string;
  stop(): Promise<void>;
}

/** Resolves once something accepts on 127.0.0.1:port, rejects after ~3 s. */
async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (proc.exitCode !== null) throw new Error(`swtpm exited (${proc.exitCode})`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('swtpm did not start listening');
}

export async function startSoftTpm(): Promise<SoftTpm> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-tpm-'));
  let proc: ChildProcess | undefined;
  let port = 0;
  // swtpm needs two fixed TCP ports (server and control): try a few.
  for (let attempt = 0; attempt < 5 && proc === undefined; attempt++) {
    port = 20000 + Math.floor(Math.random() * 20000) * 2;
    const p = spawn(
      'swtpm',
      ['socket', '--tpm2', '--tpmstate', `dir=${dir}`, '--flags', 'not-need-init,startup-clear'].concat([
        '--server',
        `type=tcp,port=${port},bindaddr=127.0.0.1`,
        '--ctrl',
        `type=tcp,port=${port + 1},bindaddr=127.0.0.1`,
      ]),
      { stdio: 'ignore' },
    );
    try {
      await waitForPort(port, p);
      proc = p;
    } catch {
      p.kill();
    }
  }
  if (proc === undefined) throw new Error('could not start swtpm');
  const running = proc;
  process.env['TPM2OPENSSL_TCTI'] = `swtpm:host=127.0.0.1,port=${port}`;

  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const confFile = path.join(dir, 'openssl.cnf');
  const env = { ...process.env, OPENSSL_CONF: '/dev/null' };
  const provider = ['-provider', 'tpm2', '-provider', 'default'];
  execFileSync('openssl', ['genpkey', ...provider, '-algorithm', 'EC', '-pkeyopt', 'group:P-256', '-out', keyFile], {
    env,
    stdio: 'ignore',
  });
  execFileSync(
    'openssl',
    ['req', ...provider, '-x509', '-key', keyFile, '-subj', '/CN=localhost', '-days', '2'].concat([
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-out',
      certFile,
    ]),
    { env, stdio: 'ignore' },
  );
  fs.writeFileSync(
    confFile,
    [
      'openssl_conf = openssl_init',
      '[openssl_init]',
      'providers = provider_sect',
      '[provider_sect]',
      'default = default_sect',
      'tpm2 = tpm2_sect',
      '[default_sect]',
      'activate = 1',
      '[tpm2_sect]',
      'activate = 1',
      '',
    ].join('\n'),
  );
  return {
    dir,
    keyFile,
    certFile,
    confFile,
    stop: async () => {
      if (running.exitCode === null) {
        const gone = new Promise((r) => running.once('exit', r));
        running.kill();
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
