// Session tickets across cluster workers: the primary hands every worker the
// same ticket key before it listens, so a ticket issued by one worker resumes
// on another, with no user code (test/helpers/cluster_app.ts); ticketKeys of a
// worker's own still win.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as nodeTls from 'node:tls';
import * as path from 'node:path';
import * as tls from '../lib/index';

const app = path.join(__dirname, 'helpers', 'cluster_app.ts');

interface App {
  ports: Map<string, number>;
  output(): string;
  stop(): Promise<void>;
}

async function startApp(mode: 'shared' | 'override'): Promise<App> {
  const proc: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), app, mode],
    {
      stdio: 'pipe',
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('close', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  };
  const ports = new Map<string, number>();
  const started = Date.now();
  while (ports.size < 2) {
    for (const m of out.matchAll(/^LISTENING (\d+) (\d+)$/gm)) ports.set(m[1] as string, Number(m[2]));
    if (proc.exitCode !== null || Date.now() - started > 15000) {
      await stop();
      throw new Error(`the cluster did not start; output:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { ports, output: () => out, stop };
}

interface Answer {
  worker: string;
  reused: boolean;
  keys: string;
  session: Buffer | undefined;
}

/** Connects (node's client or ours), reads the worker's line, keeps the last session. */
function ask(lib: 'node' | 'ours', port: number, options: tls.ConnectionOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const opts = { port, host: '127.0.0.1', rejectUnauthorized: false, ...options };
    const c = lib === 'ours' ? tls.connect(opts) : nodeTls.connect(opts as nodeTls.ConnectionOptions);
    let text = '';
    let session: Buffer | undefined;
    let clientReused = false;
    c.on('session', (s: Buffer) => (session = s));
    c.on('secureConnect', () => (clientReused = c.isSessionReused() === true));
    c.on('data', (d: Buffer) => (text += d.toString()));
    c.on('error', reject);
    c.on('close', () => {
      const m = /^worker (\d+) reused=(true|false) keys=([0-9a-f]+)$/m.exec(text);
      if (m === null) {
        reject(new Error(`unexpected answer: ${JSON.stringify(text)}`));
        return;
      }
      assert.equal(clientReused, m[2] === 'true', 'both sides agree on resumption');
      resolve({ worker: m[1] as string, reused: m[2] === 'true', keys: m[3] as string, session });
    });
  });
}

describe('cluster: shared session ticket keys', function () {
  this.timeout(40000);

  it('a ticket from one worker resumes on the other (TLS 1.2 and 1.3, node:tls and our client)', async () => {
    const cluster = await startApp('shared');
    try {
      const p1 = cluster.ports.get('1') as number;
      const p2 = cluster.ports.get('2') as number;
      for (const lib of ['node', 'ours'] as const) {
        for (const options of [{ maxVersion: 'TLSv1.2' as const }, {}]) {
          const first = await ask(lib, p1, options);
          assert.equal(first.worker, '1');
          assert.equal(first.reused, false);
          assert.ok(first.session);
          const second = await ask(lib, p2, { ...options, session: first.session });
          assert.equal(second.worker, '2');
          assert.equal(second.reused, true, `${lib} ${JSON.stringify(options)}`);
          assert.equal(second.keys, first.keys, 'getTicketKeys() is the same in both workers');
        }
      }
      assert.doesNotMatch(cluster.output(), /Warning|WORKER EXITED/);
    } finally {
      await cluster.stop();
    }
  });

  it("a worker's own ticketKeys win over the shared key", async () => {
    const cluster = await startApp('override');
    try {
      const first = await ask('node', cluster.ports.get('1') as number, {});
      const second = await ask('node', cluster.ports.get('2') as number, { session: first.session });
      assert.equal(second.worker, '2');
      assert.equal(second.reused, false);
      assert.notEqual(second.keys, first.keys);
    } finally {
      await cluster.stop();
    }
  });
});
