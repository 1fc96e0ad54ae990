// The module's classes and the Server's API as node:tls has them: function
// constructors callable without `new`, what a program may read back and replace
// on a server, setOptions(), ticket keys, captured rejections, argument errors.
// Every case runs the same steps on node:tls and openssl-tls and compares.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as util from 'node:util';
import * as ours from '../lib/index';
import { mods, outcome, same, type Tls } from './helpers/both_modules';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { nodeImpl, ourImpl, runPair } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

describe("Server and SecureContext: constructible as node:tls's", () => {
  it('Server(options, listener) without new returns a Server (and a net.Server)', () => {
    for (const [name, tls] of mods) {
      const server = (tls.Server as unknown as (o: object, l: () => void) => nodeTls.Server)(rsa, () => {});
      assert.ok(server instanceof tls.Server, name);
      assert.ok(server instanceof net.Server, name);
      assert.equal(server.constructor, tls.Server, name);
      assert.equal(server.listenerCount('secureConnection'), 1, name);
    }
    assert.equal(ours.Server.name, nodeTls.Server.name);
    assert.equal(ours.Server.length, nodeTls.Server.length);
  });

  it('a falsy listener is no listener; a truthy non-function one is refused', () => {
    for (const listener of [null, undefined, 0, false, '']) {
      const counts = mods.map(([, tls]) =>
        tls.createServer({}, listener as unknown as () => void).listenerCount('secureConnection'),
      );
      assert.deepEqual(counts, [0, 0]);
    }
    assert.match(
      same((tls) => tls.createServer({}, 'x' as unknown as () => void)),
      /ERR_INVALID_ARG_TYPE/,
    );
  });

  it("options that are no object are refused with node:tls's error", () => {
    assert.match(
      same((tls) => tls.createServer('x' as unknown as object)),
      /ERR_INVALID_ARG_TYPE/,
    );
    assert.equal(
      same((tls) => tls.createServer(null as unknown as object)),
      'ok',
    );
  });

  it('class-style subclasses and old-style ones (Server.call(this, ...)) both work', async () => {
    for (const [name, tls] of mods) {
      class Sub extends tls.Server {
        hello(): string {
          return 'hello';
        }
      }
      const sub = new Sub({ ...rsa, requestCert: true });
      assert.ok(sub instanceof Sub && sub instanceof tls.Server, name);
      assert.equal(sub.hello(), 'hello');

      function Old(this: nodeTls.Server & { old?: boolean }, options: object): void {
        (tls.Server as unknown as { call(self: unknown, o: object): void }).call(this, options);
        this.old = true;
      }
      util.inherits(Old, tls.Server);
      const old = new (Old as unknown as new (o: object) => nodeTls.Server & { old: boolean; requestCert: boolean })({
        ...rsa,
        requestCert: true,
      });
      assert.ok(old instanceof tls.Server, name);
      assert.equal(old.old, true);
      assert.equal(old.requestCert, true, name);
      // It is a working server.
      const port = await listen(old);
      const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      client.on('error', () => {});
      await waitFor(client, 'secureConnect');
      client.destroy();
      await close(old);
    }
  });

  it('SecureContext() without new makes a SecureContext; TLSSocket() without new throws a TypeError', () => {
    // (@types/node does not declare node:tls's SecureContext class.)
    type WithClass = Tls & { SecureContext: (() => object) & (new () => object) };
    for (const [name, tls] of mods as Array<[string, WithClass]>) {
      const ctx = tls.SecureContext();
      assert.ok(ctx instanceof tls.SecureContext, name);
      assert.deepEqual(Object.keys(ctx), ['context']);
      assert.throws(() => (tls.TLSSocket as unknown as () => void)(), TypeError);
    }
    assert.equal(ours.SecureContext.length, (nodeTls as WithClass).SecureContext.length);
  });
});

