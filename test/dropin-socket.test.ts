// Socket behaviours a node:tls program relies on, run the same way against
// node:tls and openssl-tls and compared (issue 16): end without reading, write
// completion and backpressure, errors before the handshake, a socket made
// directly, a client certificate refused, the options connect() hands to net,
// and what the information calls answer before and after.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import * as nodeTls from 'node:tls';
import * as ours from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

type Tls = typeof nodeTls;
const libs: Array<[string, Tls]> = [
  ['node:tls', nodeTls],
  ['openssl-tls', ours as unknown as Tls],
];
const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const clientOptions = { host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') };

/** Runs `scenario` with node:tls and with openssl-tls; returns both results, node's first. */
async function both<T>(scenario: (tls: Tls) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  for (const [, tls] of libs) results.push(await scenario(tls));
  return [results[0] as T, results[1] as T];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('drop-in: socket behaviours compared with node:tls', () => {
  it('a peer that ends is seen by a socket nobody reads: end, then close; server.close() returns', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const events: string[] = [];
      const server = tls.createServer(rsa, (s) => {
        s.on('end', () => events.push('end'));
        s.on('close', () => events.push('close'));
      });
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port }, () => c.end());
      await waitFor(c, 'close');
      await close(server);
      return events;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, ['end', 'close']);
  });

  it('writes complete on a later turn: writableLength, bufferSize, false at the high-water mark, drain', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.resume());
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port });
      await waitFor(c, 'secureConnect');
      const seen: Record<string, unknown> = { atConnect: c.bufferSize };
      c.write(Buffer.alloc(1024));
      seen.afterOne = [c.writableLength, c.bufferSize];
      let writes = 1;
      while (c.write(Buffer.alloc(1024))) writes++;
      seen.writesBeforeFalse = writes + 1;
      seen.highWaterMark = c.writableHighWaterMark;
      await waitFor(c, 'drain');
      seen.afterDrain = c.writableLength;
      const finished = waitFor(c, 'finish');
      c.end();
      await finished;
      seen.atFinish = c.bufferSize;
      c.destroy();
      await close(server);
      return seen;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine.afterOne, [1024, 1024]);
  });

  it("a connection dropped before the handshake: ECONNRESET carrying connect()'s host, port, path, localAddress", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const raw = net.createServer((s) => s.end());
      const port = await listen(raw);
      const c = tls.connect(port, '127.0.0.1');
      const [err] = await waitFor<[NodeJS.ErrnoException & Record<string, unknown>]>(c, 'error');
      await close(raw);
      return {
        code: err.code,
        message: err.message,
        host: err.host,
        port: err.port === port,
        path: err.path,
        localAddress: err.localAddress,
      };
    });
    assert.deepEqual(mine, theirs);
  });

  it('a socket made directly waits to be used: no socket of its own, no ClientHello until written', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const bare = new tls.TLSSocket(null as unknown as net.Socket, {});
      const errors: string[] = [];
      bare.on('error', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
      const bareState = { connecting: bare.connecting, readyState: bare.readyState, bufferSize: bare.bufferSize };
      let received = 0;
      const raw = net.createServer((s) => s.on('data', (d: Buffer) => (received += d.length)));
      const port = await listen(raw);
      const socket = net.connect(port, '127.0.0.1');
      await waitFor(socket, 'connect');
      const client = new tls.TLSSocket(socket, { rejectUnauthorized: true });
      client.on('error', () => {});
      const events: string[] = [];
      for (const e of ['secure', 'secureConnect']) client.on(e, () => events.push(`${e} ${client.authorized}`));
      await sleep(100);
      const beforeWrite = received;
      client.write('hello');
      await sleep(100);
      const afterWrite = received > 0;
      // A TLS server on the other end: the bare client emits 'secure' only and judges nobody.
      const server = tls.createServer(rsa, (s) => s.resume());
      const tlsPort = await listen(server);
      const raw2 = net.connect(tlsPort, '127.0.0.1');
      await waitFor(raw2, 'connect');
      const judged = new tls.TLSSocket(raw2, { rejectUnauthorized: true });
      for (const e of ['secure', 'secureConnect']) judged.on(e, () => events.push(`${e} ${judged.authorized}`));
      judged.write('x');
      await waitFor(judged, 'secure');
      judged.destroy();
      await close(server);
      client.destroy();
      bare.destroy();
      await close(raw);
      let thrown = '';
      try {
        new tls.TLSSocket(new EventEmitter() as unknown as net.Socket);
      } catch (err) {
        thrown = (err as Error).constructor.name;
      }
      return { bareState, errors, beforeWrite, afterWrite, thrown, events };
    });
    assert.deepEqual(mine, theirs);
    assert.equal(mine.beforeWrite, 0);
    assert.equal(mine.thrown, 'TypeError');
  });

  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`a server refusing a client certificate tells 'tlsClientError' (${maxVersion})`, async () => {
      // TLS 1.2: node:tls destroys the socket before the server's last flight goes out (the
      // native link holds it for JS, OUTPUT_HELD), so the client never completes.
      const [theirs, mine] = await both(async (tls) => {
        const events: string[] = [];
        // The client's certificate is not issued by the CA the server trusts.
        const server = tls.createServer({
          ...rsa,
          ca: fixture('client-selfsigned.pem'),
          requestCert: true,
          maxVersion,
        });
        server.on('tlsClientError', (err: NodeJS.ErrnoException) => events.push(`tlsClientError ${err.code}`));
        server.on('secureConnection', () => events.push('secureConnection'));
        const port = await listen(server);
        const c = tls.connect({
          ...clientOptions,
          port,
          key: fixture('client-key.pem'),
          cert: fixture('client.pem'),
          maxVersion,
        });
        c.on('error', (err: NodeJS.ErrnoException) => events.push(`client error ${err.code}`));
        await new Promise((r) => c.once('close', r));
        await sleep(50);
        await close(server);
        return events.sort();
      });
      assert.deepEqual(mine, theirs);
      assert.ok(
        mine.some((e) => e.startsWith('tlsClientError')),
        mine.join(),
      );
    });
  }

  it('connect() hands its options to net: lookup, hints, family; a null path is TCP', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.end());
      const port = await listen(server);
      const asked: unknown[] = [];
      const lookup = ((
        host: string,
        options: { hints?: number; family?: number },
        cb: (e: Error | null, a: string, f: number) => void,
      ) => {
        asked.push([host, options.hints, options.family]);
        cb(null, '127.0.0.1', 4);
      }) as unknown as net.LookupFunction;
      const c = tls.connect({
        port,
        host: 'localhost',
        ca: fixture('ca.pem'),
        lookup,
        hints: 1024,
        family: 4,
        path: null,
      } as unknown as nodeTls.ConnectionOptions);
      await waitFor(c, 'secureConnect');
      const remote = c.remoteAddress;
      c.destroy();
      await close(server);
      return { asked, remote };
    });
    assert.deepEqual(mine, theirs);
  });

  it('the information calls before the handshake and once closed', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.resume());
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port });
      let early = '';
      try {
        c.exportKeyingMaterial(8, 'label', Buffer.from('context'));
      } catch (err) {
        early = `${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}`;
      }
      await waitFor(c, 'secureConnect');
      const material = c.exportKeyingMaterial(8, 'label', Buffer.from('context')).length;
      c.destroy();
      await waitFor(c, 'close');
      const closed = {
        peer: c.getPeerCertificate(),
        certificate: c.getCertificate(),
        cipher: c.getCipher(),
        protocol: c.getProtocol(),
        finished: c.getFinished(),
        peerFinished: c.getPeerFinished(),
        session: c.getSession(),
        reused: c.isSessionReused(),
        bufferSize: c.bufferSize,
      };
      await close(server);
      return { early, material, closed };
    });
    assert.deepEqual(mine, theirs);
  });

  it("onread: cleartext in the caller's buffer, no data events; false pauses until resume()", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const message = Buffer.alloc(40_000, 'abcdefghij');
      const server = tls.createServer(rsa, (s) => s.end(message));
      const port = await listen(server);
      const pool = [Buffer.alloc(3), Buffer.alloc(3)];
      let asked = 0;
      let calls = 0;
      const parts: Buffer[] = [];
      let paused = false;
      const c = tls.connect({
        ...clientOptions,
        port,
        onread: {
          buffer: () => pool[asked++ % 2] as Buffer,
          callback: (n: number, buf: Buffer) => {
            calls++;
            parts.push(Buffer.from(buf.subarray(0, n)));
            if (!paused) {
              paused = true;
              setTimeout(() => c.resume(), 50);
              return false;
            }
            return true;
          },
        },
      } as nodeTls.ConnectionOptions);
      let data = 0;
      c.on('data', () => data++);
      await waitFor(c, 'end');
      await close(server);
      return {
        data,
        intact: Buffer.concat(parts).equals(message),
        pausedOnce: paused,
        enoughCalls: calls >= message.length / 3,
      };
    });
    assert.deepEqual(mine, theirs);
    assert.equal(mine.intact, true);
  });

  it("setMaxSendFragment: false where OpenSSL refuses the size, node's errors for what is no int32", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.resume());
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port });
      await waitFor(c, 'secureConnect');
      const answers: unknown[] = [511, 512, 16384, 16385].map((n) => c.setMaxSendFragment(n));
      for (const bad of [undefined, '1', 1.5, 2 ** 31]) {
        try {
          c.setMaxSendFragment(bad as number);
          answers.push('no throw');
        } catch (err) {
          answers.push(`${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}`);
        }
      }
      c.destroy();
      await close(server);
      return answers;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine.slice(0, 4), [false, true, true, false]);
  });

  it("the server's ALPNCallback is called with this = the server's socket", async () => {
    const [theirs, mine] = await both(async (tls) => {
      let self: unknown;
      const server = tls.createServer({
        ...rsa,
        ALPNCallback(this: unknown, { protocols }: { protocols: string[] }) {
          self = this;
          return protocols[0];
        },
      });
      let isSocket = false;
      server.on('secureConnection', (s) => {
        isSocket = self === s;
        s.end();
      });
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port, ALPNProtocols: ['b', 'a'] });
      c.resume();
      await waitFor(c, 'close');
      await close(server);
      return { protocol: c.alpnProtocol, isSocket };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { protocol: 'b', isSocket: true });
  });

  it("SNICallback's this is the server's socket; checkServerIdentity's is connect()'s options", async () => {
    const [theirs, mine] = await both(async (tls) => {
      let sniThis: unknown;
      let identityThisPort: unknown;
      const server = tls.createServer({
        ...rsa,
        SNICallback(this: unknown, _name: string, cb: (err: Error | null, ctx?: nodeTls.SecureContext) => void) {
          sniThis = this;
          cb(null);
        },
      });
      let isSocket = false;
      server.on('secureConnection', (s) => {
        isSocket = sniThis === s;
        s.end();
      });
      const port = await listen(server);
      const c = tls.connect({
        ...clientOptions,
        port,
        checkServerIdentity(this: { port?: unknown }) {
          identityThisPort = this.port;
          return undefined;
        },
      });
      c.resume();
      await new Promise((r) => c.once('close', r));
      await close(server);
      return { isSocket, identityThisIsOptions: identityThisPort === port };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { isSocket: true, identityThisIsOptions: true });
  });

  it('each record is its own chunk (the peer sends 512-byte records)', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => {
        s.setMaxSendFragment(512);
        s.end(Buffer.alloc(5000, 'x'));
      });
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port });
      const sizes: number[] = [];
      c.on('data', (d: Buffer) => sizes.push(d.length));
      await waitFor(c, 'end');
      await close(server);
      return sizes;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, [...(Array(9).fill(512) as number[]), 392]);
  });

  it("'session' once per ticket: inside it getSession() is that session and getTLSTicket() its ticket", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.end('bye'));
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port });
      const seen: Array<{ same: boolean; ticketInSession: boolean }> = [];
      c.on('session', (session: Buffer) => {
        const ticket = c.getTLSTicket();
        seen.push({
          same: session.equals(c.getSession() ?? Buffer.alloc(0)),
          ticketInSession: ticket !== undefined && session.includes(ticket),
        });
      });
      c.resume();
      await new Promise((r) => c.once('close', r));
      // A client made directly is never verified: node:tls never tells it of sessions.
      const raw = net.connect(port, '127.0.0.1');
      await waitFor(raw, 'connect');
      const bare = new tls.TLSSocket(raw, {});
      let bareSessions = 0;
      bare.on('session', () => bareSessions++);
      bare.write('x');
      bare.resume();
      await new Promise((r) => bare.once('close', r));
      await close(server);
      return { seen, bareSessions };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine.seen, [
      { same: true, ticketInSession: true },
      { same: true, ticketInSession: true },
    ]);
  });

  it('connect({ highWaterMark }) sets both sides of the stream, as node:tls passes it on', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(rsa, (s) => s.resume());
      const port = await listen(server);
      const c = tls.connect({ ...clientOptions, port, highWaterMark: 1024 } as nodeTls.ConnectionOptions);
      await waitFor(c, 'secureConnect');
      const marks = [c.writableHighWaterMark, c.readableHighWaterMark];
      c.destroy();
      await close(server);
      return marks;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, [1024, 1024]);
  });
});

