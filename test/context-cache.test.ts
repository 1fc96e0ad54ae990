// The client's implicit SecureContext is shared between connect() calls with the
// same options (lib/context_cache.ts). Against a node:tls server: equal options
// (a `ca` read from disk again) reuse the context; any difference in what the
// context is built from (trust, client certificate, the module defaults) builds
// another, and the connection behaves as that option says; bad options throw on
// every call; options of other shapes are not cached.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import { clearContextCache, takeContextCacheStats } from '../lib/context/context_cache';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

interface Seen {
  protocol: string | null;
  clientSubject: string | undefined;
}

describe('client context cache', () => {
  let server: nodeTls.Server;
  let port: number;
  const seen: Seen[] = [];
  // The module object itself (a loader may hand `import *` a copy): its setters change the defaults.
  const publicTls = require('../lib/index') as { DEFAULT_MAX_VERSION: string };
  const savedMax = publicTls.DEFAULT_MAX_VERSION;

  before(async () => {
    server = nodeTls.createServer(
      {
        key: fixture('server-rsa-key.pem'),
        cert: fixture('server-rsa.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (s) => {
        const peer = s.getPeerCertificate();
        seen.push({
          protocol: s.getProtocol(),
          clientSubject: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN),
        });
        s.end('hi');
      },
    );
    port = await listen(server);
  });
  after(async () => {
    publicTls.DEFAULT_MAX_VERSION = savedMax;
    await close(server);
  });
  beforeEach(() => {
    seen.length = 0;
    clearContextCache();
    takeContextCacheStats();
  });

  /** One connection: resolves with what the client saw (or its error). */
  async function connect(
    options: tls.ConnectionOptions,
  ): Promise<{ authorized: boolean; data: string; error?: NodeJS.ErrnoException }> {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
    });
    let error: NodeJS.ErrnoException | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    await new Promise((resolve) => socket.once('close', resolve));
    return { authorized: socket.authorized, data, error };
  }

  it('reuses the context for equal options, a ca read again included', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await connect({ ca: fixture('ca.pem') });
      assert.equal(r.error, undefined);
      assert.equal(r.authorized, true);
      assert.equal(r.data, 'hi');
    }
    assert.deepEqual(takeContextCacheStats(), { hits: 2, misses: 1, uncached: 0 });
  });

  it('builds another context when the trust differs, and verifies with it', async () => {
    const good = await connect({ ca: fixture('ca.pem') });
    assert.equal(good.authorized, true);
    const other = await connect({ ca: fixture('selfsigned.pem') });
    assert.equal(other.authorized, false);
    // node:tls's client says the same about the same options.
    const nodeSocket = nodeTls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: fixture('selfsigned.pem'),
    });
    const [nodeError] = (await waitFor(nodeSocket, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
    assert.equal(typeof nodeError.code, 'string');
    assert.equal(other.error?.code, nodeError.code);
    const again = await connect({ ca: fixture('ca.pem') });
    assert.equal(again.authorized, true);
    const stats = takeContextCacheStats();
    assert.equal(stats.misses, 2);
    assert.equal(stats.hits, 1);
  });

  it('builds another context for another client certificate: the server sees each', async () => {
    await connect({ ca: fixture('ca.pem'), key: fixture('client-key.pem'), cert: fixture('client.pem') });
    await connect({ ca: fixture('ca.pem'), key: fixture('client-ec-key.pem'), cert: fixture('client-ec.pem') });
    await connect({ ca: fixture('ca.pem'), key: [{ pem: fixture('client-key.pem') }], cert: fixture('client.pem') });
    await connect({ ca: fixture('ca.pem') });
    const names = seen.map((s) => s.clientSubject);
    assert.equal(names.length, 4);
    assert.notEqual(names[0], undefined);
    assert.notEqual(names[1], undefined);
    assert.notEqual(names[0], names[1], 'two client certificates, two subjects');
    assert.equal(names[2], names[0]);
    assert.equal(names[3], undefined, 'no client certificate: a context of its own');
    assert.deepEqual(takeContextCacheStats(), { hits: 0, misses: 4, uncached: 0 });
  });

  it('follows the module defaults: a new DEFAULT_MAX_VERSION builds another context', async () => {
    await connect({ ca: fixture('ca.pem') });
    publicTls.DEFAULT_MAX_VERSION = 'TLSv1.2';
    try {
      await connect({ ca: fixture('ca.pem') });
    } finally {
      publicTls.DEFAULT_MAX_VERSION = savedMax;
    }
    await connect({ ca: fixture('ca.pem') });
    assert.deepEqual(
      seen.map((s) => s.protocol),
      ['TLSv1.3', 'TLSv1.2', 'TLSv1.3'],
    );
    assert.deepEqual(takeContextCacheStats(), { hits: 1, misses: 2, uncached: 0 });
  });

  it('throws for bad options on every call, and caches nothing for them', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => tls.connect({ host: '127.0.0.1', port, ca: fixture('ca.pem'), ciphers: 'NO-SUCH-CIPHER' }), {
        code: 'ERR_SSL_NO_CIPHER_MATCH',
      });
    }
    assert.deepEqual(takeContextCacheStats(), { hits: 0, misses: 2, uncached: 0 });
  });

  it('leaves options of other shapes, dhparam and NPN clients uncached', async () => {
    const r = await connect({
      ca: fixture('ca.pem'),
      key: [{ pem: fixture('client-key.pem'), extra: 1 } as never],
      cert: fixture('client.pem'),
    });
    assert.equal(r.data, 'hi');
    await connect({ ca: fixture('ca.pem'), dhparam: fixture('dh2048.pem') } as tls.ConnectionOptions);
    await connect({ ca: fixture('ca.pem'), dhparam: fixture('dh2048.pem') } as tls.ConnectionOptions);
    await connect({ ca: fixture('ca.pem'), NPNProtocols: ['foo'], maxVersion: 'TLSv1.2' });
    await connect({ ca: fixture('ca.pem'), NPNProtocols: ['foo'], maxVersion: 'TLSv1.2' });
    assert.deepEqual(takeContextCacheStats(), { hits: 0, misses: 0, uncached: 5 });
  });
});
