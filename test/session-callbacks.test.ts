// newSession and resumeSession: every way a callback can be answered (at once,
// late, with null, with an error, twice, after the socket is gone) and the
// rule that a listener affects only connections made after it was added.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const NO_TICKET = crypto.constants.SSL_OP_NO_TICKET;
/** TLS 1.2 with session ids (no tickets): the case newSession/resumeSession exist for. */
const ids = { maxVersion: 'TLSv1.2' as const, secureOptions: NO_TICKET };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Visit {
  reused: boolean;
  session: Buffer | undefined;
  error: NodeJS.ErrnoException | undefined;
  /** ms from connect() to 'secureConnect' (-1: never). */
  secureAt: number;
  /** When (Date.now()) 'secureConnect' came, and each 'session'. */
  secureTime: number;
  sessionTimes: number[];
}

/** A node:tls client: connects, reads to the end or an error, and reports. */
function visit(port: number, options: nodeTls.ConnectionOptions = {}): Promise<Visit> {
  return new Promise((resolve) => {
    const start = Date.now();
    const c = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
    const v: Visit = {
      reused: false,
      session: undefined,
      error: undefined,
      secureAt: -1,
      secureTime: -1,
      sessionTimes: [],
    };
    c.on('secureConnect', () => {
      v.secureTime = Date.now();
      v.secureAt = v.secureTime - start;
      v.reused = c.isSessionReused();
    });
    c.on('session', (s: Buffer) => {
      v.sessionTimes.push(Date.now());
      v.session = s;
    });
    c.on('error', (e: NodeJS.ErrnoException) => (v.error = e));
    c.on('close', () => resolve(v));
    c.resume();
  });
}

interface Harness {
  server: tls.Server;
  port: number;
  log: string[];
  socketErrors: NodeJS.ErrnoException[];
  clientErrors: NodeJS.ErrnoException[];
  reused: boolean[];
  close(): Promise<void>;
}

async function harness(options: tls.TlsServerOptions = {}): Promise<Harness> {
  const h = {
    log: [] as string[],
    socketErrors: [] as NodeJS.ErrnoException[],
    clientErrors: [] as NodeJS.ErrnoException[],
    reused: [] as boolean[],
  };
  const server = tls.createServer({ ...rsa, ...options }, (s) => {
    h.log.push('secureConnection');
    h.reused.push(Boolean(s.isSessionReused()));
    s.on('error', (e: NodeJS.ErrnoException) => h.socketErrors.push(e));
    s.end('x');
  });
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => h.clientErrors.push(e));
  const port = await listen(server);
  return { ...h, server, port, close: () => close(server) };
}

/**
 * A session store behind newSession/resumeSession; newSession answers after
 * `delay` ms, and the time of each answer goes to `answered`.
 */
function attachStore(
  server: tls.Server,
  log: string[],
  delay = 0,
  resumeDelay = 0,
  answered: number[] = [],
): Map<string, Buffer> {
  const store = new Map<string, Buffer>();
  const later = (fn: () => void, ms = delay): void => {
    if (ms > 0) setTimeout(fn, ms);
    else fn();
  };
  server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    log.push('newSession');
    store.set(id.toString('hex'), data);
    later(() => {
      log.push('newSession answered');
      answered.push(Date.now());
      cb();
    });
  });
  server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data?: Buffer | null) => void) => {
    log.push('resumeSession');
    later(() => cb(null, store.get(id.toString('hex')) ?? null), resumeDelay);
  });
  return store;
}

