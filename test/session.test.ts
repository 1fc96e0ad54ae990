// Session resumption: TLS 1.2 session ids, TLS 1.2 tickets and TLS 1.3 tickets,
// through our client and through our server, with node:tls and the openssl CLI
// as the other side; the client API (getSession, getTLSTicket, isSessionReused,
// the 'session' event and option); the server's sessionTimeout, sessionIdContext,
// ticketKeys, getTicketKeys/setTicketKeys (and key rings), SSL_OP_NO_TICKET.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { certArgs, runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const NO_TICKET = crypto.constants.SSL_OP_NO_TICKET;

interface Mode {
  name: string;
  /** Options of the server (ours or node's). */
  server: tls.TlsServerOptions;
  /** Options of the client (ours or node's). */
  client: tls.ConnectionOptions;
  protocol: 'TLSv1.2' | 'TLSv1.3';
  ticket: boolean;
  sClient: string[];
  sServer: string[];
}

const modes: Mode[] = [
  {
    name: 'TLS 1.2 session ids',
    server: { secureOptions: NO_TICKET },
    client: { maxVersion: 'TLSv1.2' },
    protocol: 'TLSv1.2',
    ticket: false,
    sClient: ['-tls1_2', '-no_ticket'],
    sServer: ['-tls1_2', '-no_ticket'],
  },
  {
    name: 'TLS 1.2 tickets',
    server: {},
    client: { maxVersion: 'TLSv1.2' },
    protocol: 'TLSv1.2',
    ticket: true,
    sClient: ['-tls1_2'],
    sServer: ['-tls1_2'],
  },
  {
    name: 'TLS 1.3 tickets',
    server: {},
    client: {},
    protocol: 'TLSv1.3',
    ticket: true,
    sClient: ['-tls1_3'],
    sServer: ['-tls1_3'],
  },
];

type AnyServer = tls.Server | nodeTls.Server;
type AnySocket = tls.TLSSocket | nodeTls.TLSSocket;

interface TestServer {
  server: AnyServer;
  port: number;
  /** isSessionReused() of each secure connection, in order. */
  reused: boolean[];
  close(): Promise<void>;
}

/**
 * A server (ours or node's) answering each connection with 'x' and its end.
 * node's keeps TLS 1.2 session ids only through newSession/resumeSession, so it
 * gets a store; ours keeps them itself.
 */
async function startServer(lib: 'ours' | 'node', options: tls.TlsServerOptions): Promise<TestServer> {
  const reused: boolean[] = [];
  const onSocket = (s: AnySocket): void => {
    reused.push(s.isSessionReused() === true);
    s.on('error', () => {});
    s.end('x');
  };
  let server: AnyServer;
  if (lib === 'ours') {
    server = tls.createServer({ ...rsa, ...options }, onSocket);
  } else {
    server = nodeTls.createServer({ ...rsa, ...(options as nodeTls.TlsOptions) }, onSocket);
    const store = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      store.set(id.toString('hex'), data);
      cb();
    });
    server.on('resumeSession', (id: Buffer, cb: (err: null, data: Buffer | null) => void) => {
      cb(null, store.get(id.toString('hex')) ?? null);
    });
  }
  const port = await listen(server);
  return { server, port, reused, close: () => close(server) };
}

interface Visit {
  reused: boolean;
  protocol: string | null;
  /** Every 'session' event. */
  sessions: Buffer[];
  /** The session to resume with next: the last 'session' event's, else getSession(). */
  session: Buffer | undefined;
  ticket: Buffer | undefined;
  events: string[];
}

/** Connects (our client or node's), reads to the end, and reports on the session. */
function visit(lib: 'ours' | 'node', port: number, options: tls.ConnectionOptions = {}): Promise<Visit> {
  return new Promise((resolve, reject) => {
    const opts = { port, host: '127.0.0.1', rejectUnauthorized: false, ...options };
    const c: AnySocket = lib === 'ours' ? tls.connect(opts) : nodeTls.connect(opts as nodeTls.ConnectionOptions);
    const v: Visit = { reused: false, protocol: null, sessions: [], session: undefined, ticket: undefined, events: [] };
    c.on('session', (s: Buffer) => {
      v.events.push('session');
      v.sessions.push(s);
    });
    c.on('secureConnect', () => {
      v.events.push('secureConnect');
      v.reused = Boolean(c.isSessionReused());
      v.protocol = c.getProtocol() ?? null;
    });
    c.on('end', () => {
      v.ticket = c.getTLSTicket() ?? undefined;
      v.session = v.sessions[v.sessions.length - 1] ?? c.getSession() ?? undefined;
    });
    c.on('error', reject);
    c.on('close', () => resolve(v));
    c.resume();
  });
}

