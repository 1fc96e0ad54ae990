// The four examples from the tls documentation (examples/), unchanged but for
// require('openssl-tls'), run as programs against openssl s_client/s_server and
// node:tls, in both roles, on TLS 1.2 and 1.3, with RSA and ECDSA certificates.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodeTls from 'node:tls';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, waitFor } from './helpers/net';
import { runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const examples = path.join(__dirname, '..', 'examples');
const PORT = 8000; // the examples' own port

interface Program {
  proc: ChildProcessWithoutNullStreams;
  output(): string;
  waitFor(text: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Runs an example with `files` (name -> fixture) copied into its working directory. */
function runExample(script: string, files: Record<string, string>): Program {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-example-'));
  for (const [name, source] of Object.entries(files)) fs.copyFileSync(fixturePath(source), path.join(dir, name));
  const proc = spawn(process.execPath, [path.join(examples, script)], { cwd: dir, stdio: 'pipe' });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    output: () => out,
    waitFor: (text, ms = 10000) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          if (out.includes(text)) {
            resolve();
            return;
          }
          if (proc.exitCode !== null || Date.now() - started > ms) {
            reject(new Error(`${script}: waited for ${JSON.stringify(text)}; output:\n${out}`));
            return;
          }
          setTimeout(tick, 20);
        };
        tick();
      }),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await waitFor(proc, 'close');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const versions = [
  { name: 'TLSv1.2', flag: '-tls1_2' },
  { name: 'TLSv1.3', flag: '-tls1_3' },
] as const;

const kinds = [
  { name: 'RSA', selfsigned: 'selfsigned', pfx: 'server-rsa.pfx', server: 'server-rsa' },
  { name: 'ECDSA', selfsigned: 'selfsigned-ec', pfx: 'server-ec.pfx', server: 'server-ec' },
] as const;

describe('documentation examples', function () {
  this.timeout(30000);
  usePeerCleanup();

  for (const v of versions) {
    for (const k of kinds) {
      const keycertServerFiles = {
        'server-key.pem': `${k.selfsigned}-key.pem`,
        'server-cert.pem': `${k.selfsigned}.pem`,
        'client-cert.pem': 'client-selfsigned.pem',
      };
      const serverCases = [
        {
          script: 'echo-server.js',
          files: keycertServerFiles,
          client: 'client-selfsigned',
          trust: `${k.selfsigned}.pem`,
        },
        { script: 'echo-server-pfx.js', files: { 'server.pfx': k.pfx }, client: 'client', trust: 'ca.pem' },
      ];
      for (const sc of serverCases) {
        it(`${sc.script} (${v.name}, ${k.name}) with openssl s_client`, async () => {
          const server = runExample(sc.script, sc.files);
          try {
            await server.waitFor('server bound');
            const r = await runOpenSSLClient(
              PORT,
              [
                v.flag,
                '-cert',
                fixturePath(`${sc.client}.pem`),
                '-key',
                fixturePath(`${sc.client}-key.pem`),
                '-CAfile',
                fixturePath(sc.trust),
                '-verify_return_error',
                '-quiet',
                '-no_ign_eof',
              ],
              'hello from s_client\n',
              { waitFor: 'hello from s_client' },
            );
            assert.match(r.stdout, /welcome!\n/);
            assert.match(r.stdout, /hello from s_client/);
            await server.waitFor('server connected authorized');
          } finally {
            await server.stop();
          }
        });

        it(`${sc.script} (${v.name}, ${k.name}) with a node:tls client`, async () => {
          const server = runExample(sc.script, sc.files);
          try {
            await server.waitFor('server bound');
            const c = nodeTls.connect({
              port: PORT,
              host: '127.0.0.1',
              servername: 'localhost',
              key: fixture(`${sc.client}-key.pem`),
              cert: fixture(`${sc.client}.pem`),
              ca: fixture(sc.trust),
              minVersion: v.name,
              maxVersion: v.name,
            });
            await waitFor(c, 'secureConnect');
            assert.equal(c.authorized, true);
            assert.equal(c.getProtocol(), v.name);
            let got = '';
            c.on('data', (d: Buffer) => (got += d.toString()));
            c.write('hello from node\n');
            const started = Date.now();
            while (!got.includes('hello from node') && Date.now() - started < 5000)
              await new Promise((r) => setTimeout(r, 20));
            assert.equal(got, 'welcome!\nhello from node\n');
            c.destroy();
            await server.waitFor('server connected authorized');
          } finally {
            await server.stop();
          }
        });
      }

      const clientCases: Array<{
        script: string;
        files: Record<string, string>;
        serverCert: string;
        trustClient: string;
      }> = [
        {
          script: 'echo-client.js',
          files: {
            'client-key.pem': 'client-selfsigned-key.pem',
            'client-cert.pem': 'client-selfsigned.pem',
            'server-cert.pem': `${k.selfsigned}.pem`,
          },
          serverCert: k.selfsigned,
          trustClient: 'client-selfsigned.pem',
        },
        {
          script: 'echo-client-pfx.js',
          files: { 'client.pfx': 'client.pfx' },
          serverCert: k.server,
          trustClient: 'ca.pem',
        },
      ];
      for (const cc of clientCases) {
        it(`${cc.script} (${v.name}, ${k.name}) with openssl s_server`, async () => {
          const server = await startOpenSSLServer([
            '-accept',
            String(PORT),
            v.flag,
            '-cert',
            fixturePath(`${cc.serverCert}.pem`),
            '-key',
            fixturePath(`${cc.serverCert}-key.pem`),
            '-Verify',
            '1',
            '-CAfile',
            fixturePath(cc.trustClient),
            '-verify_return_error',
          ]);
          const client = runExample(cc.script, cc.files);
          try {
            await server.waitForOutput(/Protocol|CIPHER is|Shared/);
            await client.waitFor('client connected authorized');
            server.write('welcome!\n');
            await client.waitFor('welcome!');
            client.proc.stdin.write('typed by the user\n');
            // s_server was told to speak only this version, so the handshake used it.
            await server.waitForOutput('typed by the user');
          } finally {
            await client.stop();
            await server.stop();
          }
        });

        it(`${cc.script} (${v.name}, ${k.name}) with a node:tls server`, async () => {
          const server = nodeTls.createServer(
            {
              key: fixture(`${cc.serverCert}-key.pem`),
              cert: fixture(`${cc.serverCert}.pem`),
              ca: fixture(cc.trustClient),
              requestCert: true,
              rejectUnauthorized: true,
              minVersion: v.name,
              maxVersion: v.name,
            },
            (s) => {
              s.write(`welcome! ${s.authorized ? 'you are authorized' : 'unauthorized'}\n`);
              s.pipe(s);
            },
          );
          server.listen(PORT);
          await waitFor(server, 'listening');
          const client = runExample(cc.script, cc.files);
          try {
            await client.waitFor('client connected authorized');
            await client.waitFor('welcome! you are authorized');
            client.proc.stdin.write('typed by the user\n');
            await client.waitFor('typed by the user');
          } finally {
            await client.stop();
            await close(server);
          }
        });
      }
    }
  }
});