describe('session callbacks: newSession', () => {
  usePeerCleanup();

  it("TLS 1.2: the server's output waits for the callback; 'secureConnection' comes after it (as node:tls)", async () => {
    const h = await harness(ids);
    const answered: number[] = [];
    attachStore(h.server, h.log, 200, 0, answered);
    try {
      const v = await visit(h.port, ids);
      assert.equal(v.error, undefined);
      assert.deepEqual(h.log, ['newSession', 'newSession answered', 'secureConnection']);
      // The server's Finished was held back until the answer.
      assert.ok(v.secureTime >= (answered[0] ?? Infinity), 'secureConnect after the answer');
    } finally {
      await h.close();
    }
  });

  it("TLS 1.3: one newSession per ticket; the tickets wait for the callbacks, 'secureConnection' does not", async () => {
    const h = await harness();
    const answered: number[] = [];
    attachStore(h.server, h.log, 200, 0, answered);
    try {
      const v = await visit(h.port);
      // TLS 1.3 always sends a (legacy) session id: resumeSession is asked, as in node:tls.
      assert.deepEqual(h.log, [
        'resumeSession',
        'secureConnection',
        'newSession',
        'newSession',
        'newSession answered',
        'newSession answered',
      ]);
      assert.equal(answered.length, 2);
      assert.ok(v.secureTime >= 0 && v.secureTime < (answered[0] ?? -1), 'secureConnect before the answers');
      assert.equal(v.sessionTimes.length, 2);
      for (const at of v.sessionTimes) assert.ok(at >= (answered[1] ?? Infinity), 'each ticket after the answers');
    } finally {
      await h.close();
    }
  });

  it('a late answer (and a store behind the callbacks) resumes through openssl s_client -sess_out/-sess_in', async () => {
    const h = await harness(ids);
    const store = attachStore(h.server, h.log, 100, 100);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-sess-'));
    const file = path.join(dir, 'session.pem');
    try {
      await runOpenSSLClient(h.port, ['-tls1_2', '-no_ticket', '-sess_out', file], '', { waitFor: 'x' });
      assert.equal(store.size, 1);
      const r = await runOpenSSLClient(h.port, ['-tls1_2', '-no_ticket', '-sess_in', file], '', { waitFor: 'x' });
      assert.match(r.stdout, /^Reused, TLSv1\.2/m);
      assert.deepEqual(h.reused, [false, true]);
      assert.deepEqual(h.log, [
        'newSession',
        'newSession answered',
        'secureConnection',
        'resumeSession',
        'secureConnection',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await h.close();
    }
  });

  it('answering twice counts once (node:tls ignores the second call)', async () => {
    const h = await harness(ids);
    h.server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => {
      cb();
      cb();
      setTimeout(cb, 20);
    });
    try {
      const v = await visit(h.port, ids);
      assert.equal(v.error, undefined);
      await sleep(50);
      assert.deepEqual(h.socketErrors, []);
      assert.deepEqual(h.clientErrors, []);
      assert.deepEqual(h.log, ['secureConnection']);
    } finally {
      await h.close();
    }
  });

  it('the client leaving before the answer: nothing breaks, answering later is harmless', async () => {
    const h = await harness(ids);
    const answers: Array<() => void> = [];
    h.server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => answers.push(cb));
    try {
      const c = nodeTls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false, ...ids });
      c.on('error', () => {});
      while (answers.length === 0) await sleep(5);
      c.destroy();
      await sleep(50);
      for (const answer of answers) answer();
      answers.length = 0;
      assert.deepEqual(h.log, []);
      // The server is fine: the next client gets through once it answers.
      const next = visit(h.port, ids);
      while (answers.length === 0) await sleep(5);
      answers[0]?.();
      assert.equal((await next).error, undefined);
      assert.deepEqual(h.log, ['secureConnection']);
    } finally {
      await h.close();
    }
  });

  it('the server destroying the socket before the answer is harmless too', async () => {
    const h = await harness(ids);
    let answer: (() => void) | undefined;
    h.server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => (answer = cb));
    h.server.on('connection', (raw: net.Socket) => setTimeout(() => raw.destroy(), 100));
    try {
      const v = await visit(h.port, ids);
      assert.ok(v.error !== undefined);
      assert.ok(answer);
      await sleep(50);
      answer();
      assert.deepEqual(h.log, []);
    } finally {
      await h.close();
    }
  });

  it('a listener added while a connection exists affects only later connections', async () => {
    const h = await harness(ids);
    let added = false;
    h.server.on('connection', () => {
      if (added) return;
      added = true;
      attachStore(h.server, h.log);
    });
    try {
      await visit(h.port, ids);
      assert.deepEqual(h.log, ['secureConnection']);
      await visit(h.port, ids);
      assert.deepEqual(h.log, ['secureConnection', 'newSession', 'newSession answered', 'secureConnection']);
    } finally {
      await h.close();
    }
  });

  it('sessions given to newSession are not also kept by the server itself', async () => {
    const h = await harness(ids);
    h.server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => cb());
    try {
      const first = await visit(h.port, ids);
      // No resumeSession listener to find it: a full handshake, as in node:tls.
      assert.equal((await visit(h.port, { ...ids, session: first.session })).reused, false);
    } finally {
      await h.close();
    }
  });
});

