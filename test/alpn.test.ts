// ALPN: ALPNProtocols on both sides (arrays, wire-format Buffers and
// Uint8Arrays), the server's ALPNCallback as a ClientHello pause step, and
// socket.alpnProtocol, each held against node:tls for the same options and
// tried with the openssl CLI.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { certArgs, runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';
import { impls, nodeImpl, ourImpl, runPair, type PairResult, type TlsImpl } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
// Exported by node:tls, not in its typings.
const nodeConvert = (
  nodeTls as unknown as { convertALPNProtocols(protocols: unknown, out: { ALPNProtocols?: Buffer }): void }
).convertALPNProtocols;

interface Outcome {
  server: string | false | null | undefined;
  client: string | false | null | undefined;
  serverError?: string;
  clientError?: string;
}

async function outcome(
  server: TlsImpl,
  client: TlsImpl,
  serverOptions: Record<string, unknown>,
  clientOptions: Record<string, unknown>,
): Promise<Outcome> {
  let seen: Outcome = { server: undefined, client: undefined };
  const r: PairResult = await runPair({
    server,
    client,
    serverOptions: { ...rsa, ...serverOptions },
    clientOptions,
    inspect: (s, c) => {
      seen = { server: s.alpnProtocol, client: c.alpnProtocol };
    },
  });
  if (r.server.error !== undefined) seen.serverError = r.server.error;
  if (r.client.error !== undefined) seen.clientError = r.client.error;
  return seen;
}

const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'both lists: the server picks its first that the client offers',
    { ALPNProtocols: ['a', 'b'] },
    { ALPNProtocols: ['c', 'b', 'a'] },
  ],
  ['no overlap: fatal no_application_protocol alert', { ALPNProtocols: ['a', 'b'] }, { ALPNProtocols: ['c'] }],
  ['server without a list: none', {}, { ALPNProtocols: ['h2'] }],
  ['client without a list: none', { ALPNProtocols: ['h2'] }, {}],
  [
    'wire format Buffer and Uint8Array',
    { ALPNProtocols: Buffer.from('\x02h2\x08http/1.1') },
    { ALPNProtocols: new Uint8Array(Buffer.from('\x08http/1.1')) },
  ],
  ['TLS 1.2', { ALPNProtocols: ['h2', 'http/1.1'], maxVersion: 'TLSv1.2' }, { ALPNProtocols: ['http/1.1'] }],
  ['TLS 1.2, no overlap', { ALPNProtocols: ['h2'], maxVersion: 'TLSv1.2' }, { ALPNProtocols: ['http/1.1'] }],
];