describe('drop-in: allowHalfOpen, pauseOnConnect and SNICallback as node:tls reads them', () => {
  it("a socket's allowHalfOpen: the given socket's own, else the option", async () => {
    const [theirs, mine] = await both((tls) => {
      const out: unknown[] = [];
      // (@types/node lists neither a TLSSocket's nor connect()'s allowHalfOpen.)
      const TLSSocket = tls.TLSSocket as unknown as new (s?: Duplex, o?: object) => nodeTls.TLSSocket;
      const duplex = (allowHalfOpen: boolean) => new Duplex({ allowHalfOpen, read() {}, write: (_c, _e, cb) => cb() });
      out.push(new TLSSocket(new net.Socket(), { allowHalfOpen: true }).allowHalfOpen);
      out.push(new TLSSocket(new net.Socket({ allowHalfOpen: true }), { allowHalfOpen: false }).allowHalfOpen);
      out.push(new TLSSocket(duplex(false), { allowHalfOpen: true }).allowHalfOpen);
      out.push(new TLSSocket(duplex(true), {}).allowHalfOpen);
      out.push(new TLSSocket().allowHalfOpen);
      out.push(new TLSSocket(undefined, { allowHalfOpen: true }).allowHalfOpen);
      const viaConnect = (o: object) => {
        const c = tls.connect({ port: 1, host: '127.0.0.1', ...o } as nodeTls.ConnectionOptions);
        c.on('error', () => {});
        const v = c.allowHalfOpen;
        c.destroy();
        return v;
      };
      out.push(viaConnect({ allowHalfOpen: true }), viaConnect({}));
      out.push(viaConnect({ socket: new net.Socket({ allowHalfOpen: true }) }));
      out.push(viaConnect({ socket: new net.Socket(), allowHalfOpen: true }));
      return Promise.resolve(out);
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(theirs, [false, true, false, true, false, true, true, false, true, false]);
  });

  it("a server's allowHalfOpen and pauseOnConnect, on the server and on its sockets", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const out: unknown[] = [];
      for (const extra of [{}, { allowHalfOpen: true, pauseOnConnect: true }]) {
        const server = tls.createServer({ ...rsa, ...extra });
        const netSide = server as unknown as { allowHalfOpen: boolean; pauseOnConnect: boolean };
        out.push(netSide.allowHalfOpen, netSide.pauseOnConnect);
        const port = await listen(server);
        let got = '';
        const seen = new Promise<unknown[]>((resolve) =>
          server.once('secureConnection', (s: nodeTls.TLSSocket) => {
            const state = [s.allowHalfOpen, s.isPaused()];
            s.on('data', (d: Buffer) => (got += d.toString()));
            s.on('end', () => s.end());
            // What came while the socket was paused is read once it is resumed.
            setTimeout(() => {
              s.resume();
              resolve(state);
            }, 50);
          }),
        );
        const c = tls.connect({ port, ...clientOptions });
        await waitFor(c, 'secureConnect');
        // The client writes and ends; a half-open server socket still answers, then ends too.
        const closed = waitFor(c, 'close');
        c.end('hello');
        out.push(...(await seen));
        await closed;
        out.push(got);
        await close(server);
      }
      return out;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(theirs, [false, false, false, false, 'hello', true, true, true, true, 'hello']);
  });

  it("a server socket's SNICallback that is not a function: node:tls's TypeError", async () => {
    const [theirs, mine] = await both((tls) => {
      const out: unknown[] = [];
      for (const SNICallback of ['fhqwhgads', 42, {}, []]) {
        for (const make of [
          () => tls.createServer({ SNICallback: SNICallback as never }),
          () => new tls.TLSSocket(new net.Socket(), { isServer: true, SNICallback: SNICallback as never }),
        ]) {
          try {
            make();
            out.push('made');
          } catch (e) {
            out.push([(e as Error).name, (e as NodeJS.ErrnoException).code, (e as Error).message]);
          }
        }
      }
      // Falsy is no callback.
      out.push(
        new tls.TLSSocket(new net.Socket(), { isServer: true, SNICallback: 0 as never }) instanceof tls.TLSSocket,
      );
      return Promise.resolve(out);
    });
    assert.deepEqual(mine, theirs);
    assert.equal((theirs[0] as unknown[])[1], 'ERR_INVALID_ARG_TYPE');
  });
});

describe('drop-in: a socket made directly keeps control of its errors', () => {
  it("garbage from the peer: '_tlsError' once, no 'error' to the program, then close (client and server side)", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const out: unknown[] = [];
      for (const isServer of [false, true]) {
        const events: string[] = [];
        const peer = net.createServer((c) => {
          if (isServer) return;
          c.end(Buffer.alloc(100, 42));
        });
        const port = await listen(peer);
        const closed = new Promise<void>((resolve) => {
          const wrap = (raw: net.Socket) => {
            const s = new tls.TLSSocket(
              raw,
              isServer ? { isServer: true, secureContext: tls.createSecureContext(rsa) } : {},
            );
            s.on('_tlsError', () => events.push('_tlsError'));
            s.on('close', () => {
              events.push(`close, error listeners ${s.listenerCount('error')}`);
              resolve();
            });
            if (!isServer) s.write('x');
          };
          if (isServer) {
            // Our side is the server: the raw peer sends garbage after we wrap its connection.
            peer.removeAllListeners('connection');
            peer.on('connection', (c: net.Socket) => wrap(c));
            const raw = net.connect(port, '127.0.0.1', () => raw.write(Buffer.alloc(1024, 42)));
            raw.on('error', () => {});
          } else {
            const raw = net.connect(port, '127.0.0.1', () => wrap(raw));
          }
        });
        await closed;
        await close(peer);
        out.push(events);
      }
      return out;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(theirs, [
      ['_tlsError', 'close, error listeners 1'],
      ['_tlsError', 'close, error listeners 1'],
    ]);
  });
});