describe('session callbacks: resumeSession', () => {
  usePeerCleanup();

  async function withSession(
    options: tls.TlsServerOptions = ids,
  ): Promise<{ h: Harness; session: Buffer; store: Map<string, Buffer> }> {
    const h = await harness(options);
    const store = new Map<string, Buffer>();
    h.server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      store.set(id.toString('hex'), data);
      cb();
    });
    const first = await visit(h.port, ids);
    assert.ok(first.session);
    return { h, session: first.session, store };
  }

  it('a late answer with the session resumes (both sides)', async () => {
    const { h, session, store } = await withSession();
    h.server.on('resumeSession', (id: Buffer, cb: (e: null, d: Buffer | null) => void) => {
      setTimeout(() => cb(null, store.get(id.toString('hex')) ?? null), 150);
    });
    try {
      const v = await visit(h.port, { ...ids, session });
      assert.equal(v.reused, true);
      assert.ok(v.secureAt >= 140);
      assert.deepEqual(h.reused, [false, true]);
    } finally {
      await h.close();
    }
  });

  it('a null answer (or data that is no session) means a full handshake', async () => {
    const { h, session } = await withSession();
    const answers: unknown[] = [null, undefined, Buffer.from('garbage'), 'not a buffer'];
    let i = 0;
    h.server.on('resumeSession', (_id: Buffer, cb: (e: null, d: unknown) => void) => cb(null, answers[i++]));
    try {
      for (let n = 0; n < answers.length; n++) {
        const v = await visit(h.port, { ...ids, session });
        assert.equal(v.error, undefined);
        assert.equal(v.reused, false);
      }
      assert.equal(i, answers.length);
    } finally {
      await h.close();
    }
  });

  it('an error answer destroys the socket with that error (tlsClientError), the server goes on', async () => {
    const { h, session, store } = await withSession();
    let fail = true;
    h.server.on('resumeSession', (id: Buffer, cb: (e: Error | null, d?: Buffer | null) => void) => {
      if (fail) setTimeout(() => cb(Object.assign(new Error('store down'), { code: 'STORE_DOWN' })), 20);
      else cb(null, store.get(id.toString('hex')) ?? null);
    });
    try {
      const v = await visit(h.port, { ...ids, session });
      assert.ok(v.error !== undefined);
      assert.equal(v.secureAt, -1);
      assert.deepEqual(
        h.clientErrors.map((e) => e.code),
        ['STORE_DOWN'],
      );
      fail = false;
      assert.equal((await visit(h.port, { ...ids, session })).reused, true);
    } finally {
      await h.close();
    }
  });

  it('answering twice is ERR_MULTIPLE_CALLBACK: before the handshake ends on tlsClientError, after it on the socket', async () => {
    const { h, session, store } = await withSession();
    let late = false;
    let again: (() => void) | null = null;
    h.server.on('resumeSession', (id: Buffer, cb: (e: null, d: Buffer | null) => void) => {
      const data = store.get(id.toString('hex')) ?? null;
      cb(null, data);
      if (late) again = () => cb(null, data);
      else cb(null, data);
    });
    // The late second answer comes once the socket is established.
    let lateReused: boolean | null = null;
    h.server.prependListener('secureConnection', (s: tls.TLSSocket) => {
      if (again === null) return;
      lateReused = s.isSessionReused();
      again();
    });
    try {
      // (The client may well have finished its side: a resumed server speaks first.)
      await visit(h.port, { ...ids, session });
      assert.deepEqual(
        h.clientErrors.map((e) => e.code),
        ['ERR_MULTIPLE_CALLBACK'],
      );
      late = true;
      await visit(h.port, { ...ids, session });
      assert.deepEqual(
        h.socketErrors.map((e) => e.code),
        ['ERR_MULTIPLE_CALLBACK'],
      );
      assert.equal(lateReused, true);
    } finally {
      await h.close();
    }
  });

  it('the client leaving before the answer: answering later is harmless', async () => {
    const { h, session, store } = await withSession();
    const answers: Array<() => void> = [];
    h.server.on('resumeSession', (id: Buffer, cb: (e: null, d: Buffer | null) => void) => {
      answers.push(() => cb(null, store.get(id.toString('hex')) ?? null));
    });
    try {
      const c = nodeTls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false, ...ids, session });
      c.on('error', () => {});
      while (answers.length === 0) await sleep(5);
      c.destroy();
      await sleep(50);
      answers[0]?.();
      answers[0]?.();
      const next = visit(h.port, { ...ids, session });
      while (answers.length < 2) await sleep(5);
      answers[1]?.();
      assert.equal((await next).reused, true);
      assert.deepEqual(h.socketErrors, []);
    } finally {
      await h.close();
    }
  });

  it('a listener added while a connection exists affects only later connections', async () => {
    const { h, session, store } = await withSession();
    let calls = 0;
    let added = false;
    h.server.on('connection', () => {
      if (added) return;
      added = true;
      h.server.on('resumeSession', (id: Buffer, cb: (e: null, d: Buffer | null) => void) => {
        calls++;
        cb(null, store.get(id.toString('hex')) ?? null);
      });
    });
    try {
      assert.equal((await visit(h.port, { ...ids, session })).reused, false);
      assert.equal(calls, 0);
      assert.equal((await visit(h.port, { ...ids, session })).reused, true);
      assert.equal(calls, 1);
    } finally {
      await h.close();
    }
  });

  it('not asked when the client offers a TLS 1.2 ticket or no session id (as node:tls)', async () => {
    for (const lib of ['ours', 'node'] as const) {
      const calls: number[] = [];
      const onSocket = (s: tls.TLSSocket | nodeTls.TLSSocket): void => void s.end('x');
      const server: tls.Server | nodeTls.Server =
        lib === 'ours' ? tls.createServer(rsa, onSocket) : nodeTls.createServer(rsa, onSocket);
      server.on('resumeSession', (id: Buffer, cb: (e: null, d: null) => void) => {
        calls.push(id.length);
        cb(null, null);
      });
      const port = await listen(server);
      try {
        const first = await visit(port, { maxVersion: 'TLSv1.2' });
        assert.deepEqual(calls, [], `${lib}: no session id in a first TLS 1.2 ClientHello`);
        assert.equal((await visit(port, { maxVersion: 'TLSv1.2', session: first.session })).reused, true);
        assert.deepEqual(calls, [], `${lib}: a ticket resumes by itself`);
        await visit(port, {});
        assert.deepEqual(calls, [32], `${lib}: TLS 1.3 always sends a (legacy) session id`);
      } finally {
        await close(server);
      }
    }
  });
});