describe('Server options as node:tls checks them', () => {
  const cases: Array<[string, object]> = [
    ['handshakeTimeout 0 (the default)', { handshakeTimeout: 0 }],
    ['handshakeTimeout a string', { handshakeTimeout: 'x' }],
    ['SNICallback null', { SNICallback: null }],
    ['SNICallback a string', { SNICallback: 'x' }],
    ['pskCallback false', { pskCallback: false }],
    ['pskCallback a number', { pskCallback: 5 }],
    ['pskIdentityHint a number', { pskIdentityHint: 5 }],
    ['ALPNCallback with ALPNProtocols', { ALPNCallback: () => 'a', ALPNProtocols: ['a'] }],
  ];
  for (const [title, options] of cases) {
    it(title, () => void same((tls) => tls.createServer({ ...rsa, ...options })));
  }

  it('addContext() needs a server name', () => {
    assert.match(
      same((tls) => tls.createServer(rsa).addContext('', rsa)),
      /ERR_TLS_REQUIRED_SERVER_NAME/,
    );
  });
});

describe('what a program reads back and replaces on a server', () => {
  it('the options node:tls records on its server', () => {
    const options = {
      ...rsa,
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      minVersion: 'TLSv1.2',
      requestCert: true,
    } as const;
    const names = [
      'requestCert',
      'rejectUnauthorized',
      'key',
      'cert',
      'ca',
      'pfx',
      'passphrase',
      'ciphers',
      'minVersion',
      'maxVersion',
      'ecdhCurve',
      'dhparam',
      'honorCipherOrder',
      'secureOptions',
      'sessionIdContext',
      'sigalgs',
      'ALPNProtocols',
    ];
    const [mine, theirs] = mods.map(([, tls]) => {
      const server = tls.createServer({ ...options, ALPNProtocols: ['h2', 'http/1.1'] }) as unknown as Record<
        string,
        unknown
      >;
      return Object.fromEntries(names.map((n) => [n, server[n]]));
    });
    assert.deepEqual(mine, theirs);
    // The server's own context, by node:tls's name.
    assert.ok(
      (ours.createServer(rsa) as unknown as { _sharedCreds: unknown })._sharedCreds instanceof ours.SecureContext,
    );
  });

  it('server.requestCert set after creation applies to the next connection', async () => {
    for (const impl of [ourImpl, nodeImpl]) {
      const result = await runPair({
        server: impl,
        client: impl,
        serverOptions: rsa,
        clientOptions: { key: fixture('client-key.pem'), cert: fixture('client.pem') },
        setupServer: (server) => {
          (server as unknown as { requestCert: boolean; rejectUnauthorized: boolean }).requestCert = true;
          (server as unknown as { rejectUnauthorized: boolean }).rejectUnauthorized = false;
        },
        inspect: (s) => assert.ok(s.getPeerCertificate().subject, impl.name),
      });
      assert.ok(result.server.socket, impl.name);
    }
  });

  it('setOptions() (deprecated) changes the certificate request of new connections', async () => {
    const seen: Record<string, unknown> = {};
    for (const impl of [ourImpl, nodeImpl]) {
      await runPair({
        server: impl,
        client: impl,
        serverOptions: rsa,
        clientOptions: { key: fixture('client-key.pem'), cert: fixture('client.pem') },
        setupServer: (server) => {
          (server as unknown as { setOptions(o: object): void }).setOptions({
            requestCert: true,
            rejectUnauthorized: false,
          });
        },
        inspect: (s) => {
          seen[impl.name] = s.getPeerCertificate().subject?.CN;
        },
      });
    }
    assert.equal(seen.ours, seen.node);
    assert.ok(seen.ours);
  });

  it('setOptions() records ticketKeys that the next setSecureContext() keeps', () => {
    const keys = Buffer.alloc(48, 7);
    const [mine, theirs] = mods.map(([, tls]) => {
      const server = tls.createServer(rsa) as nodeTls.Server & { setOptions(o: object): void };
      server.setOptions({ ticketKeys: keys });
      const before = server.getTicketKeys();
      server.setSecureContext(rsa);
      return [before.equals(keys), server.getTicketKeys().equals(keys)];
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, [false, true]);
  });

  it('createSecurePair() warns DEP0064, as node:tls does', async () => {
    const script = "require('./lib/index').createSecurePair()";
    const stderr = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        ['--require', require.resolve('tsx/cjs'), '-e', script],
        { cwd: `${__dirname}/..` },
        (_e, _o, err) => resolve(err),
      ),
    );
    assert.match(
      stderr,
      /\[DEP0064\] DeprecationWarning: tls.createSecurePair\(\) is deprecated. Please use tls.TLSSocket instead./,
    );
  });

  it('setOptions() warns DEP0122, as node:tls does', async () => {
    const script = "require('./lib/index').createServer({}).setOptions({})";
    const stderr = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        ['--require', require.resolve('tsx/cjs'), '-e', script],
        { cwd: `${__dirname}/..` },
        (_e, _o, err) => resolve(err),
      ),
    );
    assert.match(stderr, /\[DEP0122\] DeprecationWarning: Server.prototype.setOptions\(\) is deprecated/);
  });
});

