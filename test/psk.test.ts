// TLS-PSK: pskCallback/pskIdentityHint on the server, pskCallback on the
// client, TLS 1.2 PSK suites and TLS 1.3 PSK, against node:tls and the openssl
// CLI; validation and errors compared with node:tls itself; a callback that
// throws, answers wrongly, or destroys its socket; the native guards.
import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { inspect } from 'node:util';
import * as tls from '../lib/index';
import { binding } from '../lib/internal/binding';
import type { CycleResult, NativeConnection } from '../typings/native';
import { close, listen } from './helpers/net';
import { runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const KEY = Buffer.from('d731ef57be09e5204f0b205b60627028', 'hex');
const KEY_HEX = KEY.toString('hex');
const TLS12 = { ciphers: 'PSK-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' } as const;

/** What both node:tls and this module offer, loosely typed so one helper drives either. */
interface TlsLike {
  createServer(options: object, listener: (s: nodeTls.TLSSocket) => void): nodeTls.Server;
  connect(options: object, listener?: () => void): nodeTls.TLSSocket;
}
const NODE = nodeTls as unknown as TlsLike;
const OURS = tls as unknown as TlsLike;

interface Outcome {
  serverProtocol?: string | null;
  clientProtocol?: string | null;
  clientCipher?: string;
  clientAuthorized?: boolean;
  clientReused?: boolean | null;
  serverGot: string;
  clientGot: string;
  serverError?: NodeJS.ErrnoException;
  clientError?: NodeJS.ErrnoException;
  identities: string[];
  hints: Array<string | null>;
}

/**
 * One connection between a server of `serverLib` and a client of `clientLib`.
 * The client sends "ping", the server answers "pong" and ends. Resolves once
 * both sides have closed.
 */
async function exchange(
  serverLib: TlsLike,
  clientLib: TlsLike,
  serverOptions: object,
  clientOptions: object,
): Promise<Outcome> {
  const out: Outcome = { serverGot: '', clientGot: '', identities: [], hints: [] };
  const server = serverLib.createServer(
    {
      pskCallback: (_socket: unknown, identity: string) => {
        out.identities.push(identity);
        return identity === 'TestUser' ? KEY : null;
      },
      ...serverOptions,
    },
    (s) => {
      out.serverProtocol = s.getProtocol();
      s.on('data', (d: Buffer) => {
        out.serverGot += d.toString();
        s.end('pong');
      });
      s.on('error', (e: NodeJS.ErrnoException) => (out.serverError ??= e));
    },
  );
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => (out.serverError ??= e));
  const rawClosed: Array<Promise<void>> = [];
  server.on('connection', (raw: Socket) => rawClosed.push(new Promise((r) => raw.once('close', () => r()))));
  const port = await listen(server);
  try {
    const c = clientLib.connect({
      port,
      host: '127.0.0.1',
      checkServerIdentity: () => undefined,
      pskCallback: (hint: string | null) => {
        out.hints.push(hint);
        return { psk: KEY, identity: 'TestUser' };
      },
      ...clientOptions,
    });
    c.on('secureConnect', () => {
      out.clientProtocol = c.getProtocol();
      out.clientCipher = c.getCipher()?.name;
      out.clientAuthorized = c.authorized;
      out.clientReused = c.isSessionReused();
      c.write('ping');
    });
    c.on('data', (d: Buffer) => (out.clientGot += d.toString()));
    c.on('error', (e: NodeJS.ErrnoException) => (out.clientError ??= e));
    await new Promise((r) => c.once('close', r));
    await Promise.all(rawClosed);
    await new Promise((r) => setImmediate(r));
  } finally {
    await close(server);
  }
  return out;
}