describe('drop-in: a write still waiting when the connection fails', () => {
  it("completes after 'error' and before 'close': no error, or ECANCELED once the stream was undestroyed", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const out: string[][] = [];
      for (const undestroy of [false, true]) {
        const events: string[] = [];
        const peer = net.createServer((c) => c.destroy());
        const port = await listen(peer);
        const c = tls.connect({ port, host: '127.0.0.1' });
        c.on('error', (e: NodeJS.ErrnoException) => {
          events.push(`error ${String(e.code)}`);
          // (node's stream internals: what node's test-tls-writewrap-leak.js does.)
          if (undestroy && events.length === 1) (c as unknown as { _undestroy(): void })._undestroy();
        });
        const closed = new Promise<void>((resolve) =>
          c.on('close', () => {
            events.push('close');
            resolve();
          }),
        );
        c.write('hello', (err) =>
          events.push(`write callback ${String((err as NodeJS.ErrnoException | null)?.code ?? null)}`),
        );
        await closed;
        await sleep(50);
        await close(peer);
        out.push(events);
      }
      return out;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(theirs[0], ['error ECONNRESET', 'write callback null', 'close']);
  });
});

describe('drop-in: the close_notify write after end() fails quietly when the peer is gone', () => {
  it("clients that reset right after the handshake: no 'error' on the server's sockets", async () => {
    const [theirs, mine] = await both(async (tls) => {
      const errors: string[] = [];
      const server = tls.createServer(rsa, (s) => {
        s.on('error', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
      });
      const port = await listen(server);
      for (let i = 0; i < 5; i++) {
        const c = tls.connect({ port, ...clientOptions });
        await waitFor(c, 'secureConnect');
        c.destroy();
        await waitFor(c, 'close');
      }
      // (node:tls's server sockets, never read, do not close here: only errors are compared.)
      await sleep(300);
      server.close();
      return errors;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(theirs, []);
  });
});