describe('ticket keys', () => {
  it("_getServerData()/_setServerData() carry the ticket key as hex, as node:tls's", () => {
    const keys = Buffer.alloc(48, 9);
    const [mine, theirs] = mods.map(([, tls]) => {
      const a = tls.createServer({}) as nodeTls.Server & {
        _getServerData(): unknown;
        _setServerData(d: unknown): void;
      };
      a.setTicketKeys(keys);
      const b = tls.createServer({}) as typeof a;
      b._setServerData(a._getServerData());
      return [a._getServerData(), b.getTicketKeys().equals(keys)];
    });
    assert.deepEqual(mine, theirs);
  });

  it("setTicketKeys() refuses what is not a buffer, and keys that are not 48 bytes, with node:tls's errors", () => {
    for (const bad of [null, undefined, 0, 1n, Symbol('s'), {}, [], true, '', () => {}, 'x'.repeat(48)]) {
      assert.match(
        same((tls) => tls.createServer({}).setTicketKeys(bad as Buffer)),
        /ERR_INVALID_ARG_TYPE/,
      );
    }
    for (const bad of [new Uint8Array(1), Buffer.alloc(47), new DataView(new ArrayBuffer(49))]) {
      const [mine, theirs] = mods.map(([, tls]) => outcome(() => tls.createServer({}).setTicketKeys(bad as Buffer)));
      assert.match(mine ?? '', /^Error ERR_INTERNAL_ASSERTION Session ticket keys must be a 48-byte buffer$/);
      assert.match(theirs ?? '', /Session ticket keys must be a 48-byte buffer/);
    }
  });

  it('getTicketKeys() gives back the keys set', () => {
    const keys = Buffer.alloc(48, 3);
    const got = mods.map(([, tls]) => {
      const server = tls.createServer({});
      server.setTicketKeys(keys);
      return server.getTicketKeys();
    });
    assert.deepEqual(got, [keys, keys]);
  });
});

describe('events.captureRejections', () => {
  let saved: boolean;
  beforeEach(() => {
    saved = EventEmitter.captureRejections;
    EventEmitter.captureRejections = true;
  });
  afterEach(() => {
    EventEmitter.captureRejections = saved;
  });

  it("a rejected async 'secureConnection' listener destroys that socket with the error", async () => {
    const seen: Record<string, unknown> = {};
    for (const [name, tls] of mods) {
      const kaboom = new Error('kaboom');
      const serverErrors: Error[] = [];
      let socketError: unknown;
      const closed = new Promise<void>((resolve) => {
        // An async listener on purpose: its rejection is what captureRejections catches.
        // eslint-disable-next-line @typescript-eslint/no-misused-promises
        const server = tls.createServer(rsa, async (s) => {
          s.on('error', (e) => (socketError = e));
          s.on('close', () => resolve());
          await Promise.resolve();
          throw kaboom;
        });
        server.on('error', (e) => serverErrors.push(e));
        void listen(server).then((port) => {
          const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
          client.on('error', () => {});
          client.resume();
          void closed.then(() => {
            client.destroy();
            void close(server);
          });
        });
      });
      await closed;
      seen[name] = { socketError: socketError === kaboom, serverErrors: serverErrors.length };
    }
    assert.deepEqual(seen.ours, seen.node);
    assert.deepEqual(seen.ours, { socketError: true, serverErrors: 0 });
  });
});

describe("a secureContext from node:tls's own createSecureContext()", () => {
  const foreign = nodeTls.createSecureContext(rsa);

  it('is refused at createServer, naming the option', () => {
    assert.throws(() => ours.createServer({ secureContext: foreign as unknown as ours.SecureContext }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"options\.secureContext" property .*Received a SecureContext made by node:tls/,
    });
  });

  it('is refused at connect, naming the option', () => {
    assert.throws(() => ours.connect({ port: 1, secureContext: foreign as unknown as ours.SecureContext }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"options\.secureContext" property .*Received a SecureContext made by node:tls/,
    });
  });
});