describe('ALPN', () => {
  usePeerCleanup();

  describe('same outcome as node:tls', () => {
    for (const [title, serverOptions, clientOptions] of cases) {
      it(title, async () => {
        const expected = await outcome(nodeImpl, nodeImpl, serverOptions, clientOptions);
        for (const server of impls) {
          for (const client of impls) {
            const got = await outcome(server, client, serverOptions, clientOptions);
            assert.deepEqual(got, expected, `${server.name} server, ${client.name} client`);
          }
        }
        if (title.startsWith('no overlap')) {
          assert.deepEqual(await outcome(ourImpl, ourImpl, serverOptions, clientOptions), {
            server: undefined,
            client: undefined,
            serverError: 'ERR_SSL_NO_APPLICATION_PROTOCOL',
            clientError: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
          });
        }
      });
    }
  });

  it('names may also be given as bytes inside the array (node:tls: strings only)', async () => {
    const got = await outcome(
      ourImpl,
      ourImpl,
      { ALPNProtocols: [Buffer.from('x')] },
      { ALPNProtocols: ['y', new Uint8Array([0x78])] },
    );
    assert.deepEqual(got, { server: 'x', client: 'x' });
  });

  it('alpnProtocol is null before the handshake and false when nothing was negotiated', async () => {
    const s = new tls.TLSSocket(null);
    assert.equal(s.alpnProtocol, null);
    s.destroy();
    const got = await outcome(ourImpl, ourImpl, {}, {});
    assert.deepEqual(got, { server: false, client: false });
  });

  it('openssl s_client -alpn against our server', async () => {
    const server = tls.createServer({ ...rsa, ALPNProtocols: ['spdy/3', 'http/1.1'] }, (s) =>
      s.end(`proto=${String(s.alpnProtocol)}\n`),
    );
    const port = await listen(server);
    try {
      const r = await runOpenSSLClient(port, ['-alpn', 'h2,http/1.1'], '', { waitFor: 'proto=' });
      assert.match(r.stdout, /ALPN protocol: http\/1\.1/);
      assert.match(r.stdout, /proto=http\/1\.1/);
      const none = await runOpenSSLClient(port, ['-alpn', 'h2'], '');
      assert.match(none.stdout + none.stderr, /no application protocol/i);
    } finally {
      await close(server);
    }
  });

  it('our client against openssl s_server -alpn', async () => {
    const server = await startOpenSSLServer([...certArgs('server-rsa'), '-alpn', 'h2,http/1.1']);
    const c = tls.connect({
      port: server.port,
      host: '127.0.0.1',
      ca: fixture('ca.pem'),
      servername: 'localhost',
      ALPNProtocols: ['http/1.1', 'h2'],
    });
    await waitFor(c, 'secureConnect');
    assert.equal(c.alpnProtocol, 'h2');
    c.destroy();
    await server.waitForOutput('ALPN protocols advertised by the client: http/1.1, h2');
  });

  describe('option checks (as node:tls)', () => {
    it("a name over 255 bytes is ERR_OUT_OF_RANGE with node's message", () => {
      const long = ['ok', 'x'.repeat(256)];
      const expected = (() => {
        try {
          nodeConvert(long, {});
        } catch (err) {
          return err as Error & { code: string };
        }
        return null;
      })();
      assert.ok(expected);
      assert.throws(() => tls.connect({ port: 1, ALPNProtocols: long }), {
        code: expected.code,
        message: expected.message,
        name: 'RangeError',
      });
      assert.throws(() => tls.createServer({ ALPNProtocols: long }), { code: 'ERR_OUT_OF_RANGE' });
      assert.throws(() => new tls.TLSSocket(null, { ALPNProtocols: long }), { code: 'ERR_OUT_OF_RANGE' });
    });

    it('ALPNCallback with ALPNProtocols is ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS', () => {
      const options = { ALPNCallback: () => 'a', ALPNProtocols: ['a'] };
      let expected: (Error & { code?: string }) | undefined;
      try {
        nodeTls.createServer(options);
      } catch (err) {
        expected = err as Error & { code?: string };
      }
      assert.ok(expected);
      assert.throws(() => tls.createServer(options), {
        code: expected.code,
        message: expected.message,
        name: 'TypeError',
      });
    });

    it('what OpenSSL would refuse is a clear error, not a crash', () => {
      assert.throws(() => tls.connect({ port: 1, ALPNProtocols: 'h2' as unknown as string[] }), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
      assert.throws(() => tls.connect({ port: 1, ALPNProtocols: [''] }), { code: 'ERR_INVALID_ARG_VALUE' });
      assert.throws(() => tls.connect({ port: 1, ALPNProtocols: [5 as unknown as string] }), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
      assert.throws(() => tls.connect({ port: 1, ALPNProtocols: Buffer.from('\x05ab') }), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
      assert.throws(() => tls.createServer({ ALPNCallback: 5 as unknown as tls.ALPNCallback }), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    });

    it('convertALPNProtocols gives what node:tls gives', () => {
      for (const input of [
        ['h2', 'http/1.1'],
        new Uint8Array([2, 104, 50]),
        Buffer.from('\x01a'),
        'h2',
        [] as string[],
      ]) {
        const a: { ALPNProtocols?: Buffer } = {};
        const b: { ALPNProtocols?: Buffer } = {};
        tls.convertALPNProtocols(input, a);
        nodeConvert(input, b);
        assert.deepEqual(a.ALPNProtocols && [...a.ALPNProtocols], b.ALPNProtocols && [...b.ALPNProtocols]);
      }
    });

    it('server.ALPNProtocols holds the wire form, as in node:tls', () => {
      assert.deepEqual(tls.createServer({ ALPNProtocols: ['a', 'bc'] }).ALPNProtocols, Buffer.from('\x01a\x02bc'));
      assert.equal(tls.createServer({}).ALPNProtocols, undefined);
    });
  });

  describe('ALPNCallback', () => {
    async function withCallback(
      ALPNCallback: tls.ALPNCallback,
      clientOptions: Record<string, unknown>,
      server: TlsImpl = ourImpl,
    ): Promise<Outcome> {
      return outcome(server, nodeImpl, { ALPNCallback }, clientOptions);
    }

    it('gets {servername, protocols} and its answer is negotiated, as in node:tls', async () => {
      for (const server of impls) {
        const calls: tls.ALPNCallbackInfo[] = [];
        const got = await withCallback(
          (info) => {
            calls.push(info);
            return info.protocols[1];
          },
          { ALPNProtocols: ['c', 'd'], servername: 'alpn.test' },
          server,
        );
        assert.deepEqual(got, { server: 'd', client: 'd' }, server.name);
        assert.deepEqual(calls, [{ servername: 'alpn.test', protocols: ['c', 'd'] }], server.name);
      }
    });

    it('servername is false without SNI; not called when the client offers no ALPN', async () => {
      const calls: tls.ALPNCallbackInfo[] = [];
      const cb = (info: tls.ALPNCallbackInfo) => {
        calls.push(info);
        return info.protocols[0];
      };
      assert.deepEqual(await withCallback(cb, { ALPNProtocols: ['x'] }), { server: 'x', client: 'x' });
      assert.deepEqual(await withCallback(cb, {}), { server: false, client: false });
      assert.deepEqual(calls, [{ servername: false, protocols: ['x'] }]);
    });

    it('undefined refuses with a fatal no_application_protocol alert (ERR_SSL_ codes as node:tls)', async () => {
      const expected = await withCallback(() => undefined, { ALPNProtocols: ['c'] }, nodeImpl);
      const got = await withCallback(() => undefined, { ALPNProtocols: ['c'] });
      assert.deepEqual(got, expected);
      assert.equal(got.serverError, 'ERR_SSL_NO_APPLICATION_PROTOCOL');
      assert.equal(got.clientError, 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
      // Our client sees the same alert.
      const ours = await outcome(ourImpl, ourImpl, { ALPNCallback: () => undefined }, { ALPNProtocols: ['c'] });
      assert.equal(ours.clientError, 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
    });

    it('a protocol the client did not offer is ERR_TLS_ALPN_CALLBACK_INVALID_RESULT, as in node:tls', async () => {
      const expected = await withCallback(() => 'zzz', { ALPNProtocols: ['c', 'd'] }, nodeImpl);
      const got = await withCallback(() => 'zzz', { ALPNProtocols: ['c', 'd'] });
      assert.deepEqual(got, expected);
      assert.equal(got.serverError, 'ERR_TLS_ALPN_CALLBACK_INVALID_RESULT');
      let message = '';
      await runPair({
        server: ourImpl,
        client: nodeImpl,
        serverOptions: { ...rsa, ALPNCallback: () => 'zzz' },
        clientOptions: { ALPNProtocols: ['c', 'd'] },
        setupServer: (s) => s.on('tlsClientError', (e: Error) => (message = e.message)),
      });
      assert.equal(
        message,
        "ALPN callback returned a value (zzz) that did not match any of the client's offered protocols (c, d)",
      );
    });

    it('a callback that throws fails that socket with what it threw; the server goes on', async () => {
      const server = tls.createServer(
        {
          ...rsa,
          ALPNCallback: (info) => {
            if (info.protocols.includes('boom')) throw Object.assign(new Error('boom'), { code: 'THROWN' });
            return info.protocols[0];
          },
        },
        (s) => s.end(),
      );
      const errors: Array<Error & { code?: string }> = [];
      server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(e));
      const port = await listen(server);
      try {
        const bad = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['boom'] });
        bad.on('error', () => {});
        await new Promise((resolve) => bad.once('close', resolve));
        const good = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['fine'] });
        await waitFor(good, 'secureConnect');
        assert.equal(good.alpnProtocol, 'fine');
        good.destroy();
        assert.deepEqual(
          errors.map((e) => e.code),
          ['THROWN'],
        );
      } finally {
        await close(server);
      }
    });

    it('runs after an SNICallback that answers late, on the context it chose', async () => {
      const ec = tls.createSecureContext({ key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') });
      const order: string[] = [];
      const server = tls.createServer(
        {
          ...rsa,
          SNICallback: (name, cb) => {
            order.push(`sni:${name}`);
            setTimeout(() => cb(null, ec), 30);
          },
          ALPNCallback: ({ servername, protocols }) => {
            order.push(`alpn:${String(servername)}`);
            return protocols[protocols.length - 1];
          },
        },
        (s) => s.end(),
      );
      const port = await listen(server);
      try {
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          servername: 'late.test',
          rejectUnauthorized: false,
          ALPNProtocols: ['a', 'b'],
        });
        await waitFor(c, 'secureConnect');
        assert.equal(c.alpnProtocol, 'b');
        assert.equal(c.getPeerX509Certificate()?.publicKey.asymmetricKeyType, 'ec');
        c.destroy();
        assert.deepEqual(order, ['sni:late.test', 'alpn:late.test']);
      } finally {
        await close(server);
      }
    });

    it('the client going away while SNI is still answering does not reach the ALPNCallback', async () => {
      let answer: (() => void) | undefined;
      let alpnCalls = 0;
      const server = tls.createServer({
        ...rsa,
        SNICallback: (_name, cb) => {
          answer = () => cb(null, null);
        },
        ALPNCallback: ({ protocols }) => {
          alpnCalls++;
          return protocols[0];
        },
      });
      server.on('tlsClientError', () => {});
      const port = await listen(server);
      try {
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          servername: 'gone.test',
          rejectUnauthorized: false,
          ALPNProtocols: ['a'],
        });
        c.on('error', () => {});
        while (answer === undefined) await new Promise((r) => setTimeout(r, 5));
        c.destroy();
        await new Promise((r) => setTimeout(r, 50));
        answer();
        assert.equal(alpnCalls, 0);
      } finally {
        await close(server);
      }
    });

    it("openssl s_client sees the callback's choice", async () => {
      const server = tls.createServer(
        { ...rsa, ALPNCallback: ({ protocols }) => protocols.find((p) => p.startsWith('x-')) },
        (s) => s.end('hi\n'),
      );
      const port = await listen(server);
      try {
        const r = await runOpenSSLClient(port, ['-alpn', 'h2,x-custom', '-CAfile', fixturePath('ca.pem')], '', {
          waitFor: 'hi',
        });
        assert.match(r.stdout, /ALPN protocol: x-custom/);
      } finally {
        await close(server);
      }
    });
  });
});
