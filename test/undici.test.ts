// openssl-tls/undici: undici's fetch over our TLS through our connector: keep-alive,
// session resumption per origin, servername, HTTP/2 by ALPN with allowH2, undici's
// connect timeout, and the module loading without undici.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as nodeHttp2 from 'node:http2';
import * as net from 'node:net';
import * as path from 'node:path';
import type * as nodeTls from 'node:tls';
import * as https from '../lib/https';
import * as http2 from '../lib/http2';
import * as tls from '../lib/index';
import { buildConnector, createAgent } from '../lib/undici';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { needModule, needPeer } from './helpers/optional_peers';
import { tcpNoDelay } from './helpers/tcp_nodelay';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');

interface Undici {
  fetch: (url: string, init: { dispatcher: unknown; headers?: Record<string, string> }) => Promise<Response>;
  Agent: new (options: Record<string, unknown>) => { close(): Promise<void> };
}
type Dispatcher = { close(): Promise<void> };

describe('openssl-tls/undici', () => {
  let undici: Undici;
  before(function () {
    needModule(this, 'undici');
    undici = require('undici') as Undici;
  });

  it("fetch() keeps connections alive as undici's own connector does; new connections resume the origin's session", async () => {
    let seen: Array<[boolean, number | undefined]> = [];
    const server = https.createServer(ec, (req, res) => {
      const s = req.socket as nodeTls.TLSSocket;
      seen.push([s.isSessionReused(), s.remotePort]);
      // The fourth answer closes its connection: the fifth request needs a new one.
      if (seen.length === 4) res.setHeader('connection', 'close');
      res.end(`hello ${req.url}`);
    });
    const port = await listen(server);
    /** Which connection each request came on: 0 for the first one seen, 1 for the next... */
    const shape = (): number[] => {
      const ids = new Map<number | undefined, number>();
      return seen.map(([, p]) => ids.get(p) ?? (ids.set(p, ids.size), ids.size - 1));
    };
    const run = async (dispatcher: Dispatcher): Promise<string[]> => {
      seen = [];
      const bodies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await undici.fetch(`https://localhost:${port}/${i}`, { dispatcher });
        assert.equal(r.status, 200);
        bodies.push(await r.text());
      }
      await dispatcher.close();
      return bodies;
    };
    try {
      const undicis = await run(new undici.Agent({ connect: { ca } }));
      const undiciShape = shape();
      const ours = await run(createAgent({ connect: { ca } }) as Dispatcher);
      assert.deepEqual(ours, undicis);
      assert.deepEqual(shape(), undiciShape);
      assert.ok(new Set(undiciShape).size < 5, 'connections are kept alive');
      // The first connection is a full handshake; every later one resumes.
      const firstPort = seen[0]?.[1];
      assert.deepEqual(
        seen.map(([reused, p]) => reused || p === firstPort),
        [true, true, true, true, true],
      );
      assert.ok(new Set(shape()).size >= 2, `a second connection (${JSON.stringify(seen)})`);
    } finally {
      await close(server);
    }
  });

  it("two origins: each resumes only its own sessions, keyed by server name as undici's connector keys them", async () => {
    // Both servers take the same ticket keys: a session offered to the wrong one would resume.
    const ticketKeys = Buffer.alloc(48, 7);
    const seen: string[] = [];
    const serve = (name: string) =>
      https.createServer({ ...ec, ticketKeys }, (req, res) => {
        seen.push(`${name} ${(req.socket as nodeTls.TLSSocket).isSessionReused() ? 'resumed' : 'full'}`);
        res.setHeader('connection', 'close');
        res.end(name);
      });
    const a = serve('a');
    const b = serve('b');
    const [portA, portB] = [await listen(a), await listen(b)];
    // a by name, then b by address (no SNI: keyed by the address), each on new connections.
    const urls = [
      `https://localhost:${portA}/`,
      `https://localhost:${portA}/`,
      `https://127.0.0.1:${portB}/`,
      `https://127.0.0.1:${portB}/`,
    ];
    const run = async (dispatcher: Dispatcher): Promise<string[]> => {
      seen.length = 0;
      for (const url of urls) {
        const r = await undici.fetch(url, { dispatcher });
        await r.text();
      }
      await dispatcher.close();
      return [...seen];
    };
    try {
      const theirs = await run(new undici.Agent({ connect: { ca } }));
      const ours = await run(createAgent({ connect: { ca } }) as Dispatcher);
      assert.deepEqual(ours, ['a full', 'a resumed', 'b full', 'b resumed']);
      assert.deepEqual(ours, theirs);
    } finally {
      await close(a);
      await close(b);
    }
  });

  it('the connector hands undici our TLSSocket, with SNI from the origin or the servername option, and TCP_NODELAY', async function () {
    needPeer(this, 'python3');
    const names: Array<string | false> = [];
    const server = https.createServer(ec, (req, res) => {
      names.push((req.socket as nodeTls.TLSSocket & { servername: string | false }).servername);
      res.end();
    });
    const port = await listen(server);
    const connector = buildConnector({ ca });
    const sockets: unknown[] = [];
    const wrapped = (params: Parameters<typeof connector>[0], cb: Parameters<typeof connector>[1]) =>
      connector(params, (err, socket) => {
        sockets.push(socket);
        cb(err, socket);
      });
    const agent = new undici.Agent({ connect: wrapped });
    const byIp = createAgent({ connect: { ca, servername: 'localhost' } }) as Dispatcher;
    try {
      await (await undici.fetch(`https://localhost:${port}/`, { dispatcher: agent })).text();
      await (await undici.fetch(`https://127.0.0.1:${port}/`, { dispatcher: byIp })).text();
      const socket = sockets[0] as tls.TLSSocket;
      assert.ok(socket instanceof tls.TLSSocket);
      assert.deepEqual(names, ['localhost', 'localhost']);
      // As undici's own connector: no Nagle on the connection undici keeps.
      assert.equal(tcpNoDelay(socket.localPort ?? 0, port), true);
    } finally {
      await agent.close();
      await byIp.close();
      await close(server);
    }
  });

  for (const [name, make] of [
    [
      'ours',
      (h: nodeHttp2.Http2ServerRequest['constructor']) =>
        http2.createSecureServer({ ...ec, allowHTTP1: true }, h as never),
    ],
    [
      'node',
      (h: nodeHttp2.Http2ServerRequest['constructor']) =>
        nodeHttp2.createSecureServer({ ...ec, allowHTTP1: true }, h as never),
    ],
  ] as const) {
    it(`allowH2: HTTP/2 where the server (${name}:http2) picks h2, HTTP/1.1 without it`, async () => {
      const server = make(((req: nodeHttp2.Http2ServerRequest, res: nodeHttp2.Http2ServerResponse) =>
        res.end(`v${req.httpVersion}`)) as never);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as net.AddressInfo).port;
      const h2 = createAgent({ allowH2: true, connect: { ca } }) as Dispatcher;
      const h1 = createAgent({ connect: { ca } }) as Dispatcher;
      try {
        const bodies = await Promise.all(
          [h2, h2, h1].map(async (d) => (await undici.fetch(`https://localhost:${port}/`, { dispatcher: d })).text()),
        );
        assert.deepEqual(bodies, ['v2.0', 'v2.0', 'v1.1']);
      } finally {
        await h2.close();
        await h1.close();
        server.close();
      }
    });
  }

  it("node's global fetch takes the Agent as its dispatcher", async () => {
    const server = https.createServer(ec, (req, res) =>
      res.end(String((req.socket as nodeTls.TLSSocket).getProtocol())),
    );
    const port = await listen(server);
    const agent = createAgent({ connect: { ca } }) as Dispatcher;
    try {
      const r = await fetch(`https://localhost:${port}/`, { dispatcher: agent } as RequestInit);
      assert.equal(await r.text(), 'TLSv1.3');
    } finally {
      await agent.close();
      await close(server);
    }
  });

  it("a bad certificate fails the fetch with our error as its cause; a silent server, with undici's connect timeout", async () => {
    const server = https.createServer({ key: fixture('wronghost-key.pem'), cert: fixture('wronghost.pem') }, (_q, s) =>
      s.end(),
    );
    const port = await listen(server);
    const silent = net.createServer((s) => s.on('error', () => {}));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const agent = createAgent({ connect: { ca, timeout: 300 } }) as Dispatcher;
    try {
      const causeOf = async (url: string): Promise<string> =>
        undici.fetch(url, { dispatcher: agent }).then(
          () => 'ok',
          (e: unknown) => {
            const err = e as Error & { cause?: NodeJS.ErrnoException };
            return `${err.name} ${err.cause?.code}`;
          },
        );
      assert.equal(await causeOf(`https://localhost:${port}/`), 'TypeError ERR_TLS_CERT_ALTNAME_INVALID');
      assert.equal(
        await causeOf(`https://localhost:${(silent.address() as net.AddressInfo).port}/`),
        'TypeError UND_ERR_CONNECT_TIMEOUT',
      );
    } finally {
      await agent.close();
      silent.close();
      await close(server);
    }
  });

  it('loads without undici: buildConnector() works, createAgent() says what to install', () => {
    const dist = path.join(__dirname, '..', 'dist', 'undici.js');
    const script = `
      const Module = require('module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'undici') throw Object.assign(new Error('Cannot find module undici'), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };
      const m = require(${JSON.stringify(dist)});
      console.log(typeof m.buildConnector({}));
      try { m.createAgent(); } catch (e) { console.log(e.code, e.message); }`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      "function\nMODULE_NOT_FOUND openssl-tls/undici: createAgent() needs the 'undici' package (npm install undici)\n",
    );
  });

  it('rejects a bad maxCachedSessions as undici does', () => {
    assert.throws(() => buildConnector({ maxCachedSessions: -1 }), { code: 'ERR_INVALID_ARG_VALUE' });
  });
});