describe('session resumption', () => {
  usePeerCleanup();

  for (const mode of modes) {
    describe(mode.name, () => {
      for (const [serverLib, clientLib] of [
        ['node', 'ours'],
        ['ours', 'node'],
        ['ours', 'ours'],
      ] as const) {
        it(`${clientLib === 'ours' ? 'our' : 'a node:tls'} client resumes on ${serverLib === 'ours' ? 'our' : 'a node:tls'} server`, async () => {
          const s = await startServer(serverLib, mode.server);
          try {
            const first = await visit(clientLib, s.port, mode.client);
            assert.equal(first.protocol, mode.protocol);
            assert.equal(first.reused, false);
            assert.ok(first.session !== undefined && first.session.length > 0);
            assert.equal(first.ticket !== undefined, mode.ticket, 'a ticket only when tickets are on');
            const second = await visit(clientLib, s.port, { ...mode.client, session: first.session });
            assert.equal(second.reused, true);
            assert.equal(second.protocol, mode.protocol);
            assert.deepEqual(s.reused, [false, true]);
          } finally {
            await s.close();
          }
        });
      }

      it('openssl s_client -sess_out / -sess_in resumes on our server', async () => {
        const s = await startServer('ours', mode.server);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-sess-'));
        const file = path.join(dir, 'session.pem');
        try {
          const args = [...mode.sClient, '-CAfile', fixturePath('ca.pem')];
          const first = await runOpenSSLClient(s.port, [...args, '-sess_out', file], '', { waitFor: 'x' });
          assert.match(first.stdout, new RegExp(`^New, ${mode.protocol}`, 'm'));
          assert.ok(fs.existsSync(file), 's_client saved the session');
          const second = await runOpenSSLClient(s.port, [...args, '-sess_in', file], '', { waitFor: 'x' });
          assert.match(second.stdout, new RegExp(`^Reused, ${mode.protocol}`, 'm'));
          assert.deepEqual(s.reused, [false, true]);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
          await s.close();
        }
      });

      // s_client -reconnect does not wait for TLS 1.3 tickets (not even from s_server).
      if (mode.protocol === 'TLSv1.2')
        it('openssl s_client -reconnect resumes on our server', async () => {
          const s = await startServer('ours', mode.server);
          try {
            const r = await runOpenSSLClient(s.port, [...mode.sClient, '-reconnect'], '', { waitFor: 'x' });
            const reusedLines = r.stdout.match(new RegExp(`^Reused, ${mode.protocol}`, 'gm')) ?? [];
            assert.ok(reusedLines.length >= 1, r.stdout);
            assert.equal(s.reused[0], false);
            assert.equal(s.reused.filter((x) => x).length, reusedLines.length);
          } finally {
            await s.close();
          }
        });

      it('our client resumes on openssl s_server', async () => {
        const server = await startOpenSSLServer([...certArgs('server-rsa'), ...mode.sServer]);
        const once = (session?: Buffer): Promise<{ reused: boolean; session: Buffer | undefined }> =>
          new Promise((resolve, reject) => {
            const c = tls.connect({
              ...mode.client,
              port: server.port,
              host: '127.0.0.1',
              rejectUnauthorized: false,
              session,
            });
            let got: Buffer | undefined;
            let reused = false;
            // s_server sends nothing: close once there is a session to keep (TLS 1.3: after a ticket).
            c.on('session', (s: Buffer) => {
              got = s;
              c.end();
            });
            c.on('secureConnect', () => {
              reused = Boolean(c.isSessionReused());
              if (mode.protocol === 'TLSv1.2' || reused) c.end();
            });
            c.on('error', reject);
            c.on('close', () => resolve({ reused, session: got }));
            c.resume();
          });
        const first = await once();
        assert.equal(first.reused, false);
        assert.ok(first.session);
        const second = await once(first.session);
        assert.equal(second.reused, true);
        await server.waitForOutput('Reused session-id');
        await server.stop();
      });
    });
  }
});

