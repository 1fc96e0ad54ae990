// examples/redis-session-store against a real redis-server on loopback: a
// session made through process A resumes through process B (session ids in
// Redis, with expiry = sessionTimeout), tickets resume across them with the keys
// kept in Redis, and a key rotation keeps the previous key's tickets working
// until the key after next.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as path from 'node:path';
import * as tls from '../lib/index';
import { fixturePath } from './helpers/fixtures';
import { needPeer } from './helpers/optional_peers';

const dir = path.join(__dirname, '..', 'examples', 'redis-session-store');
const NO_TICKET = crypto.constants.SSL_OP_NO_TICKET;
const SESSION_TIMEOUT = 120;

interface Proc {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited and its output is read. */
  closed: Promise<void>;
  output(): string;
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Proc {
  const proc = spawn(command, args, { cwd: dir, env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  proc.on('error', (e) => (out += `\nspawn failed: ${e.message}`));
  const closed = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  return {
    proc,
    closed,
    output: () => out,
    waitFor: async (pattern, ms = 10000) => {
      const started = Date.now();
      for (;;) {
        const m = pattern.exec(out);
        if (m !== null) return m;
        if (proc.exitCode !== null || proc.signalCode !== null || Date.now() - started > ms) {
          throw new Error(`${path.basename(args[0] ?? command)}: waited for ${String(pattern)}; output:\n${out}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

interface Answer {
  reused: boolean;
  session: Buffer | undefined;
  ticket: Buffer | undefined;
}

/** One connection: the server's "reused=" line must agree with the client. */
function visit(lib: 'node' | 'ours', port: number, options: tls.ConnectionOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const opts = { port, host: '127.0.0.1', rejectUnauthorized: false, ...options };
    const c = lib === 'ours' ? tls.connect(opts) : nodeTls.connect(opts as nodeTls.ConnectionOptions);
    let text = '';
    let session: Buffer | undefined;
    let ticket: Buffer | undefined;
    let reused = false;
    c.on('session', (s: Buffer) => (session = s));
    c.on('secureConnect', () => (reused = c.isSessionReused() === true));
    c.on('data', (d: Buffer) => (text += d.toString()));
    c.on('end', () => {
      ticket = c.getTLSTicket() ?? undefined;
      // A renewed TLS 1.2 ticket comes with no 'session' event (node:tls alike).
      if (reused) session = c.getSession() ?? session;
    });
    c.on('error', reject);
    c.on('close', () => {
      const m = /^reused=(true|false)$/m.exec(text);
      if (m === null) {
        reject(new Error(`unexpected answer ${JSON.stringify(text)}`));
        return;
      }
      if ((m[1] === 'true') !== reused) {
        reject(new Error(`server says ${text.trim()}, client says ${reused}`));
        return;
      }
      resolve({ reused, session, ticket });
    });
  });
}

/** A serialized session's id, in hex. */
function sessionId(session: Buffer): string {
  const text = execFileSync('openssl', ['sess_id', '-inform', 'DER', '-noout', '-text'], { input: session }).toString();
  const id = /Session-ID: ([0-9A-F]+)/.exec(text)?.[1];
  assert.ok(id, text);
  return id.toLowerCase();
}

/** The ticket-key names a server printed last ("ticket keys <name> <name>..."). */
function lastKeyNames(p: Proc): string[] {
  const all = [...p.output().matchAll(/^ticket keys (.*)$/gm)];
  return all.length === 0 ? [] : (all[all.length - 1]?.[1] ?? '').split(' ');
}

describe('examples/redis-session-store (a real redis-server)', function () {
  this.timeout(60000);
  let redis: Proc;
  let redisUrl: string;
  let redisPort: number;
  const servers: Proc[] = [];
  let a: Proc;
  let b: Proc;
  let portA: number;
  let portB: number;

  const redisCli = (...args: string[]): string =>
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redisPort), ...args])
      .toString()
      .trim();

  const startServer = async (): Promise<[Proc, number]> => {
    const p = run(process.execPath, [path.join(dir, 'server.js')], {
      PORT: '0',
      REDIS_URL: redisUrl,
      SESSION_TIMEOUT: String(SESSION_TIMEOUT),
      TICKET_SYNC_MS: '100',
      TLS_KEY: fixturePath('server-rsa-key.pem'),
      TLS_CERT: fixturePath('server-rsa.pem'),
    });
    servers.push(p);
    const m = await p.waitFor(/^listening (\d+)$/m);
    return [p, Number(m[1])];
  };

  before(async function () {
    needPeer(this, 'redis-server');
    needPeer(this, 'redis-cli');
    redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    redis = run('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await redis.waitFor(/Ready to accept connections/);
    [a, portA] = await startServer();
    [b, portB] = await startServer();
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (redis !== undefined) await redis.stop();
  });

  for (const lib of ['node', 'ours'] as const) {
    it(`${lib === 'ours' ? 'our' : 'a node:tls'} client: a TLS 1.2 session id made through A resumes through B`, async () => {
      const options = { maxVersion: 'TLSv1.2' as const, secureOptions: NO_TICKET };
      const first = await visit(lib, portA, options);
      assert.equal(first.reused, false);
      assert.ok(first.session);
      assert.equal(first.ticket, undefined, 'no ticket: this is session-id resumption');
      const ttl = Number(redisCli('TTL', `tls:session:${sessionId(first.session)}`));
      assert.ok(ttl > SESSION_TIMEOUT - 5 && ttl <= SESSION_TIMEOUT, `expiry is the sessionTimeout (TTL ${ttl})`);

      const second = await visit(lib, portB, { ...options, session: first.session });
      assert.equal(second.reused, true);
      // And back on A.
      assert.equal((await visit(lib, portA, { ...options, session: first.session })).reused, true);
    });
  }

  it('a session Redis no longer has (expired, evicted) means a full handshake', async () => {
    const options = { maxVersion: 'TLSv1.2' as const, secureOptions: NO_TICKET };
    const first = await visit('node', portA, options);
    assert.ok(first.session);
    assert.equal(redisCli('DEL', `tls:session:${sessionId(first.session)}`), '1');
    assert.equal((await visit('node', portB, { ...options, session: first.session })).reused, false);
  });

  it('tickets (TLS 1.2 and 1.3) made by A resume on B: both take their keys from Redis', async () => {
    for (const options of [{ maxVersion: 'TLSv1.2' as const }, {}]) {
      const first = await visit('ours', portA, options);
      assert.ok(first.ticket, 'a ticket');
      assert.equal((await visit('ours', portB, { ...options, session: first.session })).reused, true);
    }
  });

  it('rotation: the previous key is still accepted (and its tickets renewed), the one before is not', async () => {
    const waitForKeys = async (names: string[]): Promise<void> => {
      const started = Date.now();
      while (
        JSON.stringify(lastKeyNames(a)) !== JSON.stringify(names) ||
        JSON.stringify(lastKeyNames(b)) !== JSON.stringify(names)
      ) {
        if (Date.now() - started > 5000)
          throw new Error(
            `servers did not pick up ${names.join(' ')}: A ${lastKeyNames(a).join(' ')}, B ${lastKeyNames(b).join(' ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const rotate = async (): Promise<string[]> => {
      const r = run(process.execPath, [path.join(dir, 'rotate-keys.js')], { REDIS_URL: redisUrl });
      const m = await r.waitFor(/^ticket keys (.*)$/m);
      await r.closed;
      const names = (m[1] ?? '').split(' ');
      await waitForKeys(names);
      return names;
    };
    const options = { maxVersion: 'TLSv1.2' as const };
    const old = await visit('ours', portA, options);
    const oldKey = old.ticket?.subarray(0, 16).toString('hex');

    const [current, previous] = await rotate();
    assert.equal(previous, oldKey, 'the key that issued the ticket is now the previous one');
    const renewed = await visit('ours', portB, { ...options, session: old.session });
    assert.equal(renewed.reused, true);
    assert.equal(renewed.ticket?.subarray(0, 16).toString('hex'), current, 'renewed under the current key');

    await rotate();
    assert.equal((await visit('ours', portA, { ...options, session: old.session })).reused, false);
    assert.equal((await visit('ours', portA, { ...options, session: renewed.session })).reused, true);
  });
});