describe('PSK', () => {
  usePeerCleanup();

  describe('against node:tls', () => {
    for (const [name, serverLib, clientLib] of [
      ['our server, node client', OURS, NODE],
      ['node server, our client', NODE, OURS],
      ['our server, our client', OURS, OURS],
    ] as const) {
      it(`TLS 1.2 PSK-AES128-GCM-SHA256 (${name}): hint to the client, identity to the server`, async () => {
        const o = await exchange(serverLib, clientLib, { ...TLS12, pskIdentityHint: 'hint!' }, TLS12);
        assert.equal(o.clientError, undefined);
        assert.equal(o.serverError, undefined);
        assert.equal(o.clientProtocol, 'TLSv1.2');
        assert.equal(o.clientCipher, 'PSK-AES128-GCM-SHA256');
        assert.deepEqual(o.hints, ['hint!']);
        assert.deepEqual(o.identities, ['TestUser']);
        assert.equal(o.serverGot, 'ping');
        assert.equal(o.clientGot, 'pong');
        // No certificate, yet authorized: the key authenticated the server.
        assert.equal(o.clientAuthorized, true);
      });

      it(`TLS 1.3 PSK with no server certificate (${name}): looks like a resumption, hint is null`, async () => {
        const o = await exchange(serverLib, clientLib, { pskIdentityHint: 'ignored in 1.3' }, {});
        assert.equal(o.clientError, undefined);
        assert.equal(o.serverError, undefined);
        assert.equal(o.clientProtocol, 'TLSv1.3');
        assert.equal(o.serverProtocol, 'TLSv1.3');
        assert.deepEqual(o.hints, [null]);
        assert.deepEqual(o.identities, ['TestUser']);
        assert.equal(o.clientReused, true);
        assert.equal(o.clientAuthorized, true);
        assert.equal(o.clientGot, 'pong');
      });
    }

    it('ECDHE-PSK suites work too, and choose the same suite as node:tls', async () => {
      const opts = { ciphers: 'ECDHE-PSK-AES128-CBC-SHA256', maxVersion: 'TLSv1.2' };
      const ours = await exchange(OURS, OURS, opts, opts);
      const theirs = await exchange(NODE, NODE, opts, opts);
      assert.equal(ours.clientError, undefined);
      assert.equal(ours.clientCipher, 'ECDHE-PSK-AES128-CBC-SHA256');
      assert.equal(ours.clientCipher, theirs.clientCipher);
      assert.equal(ours.clientGot, 'pong');
    });

    it('TLS 1.3 picks the same cipher suite as node:tls (a SHA-256 one, for the PSK)', async () => {
      const ours = await exchange(OURS, NODE, {}, {});
      const theirs = await exchange(NODE, NODE, {}, {});
      assert.equal(ours.clientCipher, theirs.clientCipher);
    });

    it('the server callback gets (socket, identity) with this = the socket; the client gets (hint) with this = its socket', async () => {
      const seen: string[] = [];
      const server = tls.createServer(
        {
          ...TLS12,
          pskIdentityHint: 'h',
          pskCallback(this: unknown, socket: unknown, identity: string) {
            seen.push(
              `server this=socket:${this === socket} instance:${socket instanceof tls.TLSSocket} id:${identity}`,
            );
            return KEY;
          },
        },
        (s) => s.end(),
      );
      const port = await listen(server);
      try {
        const c = tls.connect({
          ...TLS12,
          port,
          host: '127.0.0.1',
          checkServerIdentity: () => undefined,
          pskCallback(this: unknown, ...args: unknown[]) {
            seen.push(`client this=socket:${this === c} args:${JSON.stringify(args)}`);
            return { psk: KEY, identity: 'me' };
          },
        });
        c.resume();
        await new Promise((r) => c.once('close', r));
        assert.deepEqual(seen, ['client this=socket:true args:["h"]', 'server this=socket:true instance:true id:me']);
      } finally {
        await close(server);
      }
    });

    it('the hint and the callback survive SNI switching the context', async () => {
      const sniContext = tls.createSecureContext(TLS12);
      const names: string[] = [];
      const o = await exchange(
        OURS,
        NODE,
        {
          ...TLS12,
          pskIdentityHint: 'kept',
          SNICallback: (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
            names.push(name);
            cb(null, sniContext);
          },
        },
        { ...TLS12, servername: 'psk.test' },
      );
      assert.deepEqual(names, ['psk.test']);
      assert.deepEqual(o.hints, ['kept']);
      assert.deepEqual(o.identities, ['TestUser']);
      assert.equal(o.clientGot, 'pong');
    });

    it('accepts a TypedArray, a DataView or { psk } from the server callback and a Uint8Array key from the client', async () => {
      for (const answer of [new Uint8Array(KEY), new DataView(KEY.buffer, KEY.byteOffset, KEY.length), { psk: KEY }]) {
        const o = await exchange(OURS, NODE, { pskCallback: () => answer }, {});
        assert.equal(o.clientGot, 'pong', inspect(answer));
      }
      const o = await exchange(
        NODE,
        OURS,
        {},
        { pskCallback: () => ({ psk: new Uint8Array(KEY), identity: 'TestUser' }) },
      );
      assert.equal(o.clientGot, 'pong');
    });

    it('different keys fail the handshake on both sides (TLS 1.2 and 1.3)', async () => {
      for (const version of [TLS12, {}]) {
        const o = await exchange(OURS, NODE, { ...version, pskCallback: () => Buffer.alloc(16, 1) }, version);
        assert.ok(o.serverError, 'server error');
        assert.ok(o.clientError, 'client error');
        assert.equal(o.clientProtocol, undefined);
      }
    });
  });

  it('a TLS 1.2 renegotiation runs both callbacks again, between application data', async () => {
    let serverCalls = 0;
    let clientCalls = 0;
    const server = tls.createServer(
      {
        ...TLS12,
        pskCallback: () => {
          serverCalls++;
          return KEY;
        },
      },
      (s) => s.pipe(s),
    );
    const port = await listen(server);
    try {
      const c = tls.connect({
        ...TLS12,
        port,
        host: '127.0.0.1',
        checkServerIdentity: () => undefined,
        pskCallback: () => {
          clientCalls++;
          return { psk: KEY, identity: 'TestUser' };
        },
      });
      await new Promise((r) => c.once('secureConnect', r));
      let echoed = '';
      c.on('data', (d: Buffer) => (echoed += d.toString()));
      c.write('one;');
      await new Promise<void>((resolve, reject) => {
        c.renegotiate({}, (err) => (err ? reject(err) : resolve()));
        c.write('two;');
      });
      c.write('three;');
      while (echoed.length < 'one;two;three;'.length) await new Promise((r) => setTimeout(r, 5));
      assert.equal(echoed, 'one;two;three;');
      assert.equal(serverCalls, 2);
      assert.equal(clientCalls, 2);
      c.destroy();
    } finally {
      await close(server);
    }
  });

  describe('against the openssl CLI', () => {
    it('openssl s_client -psk (TLS 1.2 and 1.3) connects to our server', async () => {
      for (const [version, args] of [
        ['TLSv1.2', ['-tls1_2', '-cipher', 'PSK-AES128-GCM-SHA256']],
        ['TLSv1.3', ['-tls1_3']],
      ] as const) {
        const identities: string[] = [];
        let protocol: string | null = null;
        const server = tls.createServer(
          {
            ...(version === 'TLSv1.2' ? TLS12 : {}),
            pskIdentityHint: 'cli-hint',
            pskCallback: (_s: unknown, id: string) => {
              identities.push(id);
              return id === 'TestUser' ? KEY : null;
            },
          },
          (s) => {
            protocol = s.getProtocol();
            s.on('data', () => s.end('bye\n'));
          },
        );
        const port = await listen(server);
        try {
          const r = await runOpenSSLClient(port, [...args, '-psk', KEY_HEX, '-psk_identity', 'TestUser'], 'hello\n', {
            waitFor: 'bye',
          });
          assert.match(r.stdout, /bye/);
          assert.equal(protocol, version);
          assert.deepEqual(identities, ['TestUser']);
          if (version === 'TLSv1.2') assert.match(r.stdout, /PSK identity hint: cli-hint/);
        } finally {
          await close(server);
        }
      }
    });

    it('our client connects to openssl s_server -psk -nocert (TLS 1.2 and 1.3)', async () => {
      for (const [version, args] of [
        ['TLSv1.2', ['-tls1_2', '-cipher', 'PSK-AES128-GCM-SHA256', '-psk_hint', 'srv-hint']],
        ['TLSv1.3', ['-tls1_3']],
      ] as const) {
        const server = await startOpenSSLServer(['-nocert', '-psk', KEY_HEX, '-psk_identity', 'TestUser', ...args]);
        const hints: Array<string | null> = [];
        const c = tls.connect({
          port: server.port,
          host: '127.0.0.1',
          ...(version === 'TLSv1.2' ? TLS12 : {}),
          checkServerIdentity: () => undefined,
          pskCallback: (hint: string | null) => {
            hints.push(hint);
            return { psk: KEY, identity: 'TestUser' };
          },
        });
        await new Promise<void>((resolve, reject) => {
          c.once('secureConnect', resolve);
          c.once('error', reject);
        });
        assert.equal(c.getProtocol(), version);
        assert.equal(c.authorized, true);
        assert.deepEqual(hints, [version === 'TLSv1.2' ? 'srv-hint' : null]);
        c.write(`from ${version}\n`);
        await server.waitForOutput(`from ${version}`);
        server.write('to client\n');
        const got = await new Promise<string>((r) => c.once('data', (d: Buffer) => r(d.toString())));
        assert.equal(got, 'to client\n');
        c.destroy();
        await server.stop();
      }
    });

    it('openssl s_client with an unknown identity gets unknown_psk_identity (TLS 1.2)', async () => {
      const server = tls.createServer({ ...TLS12, pskCallback: () => null }, (s) => s.end());
      const errors: NodeJS.ErrnoException[] = [];
      server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(e));
      const port = await listen(server);
      try {
        const r = await runOpenSSLClient(port, [
          '-tls1_2',
          '-cipher',
          'PSK-AES128-GCM-SHA256',
          '-psk',
          KEY_HEX,
          '-psk_identity',
          'nobody',
        ]);
        assert.match(r.stdout + r.stderr, /unknown psk identity/i);
        assert.equal(errors[0]?.code, 'ERR_SSL_PSK_IDENTITY_NOT_FOUND');
      } finally {
        await close(server);
      }
    });
  });

  describe('validation, like node:tls', () => {
    function thrown(fn: () => unknown): NodeJS.ErrnoException {
      try {
        fn();
      } catch (e) {
        return e as NodeJS.ErrnoException;
      }
      assert.fail('did not throw');
    }

    it('createServer: pskCallback must be a function, pskIdentityHint a string', () => {
      for (const options of [
        { pskCallback: 5 },
        { pskCallback: 'x' },
        { pskCallback: () => null, pskIdentityHint: 5 },
      ]) {
        const ours = thrown(() => tls.createServer(options as unknown as tls.TlsServerOptions));
        const theirs = thrown(() => nodeTls.createServer(options as unknown as nodeTls.TlsOptions));
        assert.equal(ours.code, 'ERR_INVALID_ARG_TYPE');
        assert.equal(ours.code, theirs.code);
        assert.equal(ours.message, theirs.message);
        assert.ok(ours instanceof TypeError);
      }
    });

    it('connect: pskCallback must be a function (thrown at once)', () => {
      const ours = thrown(() =>
        tls.connect({ port: 1, pskCallback: 'x' as unknown as tls.ConnectionOptions['pskCallback'] }),
      );
      const theirs = thrown(() =>
        nodeTls.connect({ port: 1, pskCallback: 'x' as unknown as nodeTls.ConnectionOptions['pskCallback'] }),
      );
      assert.equal(ours.code, 'ERR_INVALID_ARG_TYPE');
      assert.equal(ours.message, theirs.message);
    });

    it('a falsy pskCallback means no PSK', async () => {
      const o = await exchange(OURS, NODE, { pskCallback: null }, {});
      assert.ok(o.serverError);
      assert.equal(o.identities.length, 0);
    });

    const clientAnswers: Array<[string, unknown]> = [
      ['not an object', 5],
      ['false', false],
      ['no psk', {}],
      ['psk not a buffer', { psk: 'abc', identity: 'TestUser' }],
      ['identity not a string', { psk: KEY, identity: 5 }],
      ['psk over 512 bytes', { psk: Buffer.alloc(513, 1), identity: 'TestUser' }],
      ['identity over 256 bytes', { psk: KEY, identity: 'y'.repeat(257) }],
      ['identity over 256 bytes of UTF-8', { psk: KEY, identity: 'é'.repeat(200) }],
    ];
    for (const [name, answer] of clientAnswers) {
      it(`client callback answering ${name}: the same error as node:tls`, async () => {
        const ours = await exchange(NODE, OURS, {}, { pskCallback: () => answer });
        const theirs = await exchange(NODE, NODE, {}, { pskCallback: () => answer });
        assert.ok(ours.clientError, 'our client fails');
        assert.equal(ours.clientError.code, theirs.clientError?.code);
        assert.equal(ours.clientError.message, theirs.clientError?.message);
        assert.equal(ours.clientProtocol, undefined);
      });
    }

    it('an identity of exactly 256 bytes and a key of 512 bytes are fine', async () => {
      const big = Buffer.alloc(512, 7);
      const o = await exchange(
        OURS,
        OURS,
        { ...TLS12, pskCallback: () => big },
        { ...TLS12, pskCallback: () => ({ psk: big, identity: 'z'.repeat(256) }) },
      );
      assert.equal(o.clientError, undefined);
      assert.equal(o.clientGot, 'pong');
    });

    const serverAnswers: Array<[string, unknown]> = [
      ['0', 0],
      ['a string', 'abc'],
      ['a function', () => KEY],
      ['{ psk: string }', { psk: 'x' }],
      ['over 512 bytes', Buffer.alloc(600)],
    ];
    for (const [name, answer] of serverAnswers) {
      it(`server callback answering ${name}: tlsClientError like node:tls`, async () => {
        const ours = await exchange(OURS, NODE, { pskCallback: () => answer }, {});
        const theirs = await exchange(NODE, NODE, { pskCallback: () => answer }, {});
        assert.ok(ours.serverError, 'our server fails');
        assert.equal(ours.serverError.code, theirs.serverError?.code);
        assert.equal(ours.serverError.message, theirs.serverError?.message);
        assert.equal(ours.clientError?.code, theirs.clientError?.code);
      });
    }

    it('a hint over 256 bytes: tlsClientError ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED (node:tls spelling)', async () => {
      const hint = 'x'.repeat(257);
      const ours = await exchange(OURS, NODE, { ...TLS12, pskIdentityHint: hint }, TLS12);
      const theirs = await exchange(NODE, NODE, { ...TLS12, pskIdentityHint: hint }, TLS12);
      assert.equal(ours.serverError?.code, 'ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED');
      assert.equal(ours.serverError?.message, theirs.serverError?.message);
      const ok = await exchange(OURS, NODE, { ...TLS12, pskIdentityHint: 'x'.repeat(256) }, TLS12);
      assert.equal(ok.clientGot, 'pong');
    });
  });

  describe('callbacks that fail', () => {
    it('a null answer: TLS 1.2 fails with unknown_psk_identity (server) / psk identity not found (client), as node:tls', async () => {
      const server = await exchange(OURS, NODE, { ...TLS12, pskCallback: () => null }, TLS12);
      const nodeServer = await exchange(NODE, NODE, { ...TLS12, pskCallback: () => null }, TLS12);
      assert.equal(server.serverError?.code, 'ERR_SSL_PSK_IDENTITY_NOT_FOUND');
      assert.equal(server.clientError?.code, nodeServer.clientError?.code);
      const client = await exchange(NODE, OURS, TLS12, { ...TLS12, pskCallback: () => null });
      const nodeClient = await exchange(NODE, NODE, TLS12, { ...TLS12, pskCallback: () => null });
      assert.equal(client.clientError?.code, 'ERR_SSL_PSK_IDENTITY_NOT_FOUND');
      assert.equal(client.clientError?.code, nodeClient.clientError?.code);
    });

    it('a null answer in TLS 1.3 without a certificate: the same failure as node:tls', async () => {
      const ours = await exchange(OURS, NODE, {}, { pskCallback: () => null });
      const theirs = await exchange(NODE, NODE, {}, { pskCallback: () => null });
      assert.equal(ours.serverError?.code, theirs.serverError?.code);
      assert.equal(ours.clientError?.code, theirs.clientError?.code);
    });

    for (const [version, opts] of [
      ['TLS 1.2', TLS12],
      ['TLS 1.3', {}],
    ] as const) {
      it(`a server callback that throws: tlsClientError is what it threw; the client sees the connection close (${version})`, async () => {
        const boom = Object.assign(new Error('server boom'), { code: 'SERVER_BOOM' });
        const o = await exchange(
          OURS,
          NODE,
          {
            ...opts,
            pskCallback: () => {
              throw boom;
            },
          },
          opts,
        );
        assert.equal(o.serverError, boom);
        assert.equal(o.clientError?.code, 'ECONNRESET');
      });

      it(`a client callback that throws: 'error' is what it threw (${version})`, async () => {
        const boom = Object.assign(new Error('client boom'), { code: 'CLIENT_BOOM' });
        const o = await exchange(NODE, OURS, opts, {
          ...opts,
          pskCallback: () => {
            throw boom;
          },
        });
        assert.equal(o.clientError, boom);
        assert.equal(o.clientProtocol, undefined);
      });

      it(`destroy() inside the server callback closes the socket once OpenSSL is done (${version})`, async () => {
        let destroyed = 0;
        const o = await exchange(
          OURS,
          NODE,
          {
            ...opts,
            pskCallback(socket: tls.TLSSocket) {
              socket.destroy();
              destroyed++;
              assert.equal(socket.destroyed, true);
              return KEY;
            },
          },
          opts,
        );
        assert.equal(destroyed, 1);
        assert.equal(o.serverProtocol, undefined);
        assert.equal(o.clientProtocol, undefined);
        assert.ok(o.clientError);
      });

      it(`destroy() inside the client callback (${version})`, async () => {
        let errors = 0;
        const o = await exchange(NODE, OURS, opts, {
          ...opts,
          pskCallback(this: tls.TLSSocket) {
            this.on('error', () => errors++);
            this.destroy();
            return { psk: KEY, identity: 'TestUser' };
          },
        });
        assert.equal(o.clientProtocol, undefined);
        assert.equal(o.clientError, undefined);
        assert.equal(errors, 0);
      });
    }
  });

  describe('the native guards', () => {
    type Answer = Buffer | { psk: Buffer; identity: string } | null;

    function context(): tls.SecureContext {
      return tls.createSecureContext(TLS12);
    }

    /** Moves encrypted bytes between two native connections until neither has any. */
    function pump(a: NativeConnection, b: NativeConnection, first: CycleResult): CycleResult[] {
      const results: CycleResult[] = [first];
      let from = first;
      let to = b;
      let other = a;
      for (let i = 0; i < 20 && from.encrypted !== undefined; i++) {
        from = to.receive(from.encrypted);
        results.push(from);
        [to, other] = [other, to];
      }
      return results;
    }

    function pair(
      server: (id: string | null) => Answer,
      client: (hint: string | null) => Answer,
    ): [NativeConnection, NativeConnection] {
      const s = new binding.Connection(context().context, { isServer: true, pskCallback: server });
      const c = new binding.Connection(context().context, { isServer: false, pskCallback: client });
      return [s, c];
    }

    it('calls into the same connection from its callback throw ERR_INVALID_STATE; queries work', () => {
      const codes: string[] = [];
      let protocol: string | undefined;
      let s: NativeConnection | null = null;
      const [server, client] = pair(
        () => {
          for (const call of [
            () => s?.receive(Buffer.alloc(0)),
            () => s?.write(false, Buffer.from('x')),
            () => s?.shutdown(),
            () => s?.start(),
            () => s?.renegotiate({}),
          ]) {
            try {
              call();
              codes.push('none');
            } catch (e) {
              codes.push((e as NodeJS.ErrnoException).code ?? 'no code');
            }
          }
          protocol = s?.getProtocol() ?? undefined;
          return KEY;
        },
        () => ({ psk: KEY, identity: 'id' }),
      );
      s = server;
      const results = pump(client, server, client.start());
      assert.deepEqual(codes, Array(5).fill('ERR_INVALID_STATE'));
      assert.equal(protocol, 'TLSv1.2');
      assert.equal(server.isHandshakeDone(), true);
      assert.equal(client.isHandshakeDone(), true);
      assert.ok(results.every((r) => (r.status & binding.status.ERROR) === 0));
      assert.equal(binding.errorQueueLength(), 0);
      server.destroy();
      client.destroy();
    });

    it('destroy() from the callback is deferred until OpenSSL returns, then the connection is closed', () => {
      let s: NativeConnection | null = null;
      let calls = 0;
      const [server, client] = pair(
        () => {
          calls++;
          s?.destroy();
          s?.destroy();
          return KEY;
        },
        () => ({ psk: KEY, identity: 'id' }),
      );
      s = server;
      const hello = client.start();
      assert.ok(hello.encrypted);
      const r1 = server.receive(hello.encrypted);
      assert.equal(typeof r1.status, 'number');
      assert.ok(r1.encrypted);
      const r2 = client.receive(r1.encrypted);
      assert.ok(r2.encrypted);
      // The callback runs (and destroys) in this call, which still returns normally...
      const r3 = server.receive(r2.encrypted);
      assert.equal(calls, 1);
      assert.equal(typeof r3.status, 'number');
      // ...and the connection is gone afterwards.
      assert.throws(() => server.receive(Buffer.alloc(0)), { code: 'ERR_SOCKET_CLOSED' });
      server.destroy();
      client.destroy();
      assert.equal(binding.errorQueueLength(), 0);
    });

    it('a callback may run a whole other TLS connection meanwhile (its own read buffer)', () => {
      let inner = '';
      const [server, client] = pair(
        () => {
          const [s2, c2] = pair(
            () => KEY,
            () => ({ psk: KEY, identity: 'inner' }),
          );
          pump(c2, s2, c2.start());
          const w = c2.write(false, Buffer.from('inner data')) as CycleResult;
          assert.ok(w.encrypted);
          inner = s2.receive(w.encrypted).cleartext?.toString() ?? '';
          s2.destroy();
          c2.destroy();
          return KEY;
        },
        () => ({ psk: KEY, identity: 'outer' }),
      );
      pump(client, server, client.start());
      assert.equal(inner, 'inner data');
      const w = client.write(false, Buffer.from('outer data')) as CycleResult;
      assert.ok(w.encrypted);
      assert.equal(server.receive(w.encrypted).cleartext?.toString(), 'outer data');
      server.destroy();
      client.destroy();
    });

    it('a thrown non-Error becomes an Error carrying its text', () => {
      const [server, client] = pair(
        () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a JS callback may throw
          throw 'just a string';
        },
        () => ({ psk: KEY, identity: 'id' }),
      );
      const results = pump(client, server, client.start());
      const failed = results.find((r) => (r.status & binding.status.ERROR) !== 0);
      assert.ok(failed?.error instanceof Error);
      assert.equal(failed.error.message, 'just a string');
      server.destroy();
      client.destroy();
    });
  });
});