describe('session: the client API', () => {
  usePeerCleanup();

  it('getSession(), getTLSTicket() and isSessionReused() before, during and after a connection', async () => {
    const s = await startServer('ours', {});
    try {
      const c = tls.connect({ port: s.port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
      // As in node:tls: undefined before the handshake, null once closed.
      assert.equal(c.getSession(), undefined);
      assert.equal(c.getTLSTicket(), undefined);
      assert.equal(c.isSessionReused(), false);
      await new Promise<void>((resolve) => c.once('secureConnect', () => resolve()));
      const session = c.getSession();
      assert.ok(Buffer.isBuffer(session) && session.length > 0);
      const ticket = c.getTLSTicket();
      assert.ok(Buffer.isBuffer(ticket) && ticket.length > 32);
      c.resume();
      await new Promise((resolve) => c.once('close', resolve));
      assert.equal(c.getSession(), null);
      assert.equal(c.getTLSTicket(), null);
      assert.equal(c.isSessionReused(), null);
    } finally {
      await s.close();
    }
  });

  it('a server socket has a session but never a ticket (node:tls: getTLSTicket() is undefined there)', async () => {
    const seen: Array<[boolean, unknown]> = [];
    const server = tls.createServer({ ...rsa, maxVersion: 'TLSv1.2' }, (s) => {
      seen.push([Buffer.isBuffer(s.getSession()), s.getTLSTicket()]);
      s.end();
    });
    const port = await listen(server);
    try {
      await visit('node', port);
      assert.deepEqual(seen, [[true, undefined]]);
    } finally {
      await close(server);
    }
  });

  it('the session option: not a buffer is ERR_INVALID_ARG_TYPE (as node:tls), garbage means a full handshake', async () => {
    const s = await startServer('ours', {});
    try {
      for (const bad of ['abc', 5, { session: true }]) {
        let nodeCode: unknown;
        try {
          const n = nodeTls.connect({ port: s.port, host: '127.0.0.1', session: bad as unknown as Buffer });
          n.destroy();
        } catch (e) {
          nodeCode = (e as NodeJS.ErrnoException).code;
        }
        assert.equal(nodeCode, 'ERR_INVALID_ARG_TYPE');
        assert.throws(() => tls.connect({ port: s.port, host: '127.0.0.1', session: bad as unknown as Buffer }), {
          code: nodeCode,
        });
      }
      const garbage = await visit('ours', s.port, { session: Buffer.from('not a session') });
      assert.equal(garbage.reused, false);
      const typed = await visit('ours', s.port, { maxVersion: 'TLSv1.2' });
      assert.ok(typed.session);
      // Any ArrayBufferView will do; a falsy value is no session.
      const view = new Uint8Array(typed.session.buffer, typed.session.byteOffset, typed.session.length);
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: view as Buffer })).reused, true);
      assert.equal((await visit('ours', s.port, { session: '' as unknown as Buffer })).reused, false);
    } finally {
      await s.close();
    }
  });

  it("'session' comes after 'secureConnect' (TLS 1.2) and once per ticket (TLS 1.3), like node:tls", async () => {
    const s = await startServer('ours', {});
    try {
      for (const lib of ['ours', 'node'] as const) {
        const v12 = await visit(lib, s.port, { maxVersion: 'TLSv1.2' });
        assert.deepEqual(v12.events, ['secureConnect', 'session'], lib);
        const v13 = await visit(lib, s.port, {});
        // OpenSSL sends two tickets after a full TLS 1.3 handshake.
        assert.deepEqual(v13.events, ['secureConnect', 'session', 'session'], lib);
        assert.notDeepEqual(v13.sessions[0], v13.sessions[1]);
      }
    } finally {
      await s.close();
    }
  });

  it("a 'session' listener added after 'secureConnect' still gets the TLS 1.3 tickets", async () => {
    const s = await startServer('ours', {});
    try {
      const c = tls.connect({ port: s.port, host: '127.0.0.1', rejectUnauthorized: false });
      const sessions: Buffer[] = [];
      c.once('secureConnect', () => c.on('session', (x: Buffer) => sessions.push(x)));
      c.resume();
      await new Promise((resolve) => c.once('close', resolve));
      assert.equal(sessions.length, 2);
      assert.equal((await visit('ours', s.port, { session: sessions[0] })).reused, true);
    } finally {
      await s.close();
    }
  });

  it("no 'session' event when the server's certificate is rejected", async () => {
    const s = await startServer('ours', { maxVersion: 'TLSv1.2' });
    try {
      const c = tls.connect({ port: s.port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'wrong.example' });
      let sessions = 0;
      c.on('session', () => sessions++);
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => c.once('error', resolve));
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(sessions, 0);
    } finally {
      await s.close();
    }
  });
});

