// What APM tools see through diagnostics channels: net.server.socket for every
// connection a server accepts (published by net on the JS transport, by us on the
// native one, as node:tls's server has it published), and our own handshake and
// error channels (README, "Observability").
import { strict as assert } from 'node:assert';
import * as diagnostics from 'node:diagnostics_channel';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

/** Messages published on `name` while `run` runs. */
async function published(name: string, run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (message: unknown): void => void seen.push(message);
  diagnostics.subscribe(name, listener);
  try {
    await run();
  } finally {
    diagnostics.unsubscribe(name, listener);
  }
  return seen;
}

/** One connection; `failing`: the client refuses the server, which is told (tlsClientError) before it closes. */
async function oneConnection(
  lib: typeof nodeTls,
  clientOptions: nodeTls.ConnectionOptions = {},
  failing = false,
): Promise<void> {
  const server = lib.createServer(rsa, (s) => {
    s.on('error', () => {});
    s.end('hi');
  });
  const told = new Promise((r) => server.once('tlsClientError', r));
  const port = await listen(server);
  const c = lib.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem'), ...clientOptions });
  c.on('error', () => {});
  c.resume();
  await new Promise((r) => c.once('close', r));
  if (failing) await told;
  await close(server);
}

describe('diagnostics channels', () => {
  it('net.server.socket: one message per connection, as with node:tls', async () => {
    const theirs = await published('net.server.socket', () => oneConnection(nodeTls));
    const mine = await published('net.server.socket', () => oneConnection(tls as unknown as typeof nodeTls));
    assert.equal(theirs.length, 1);
    assert.equal(mine.length, 1);
    const { socket } = mine[0] as { socket: unknown };
    assert.ok(socket !== null && typeof socket === 'object' && 'remoteAddress' in socket);
  });

  it('openssl-tls:handshake:start and :end, both sides, with protocol, cipher, resumption and duration', async () => {
    const ends: Array<Record<string, unknown>> = [];
    const starts = await published('openssl-tls:handshake:start', async () => {
      ends.push(
        ...((await published('openssl-tls:handshake:end', () =>
          oneConnection(tls as unknown as typeof nodeTls),
        )) as Array<Record<string, unknown>>),
      );
    });
    assert.deepEqual((starts as Array<{ server: boolean }>).map((m) => m.server).sort(), [false, true]);
    assert.deepEqual(ends.map((m) => m.server).sort(), [false, true]);
    for (const end of ends) {
      assert.ok(end.socket instanceof tls.TLSSocket);
      assert.equal(end.protocol, 'TLSv1.3');
      assert.equal(end.cipher, 'TLS_AES_256_GCM_SHA384');
      assert.equal(end.resumed, false);
      assert.ok(
        typeof end.durationMs === 'number' && end.durationMs >= 0 && end.durationMs < 10_000,
        String(end.durationMs),
      );
    }
  });

  it('openssl-tls:error: a client refusing the server, and the server told of it', async () => {
    const errors = (await published('openssl-tls:error', () =>
      oneConnection(tls as unknown as typeof nodeTls, { ca: fixture('client-selfsigned.pem') }, true),
    )) as Array<{ server: boolean; error: NodeJS.ErrnoException }>;
    const client = errors.find((e) => !e.server);
    assert.equal(client?.error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const server = errors.find((e) => e.server);
    assert.equal(server?.error.code, 'ECONNRESET');
  });
});