describe('session: server options', () => {
  usePeerCleanup();

  it('sessionTimeout (seconds): an older session is not resumed', async () => {
    const s = await startServer('ours', { sessionTimeout: 1 });
    try {
      const ids = await visit('ours', s.port, { maxVersion: 'TLSv1.2', secureOptions: NO_TICKET });
      const ticket = await visit('ours', s.port, { maxVersion: 'TLSv1.2' });
      const t13 = await visit('ours', s.port, {});
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: ids.session })).reused, true);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: ids.session })).reused, false);
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: ticket.session })).reused, false);
      assert.equal((await visit('ours', s.port, { session: t13.session })).reused, false);
    } finally {
      await s.close();
    }
  });

  it('secureOptions SSL_OP_NO_TICKET turns tickets off (TLS 1.2 still resumes by session id)', async () => {
    const s = await startServer('ours', { secureOptions: NO_TICKET, maxVersion: 'TLSv1.2' });
    try {
      for (const lib of ['ours', 'node'] as const) {
        const first = await visit(lib, s.port);
        assert.equal(first.ticket, undefined, lib);
        assert.equal((await visit(lib, s.port, { session: first.session })).reused, true, lib);
      }
      const r = await runOpenSSLClient(s.port, ['-tls1_2'], '', { waitFor: 'x' });
      assert.doesNotMatch(r.stdout, /TLS session ticket:/);
    } finally {
      await s.close();
    }
  });

  it("servers sharing ticketKeys resume each other's tickets; others do not", async () => {
    const keys = crypto.randomBytes(48);
    const a = await startServer('ours', { ticketKeys: keys });
    const b = await startServer('ours', { ticketKeys: keys });
    const c = await startServer('ours', {});
    try {
      for (const opts of [{ maxVersion: 'TLSv1.2' as const }, {}]) {
        const first = await visit('node', a.port, opts);
        assert.equal((await visit('node', b.port, { ...opts, session: first.session })).reused, true);
        assert.equal((await visit('node', c.port, { ...opts, session: first.session })).reused, false);
      }
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('getTicketKeys() and setTicketKeys(): 48 bytes, for new connections; errors as node:tls', async () => {
    const s = await startServer('ours', {});
    const server = s.server as tls.Server;
    try {
      const initial = server.getTicketKeys();
      assert.equal(initial.length, 48);
      const other = tls.createServer(rsa);
      assert.notDeepEqual(other.getTicketKeys(), initial, 'each server makes its own keys');

      const old = await visit('ours', s.port, { maxVersion: 'TLSv1.2' });
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: old.session })).reused, true);
      const next = crypto.randomBytes(48);
      server.setTicketKeys(next);
      assert.deepEqual(server.getTicketKeys(), next);
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: old.session })).reused, false);
      const fresh = await visit('ours', s.port, { maxVersion: 'TLSv1.2' });
      // A ticket starts with the name (first 16 bytes) of the key that made it.
      assert.deepEqual(fresh.ticket?.subarray(0, 16), next.subarray(0, 16));

      // node:tls's assertion for a key of the wrong size (test/dropin-server.test.ts compares the words).
      assert.throws(() => server.setTicketKeys(Buffer.alloc(47)), { code: 'ERR_INTERNAL_ASSERTION' });
      assert.throws(() => server.setTicketKeys(Buffer.alloc(96)), { code: 'ERR_INTERNAL_ASSERTION' });
      assert.throws(() => server.setTicketKeys('x'.repeat(48) as unknown as Buffer), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => nodeTls.createServer({ ...rsa, ticketKeys: Buffer.alloc(47) }), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
      assert.throws(() => tls.createServer({ ...rsa, ticketKeys: Buffer.alloc(47) }), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
      assert.throws(() => tls.createSecureContext({ ticketKeys: 'x'.repeat(48) as unknown as Buffer }), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
      server.setTicketKeys(new Uint8Array(48));
      assert.deepEqual(server.getTicketKeys(), Buffer.alloc(48));
    } finally {
      await s.close();
    }
  });

  it('a key ring: the first key issues, the others are still accepted and their tickets renewed', async () => {
    const [k1, k2, k3] = [crypto.randomBytes(48), crypto.randomBytes(48), crypto.randomBytes(48)];
    const s = await startServer('ours', { ticketKeys: k1 });
    const server = s.server as tls.Server;
    try {
      const v12 = await visit('ours', s.port, { maxVersion: 'TLSv1.2' });
      const v13 = await visit('ours', s.port, {});
      assert.deepEqual(v12.ticket?.subarray(0, 16), k1.subarray(0, 16));

      server.setTicketKeys([k2, k1]);
      assert.deepEqual(server.getTicketKeys(), k2, 'getTicketKeys() is the issuing key');
      const again12 = await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: v12.session });
      assert.equal(again12.reused, true);
      assert.deepEqual(again12.ticket?.subarray(0, 16), k2.subarray(0, 16), 'renewed under the current key');
      const again13 = await visit('ours', s.port, { session: v13.session });
      assert.equal(again13.reused, true);
      assert.deepEqual(again13.ticket?.subarray(0, 16), k2.subarray(0, 16));

      server.setTicketKeys([k3, k2]);
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: v12.session })).reused, false);
      assert.equal((await visit('ours', s.port, { maxVersion: 'TLSv1.2', session: again12.session })).reused, true);

      // No key at all is refused as node:tls refuses an array; a short key as it refuses one.
      assert.throws(() => server.setTicketKeys([]), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => server.setTicketKeys([k1, Buffer.alloc(10)]), { code: 'ERR_INTERNAL_ASSERTION' });
      const ring = tls.createServer({ ...rsa, ticketKeys: [k3, k1] });
      assert.deepEqual(ring.getTicketKeys(), k3);
    } finally {
      await s.close();
    }
  });

  it("sessionIdContext defaults to node:tls's (SHA-1 of the command line), so requestCert servers resume", async () => {
    const expected = crypto.createHash('sha1').update(process.argv.join(' ')).digest('hex').slice(0, 32);
    const sessions: Buffer[] = [];
    const server = tls.createServer(
      { ...rsa, requestCert: true, rejectUnauthorized: false, ca: fixture('ca.pem'), secureOptions: NO_TICKET },
      (s) => {
        sessions.push(s.getSession() as Buffer);
        s.end('x');
      },
    );
    const port = await listen(server);
    try {
      const client = { maxVersion: 'TLSv1.2' as const, key: fixture('client-key.pem'), cert: fixture('client.pem') };
      const first = await visit('node', port, client);
      assert.equal((await visit('node', port, { ...client, session: first.session })).reused, true);
      const text = execFileSync('openssl', ['sess_id', '-inform', 'DER', '-noout', '-text'], {
        input: sessions[0],
      }).toString();
      const ctx = /Session-ID-ctx: ([0-9A-F]+)/.exec(text)?.[1];
      assert.equal(ctx, Buffer.from(expected).toString('hex').toUpperCase());
    } finally {
      await close(server);
    }
  });

  it('a different sessionIdContext does not resume, even with the same ticket keys', async () => {
    const ticketKeys = crypto.randomBytes(48);
    const a = await startServer('ours', { ticketKeys, sessionIdContext: 'app-a' });
    const b = await startServer('ours', { ticketKeys, sessionIdContext: 'app-b' });
    const a2 = await startServer('ours', { ticketKeys, sessionIdContext: 'app-a' });
    try {
      const first = await visit('ours', a.port, { maxVersion: 'TLSv1.2' });
      assert.equal((await visit('ours', b.port, { maxVersion: 'TLSv1.2', session: first.session })).reused, false);
      assert.equal((await visit('ours', a2.port, { maxVersion: 'TLSv1.2', session: first.session })).reused, true);
    } finally {
      await Promise.all([a.close(), b.close(), a2.close()]);
    }
  });

  it('setSecureContext() keeps the ticketKeys option given before (as node:tls), else makes new keys', () => {
    const keys = crypto.randomBytes(48);
    for (const impl of [tls, nodeTls] as unknown as Array<typeof nodeTls>) {
      const server = impl.createServer({ ...rsa, ticketKeys: keys });
      server.setSecureContext({ ...rsa });
      assert.deepEqual(server.getTicketKeys(), keys);
      const other = impl.createServer({ ...rsa });
      const first = other.getTicketKeys();
      other.setSecureContext({ ...rsa });
      assert.notDeepEqual(other.getTicketKeys(), first);
      other.setSecureContext({ ...rsa, ticketKeys: keys });
      assert.deepEqual(other.getTicketKeys(), keys);
    }
  });
});
