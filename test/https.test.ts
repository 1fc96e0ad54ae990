// openssl-tls/https: the server is node's https.Server over our TLS (requests,
// keep-alive, timeouts, connection tracking, TLS events), the Agent and request()
// connect with our connect(). Where node's https can take the same steps, the
// test runs them against both and compares what the client sees.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import * as nodeHttps from 'node:https';
import type { AddressInfo } from 'node:net';
import * as nodeTls from 'node:tls';
import * as ours from '../lib/https';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { needPeer } from './helpers/optional_peers';
import { tcpNoDelay } from './helpers/tcp_nodelay';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');

type HttpsModule = Pick<typeof nodeHttps, 'createServer'>;
const impls: Array<{ name: string; https: HttpsModule }> = [
  { name: 'openssl-tls', https: ours as unknown as HttpsModule },
  { name: 'node:https', https: nodeHttps },
];

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  socket: nodeTls.TLSSocket;
}

function get(
  options: nodeHttps.RequestOptions,
  requester: typeof nodeHttps.request = nodeHttps.request,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = requester(
      { host: '127.0.0.1', servername: 'localhost', ca, ...options } as nodeHttps.RequestOptions,
      (res) => {
        const parts: Buffer[] = [];
        // (The socket goes back to the agent before 'end'.)
        const socket = res.socket as nodeTls.TLSSocket;
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), headers: res.headers, socket }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A raw TLS client that sends `text` (then nothing, and never ends its side) and collects
 * what comes back until the server closes the connection.
 */
async function rawExchange(port: number, text: string): Promise<string> {
  const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca });
  await once(c, 'secureConnect');
  c.write(text);
  const parts: Buffer[] = [];
  c.on('data', (d: Buffer) => parts.push(d));
  c.on('error', () => {});
  await waitFor(c, 'close', 15000);
  return Buffer.concat(parts).toString();
}

describe('openssl-tls/https', () => {
  describe('the server, against node:https doing the same steps', () => {
    for (const { name, https } of impls) {
      it(`${name}: a request over TLS, answered by node's http machinery`, async () => {
        const server = https.createServer(ec, (req, res) => {
          const socket = req.socket as nodeTls.TLSSocket;
          res.setHeader('x-encrypted', String(socket.encrypted));
          res.setHeader('x-protocol', String(socket.getProtocol()));
          res.end(`${req.method} ${req.url} ${req.headers.host ?? ''}`);
        });
        const port = await listen(server);
        try {
          const r = await get({ port, path: '/a?b=c', agent: false });
          assert.equal(r.status, 200);
          assert.equal(r.body, `GET /a?b=c 127.0.0.1:${port}`);
          assert.equal(r.headers['x-encrypted'], 'true');
          assert.equal(r.headers['x-protocol'], 'TLSv1.3');
        } finally {
          await close(server);
        }
      });

      it(`${name}: keep-alive: three requests on one connection, each answered`, async () => {
        let connections = 0;
        const server = https.createServer(ec, (req, res) => res.end(req.url));
        server.on('secureConnection', () => connections++);
        const port = await listen(server);
        const agent = new nodeHttps.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const bodies: string[] = [];
          const sockets = new Set<unknown>();
          for (const p of ['/1', '/2', '/3']) {
            const r = await get({ port, path: p, agent });
            bodies.push(r.body);
            sockets.add(r.socket);
          }
          assert.deepEqual(bodies, ['/1', '/2', '/3']);
          assert.equal(sockets.size, 1);
          assert.equal(connections, 1);
        } finally {
          agent.destroy();
          await close(server);
        }
      });

      it(`${name}: a slowloris client gets 408 after headersTimeout, then the connection closes`, async () => {
        const server = https.createServer(
          { ...ec, headersTimeout: 400, requestTimeout: 800, connectionsCheckingInterval: 100 },
          (_req, res) => res.end('never'),
        );
        const port = await listen(server);
        try {
          const received = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
          assert.match(received, /^HTTP\/1\.1 408 Request Timeout\r\nConnection: close\r\n\r\n$/);
        } finally {
          await close(server);
        }
      });

      it(`${name}: a body that never completes gets 408 after requestTimeout`, async () => {
        let handlerCalled = false;
        const server = https.createServer(
          { ...ec, headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 },
          (req) => {
            handlerCalled = true;
            req.resume();
          },
        );
        const port = await listen(server);
        try {
          const received = await rawExchange(
            port,
            'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part',
          );
          assert.ok(handlerCalled);
          assert.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
        } finally {
          await close(server);
        }
      });

      it(`${name}: keepAliveTimeout closes an idle kept-alive connection`, async () => {
        const server = https.createServer({ ...ec, keepAliveTimeout: 200 }, (_req, res) => res.end('ok'));
        const port = await listen(server);
        try {
          // Kept alive (the header says for how long: 200 ms rounds down to 0 s), then closed
          // by the server with no further word from the client.
          const received = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
          assert.match(received, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: keep-alive\r\n/);
          assert.match(received, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Keep-Alive: timeout=0\r\n[\s\S]*\r\n\r\nok$/);
        } finally {
          await close(server);
        }
      });

      it(`${name}: maxHeadersCount: a request with more headers is a 400`, async () => {
        const server = https.createServer(ec, (req, res) => res.end(Object.keys(req.headers).join()));
        (server as unknown as { maxHeadersCount: number }).maxHeadersCount = 3;
        const port = await listen(server);
        try {
          const few = await get({ port, agent: false, headers: { a: '1' } });
          assert.deepEqual([few.status, few.body], [200, 'a,host,connection']);
          const many = await get({ port, agent: false, headers: { a: '1', b: '2', c: '3', d: '4' } });
          assert.equal(many.status, 400);
        } finally {
          await close(server);
        }
      });

      it(`${name}: closeIdleConnections() closes kept-alive idle sockets, closeAllConnections() busy ones`, async () => {
        let release: () => void = () => {};
        let arrived: () => void = () => {};
        const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
        const server = https.createServer(ec, (req, res) => {
          if (req.url === '/slow') {
            release = () => res.end('slow');
            arrived();
          } else {
            res.end('fast');
          }
        });
        const port = await listen(server);
        const agent = new nodeHttps.Agent({ keepAlive: true });
        try {
          const fast = await get({ port, path: '/fast', agent });
          const idleClosed = once(fast.socket, 'close');
          const slowReq = get({ port, path: '/slow', agent: false }).catch((e: unknown) => e);
          // The slow request is under way on its own connection: that one is busy, not idle.
          await slowArrived;
          server.closeIdleConnections();
          await idleClosed;
          server.closeAllConnections();
          const slow = await slowReq;
          assert.ok(slow instanceof Error, 'the busy request was cut');
          release();
        } finally {
          agent.destroy();
          await close(server);
        }
      });
    }
  });

  describe('the server: TLS events and settings', () => {
    it('is a TLS server of ours, not of node:tls, and borrows http.Server methods as node:https does', () => {
      const server = ours.createServer(ec);
      assert.ok(server instanceof tls.Server);
      assert.ok(!(server instanceof nodeTls.Server));
      assert.equal(server instanceof http.Server, new nodeHttps.Server(ec) instanceof http.Server);
      assert.equal(server.requestTimeout, 300000);
      assert.equal(server.headersTimeout, 60000);
      assert.equal(server.keepAliveTimeout, 5000);
      assert.equal(server.timeout, 0);
      assert.equal(server.maxHeadersCount, null);
      assert.equal(ours.Server.length, nodeHttps.Server.length);
      // Like node's function constructor: callable without new.
      assert.ok((ours.Server as unknown as (o: object) => object)(ec) instanceof ours.Server);
      // node checks the HTTP options first, with its own errors.
      assert.throws(() => ours.createServer({ ...ec, requestTimeout: -1 }), { code: 'ERR_OUT_OF_RANGE' });
      assert.throws(() => ours.createServer({ ...ec, headersTimeout: 2000, requestTimeout: 1000 }), {
        code: 'ERR_OUT_OF_RANGE',
      });
      assert.throws(() => ours.createServer('x' as never), { code: 'ERR_INVALID_ARG_TYPE' });
    });

    it('sets TCP_NODELAY on each connection, as node:https does; noDelay: false leaves it off', async function () {
      // Without it, a response written in two pieces waits for the client's delayed ACK (~40 ms).
      needPeer(this, 'python3');
      const cases: Array<[HttpsModule, nodeHttps.ServerOptions]> = [
        [ours as unknown as HttpsModule, ec],
        [nodeHttps, ec],
        [ours as unknown as HttpsModule, { ...ec, noDelay: false }],
      ];
      const noDelay: boolean[] = [];
      for (const [https, options] of cases) {
        const server = https.createServer(options, (_req, res) => {
          res.write('a');
          setImmediate(() => res.end('b'));
        });
        const port = await listen(server);
        const agent = new nodeHttps.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const r = await get({ port, agent });
          assert.equal(r.body, 'ab');
          // The server's end of the connection the agent keeps open.
          noDelay.push(tcpNoDelay(port, r.socket.localPort ?? 0));
        } finally {
          agent.destroy();
          await close(server);
        }
      }
      assert.deepEqual(noDelay, [true, true, false]);
    });

    it('offers ALPN http/1.1 by default; a client asking for it gets it', async () => {
      const server = ours.createServer(ec, (req, res) =>
        res.end(String((req.socket as nodeTls.TLSSocket).alpnProtocol)),
      );
      const port = await listen(server);
      try {
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          servername: 'localhost',
          ca,
          ALPNProtocols: ['h2', 'http/1.1'],
        });
        await once(c, 'secureConnect');
        assert.equal(c.alpnProtocol, 'http/1.1');
        c.destroy();
      } finally {
        await close(server);
      }
    });

    it("a non-TLS client is a 'tlsClientError' and one 'clientError'; the server goes on", async () => {
      const server = ours.createServer(ec, (_req, res) => res.end('ok'));
      const tlsErrors: Error[] = [];
      const clientErrors: Error[] = [];
      server.on('tlsClientError', (e: Error) => tlsErrors.push(e));
      server.on('clientError', (e: Error) => clientErrors.push(e));
      const bothReported = Promise.all([once(server, 'tlsClientError'), once(server, 'clientError')]);
      const port = await listen(server);
      try {
        const plain = await new Promise<string>((resolve) => {
          const req = http.get({ port, host: '127.0.0.1' }, () => resolve('answered'));
          req.on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
        });
        assert.notEqual(plain, 'answered');
        await bothReported;
        // A TLS client after it is answered; by then a second report would have come.
        assert.equal((await get({ port, agent: false })).body, 'ok');
        assert.equal(tlsErrors.length, 1);
        assert.equal((tlsErrors[0] as NodeJS.ErrnoException).code, 'ERR_SSL_HTTP_REQUEST');
        assert.equal(clientErrors.length, 1);
      } finally {
        await close(server);
      }
    });

    it("emits 'keylog' lines for each connection", async () => {
      const server = ours.createServer(ec, (_req, res) => res.end('ok'));
      const lines: string[] = [];
      server.on('keylog', (line: Buffer) => lines.push(line.toString()));
      const port = await listen(server);
      try {
        await get({ port, agent: false });
        assert.ok(
          lines.some((l) => l.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET ')),
          lines.join(''),
        );
      } finally {
        await close(server);
      }
    });

    it("staples the OCSPRequest listener's answer", async () => {
      const server = ours.createServer(ec, (_req, res) => res.end('ok'));
      server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, cb: (e: null, r: Buffer) => void) =>
        setImmediate(() => cb(null, Buffer.from('stapled'))),
      );
      const port = await listen(server);
      try {
        const c = nodeTls.connect({
          port,
          host: '127.0.0.1',
          servername: 'localhost',
          ca,
          requestOCSP: true,
        } as nodeTls.ConnectionOptions);
        const [response] = (await waitFor(c, 'OCSPResponse')) as [Buffer];
        assert.equal(response.toString(), 'stapled');
        c.destroy();
      } finally {
        await close(server);
      }
    });

    it("newSession/resumeSession: the Agent's cached session resumes on its next connection (TLS 1.2, session ids)", async () => {
      const store = new Map<string, Buffer>();
      // No tickets: the session is the server's to store.
      const noTickets = { secureOptions: (await import('node:crypto')).constants.SSL_OP_NO_TICKET };
      const server = ours.createServer({ ...ec, ...noTickets, maxVersion: 'TLSv1.2' }, (req, res) =>
        res.end(String((req.socket as nodeTls.TLSSocket).isSessionReused())),
      );
      server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
        store.set(id.toString('hex'), data);
        cb();
      });
      server.on('resumeSession', (id: Buffer, cb: (e: null, d: Buffer | null) => void) =>
        setImmediate(() => cb(null, store.get(id.toString('hex')) ?? null)),
      );
      const port = await listen(server);
      const agent = new ours.Agent({ keepAlive: false, maxCachedSessions: 10 });
      try {
        const first = await get({ port, agent }, ours.request);
        const second = await get({ port, agent }, ours.request);
        assert.deepEqual([first.body, second.body], ['false', 'true']);
        assert.ok(store.size >= 1);
      } finally {
        agent.destroy();
        await close(server);
      }
    });

    it('setTicketKeys(): a session from one server resumes on another with the same keys, not on one without', async () => {
      const keys = Buffer.alloc(48, 7);
      let session: Buffer | undefined;
      const reused: boolean[] = [];
      for (const withKeys of [true, true, false]) {
        const server = ours.createServer(ec, (_req, res) => res.end('ok'));
        if (withKeys) {
          server.setTicketKeys(keys);
          assert.deepEqual(server.getTicketKeys(), keys);
        }
        const port = await listen(server);
        try {
          const r = await get({ port, agent: false, session } as nodeHttps.RequestOptions, ours.request);
          reused.push(r.socket.isSessionReused());
          session ??= r.socket.getSession();
        } finally {
          await close(server);
        }
      }
      assert.deepEqual(reused, [false, true, false]);
    });

    it('addContext() and setSecureContext() choose the certificate, as on a TLS server', async () => {
      const server = ours.createServer(
        { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') },
        (_req, res) => res.end('ok'),
      );
      server.addContext('other.example', { key: fixture('wronghost-key.pem'), cert: fixture('wronghost.pem') });
      const port = await listen(server);
      try {
        const subjectFor = async (servername: string): Promise<string | undefined> => {
          const r = await get({ port, agent: false, servername, rejectUnauthorized: false });
          return (r.socket.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN;
        };
        assert.equal(await subjectFor('other.example'), 'other.example');
        assert.equal(await subjectFor('localhost'), 'localhost');
        server.setSecureContext(ec);
        const r = await get({ port, agent: false });
        assert.equal(
          (r.socket.getPeerCertificate() as { pubkey?: unknown; asn1Curve?: string }).asn1Curve,
          'prime256v1',
        );
      } finally {
        await close(server);
      }
    });

    it('requestCert: the handler sees the client certificate', async () => {
      const server = ours.createServer({ ...ec, requestCert: true, ca }, (req, res) => {
        const s = req.socket as nodeTls.TLSSocket;
        res.end(`${s.authorized} ${(s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN ?? ''}`);
      });
      const port = await listen(server);
      try {
        const r = await get({ port, agent: false, key: fixture('client-key.pem'), cert: fixture('client.pem') });
        assert.equal(r.body, 'true test client');
      } finally {
        await close(server);
      }
    });

    it('curl gets the response over HTTP/1.1', async function () {
      needPeer(this, 'curl');
      const server = ours.createServer(ec, (req, res) => res.end(`hello ${req.httpVersion}`));
      const port = await listen(server);
      try {
        const out = await new Promise<string>((resolve, reject) =>
          execFile(
            'curl',
            [
              '-sS',
              '--cacert',
              fixturePath('ca.pem'),
              '--resolve',
              `localhost:${port}:127.0.0.1`,
              `https://localhost:${port}/`,
            ],
            (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout)),
          ),
        );
        assert.equal(out, 'hello 1.1');
      } finally {
        await close(server);
      }
    });
  });

  describe('the client: Agent, request() and get()', () => {
    it('Agent is an https.Agent whose sockets are ours; keep-alive reuses one', async () => {
      const server = nodeHttps.createServer(ec, (req, res) => res.end(req.url));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      const agent = new ours.Agent({ keepAlive: true, maxSockets: 1 });
      assert.ok(agent instanceof nodeHttps.Agent);
      try {
        const a = await get({ port, path: '/a', agent }, ours.request);
        const b = await get({ port, path: '/b', agent }, ours.request);
        assert.deepEqual([a.body, b.body], ['/a', '/b']);
        assert.ok(a.socket instanceof tls.TLSSocket);
        assert.equal(a.socket, b.socket);
      } finally {
        agent.destroy();
        server.close();
      }
    });

    it('maxCachedSessions: a new connection to the same origin resumes (node:https server, TLS 1.3 tickets)', async () => {
      const server = nodeHttps.createServer(ec, (req, res) =>
        res.end(String((req.socket as nodeTls.TLSSocket).isSessionReused())),
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      const agent = new ours.Agent({ keepAlive: false });
      const none = new ours.Agent({ keepAlive: false, maxCachedSessions: 0 });
      try {
        const bodies: string[] = [];
        for (let i = 0; i < 2; i++) bodies.push((await get({ port, agent }, ours.request)).body);
        for (let i = 0; i < 2; i++) bodies.push((await get({ port, agent: none }, ours.request)).body);
        assert.deepEqual(bodies, ['false', 'true', 'false', 'false']);
      } finally {
        agent.destroy();
        none.destroy();
        server.close();
      }
    });

    it('servername: the Agent sends the Host name as SNI, or the servername option', async () => {
      const names: Array<string | false> = [];
      const server = nodeHttps.createServer(ec, (req, res) => {
        names.push((req.socket as nodeTls.TLSSocket & { servername: string | false }).servername);
        res.end();
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      try {
        await get({ port, agent: false, headers: { host: 'localhost' }, servername: undefined }, ours.request);
        await get({ port, agent: new ours.Agent({ servername: 'localhost' }), servername: undefined }, ours.request);
        assert.deepEqual(names, ['localhost', 'localhost']);
      } finally {
        server.close();
      }
    });

    it('request() and get() take a URL string, a URL and options, with the globalAgent by default', async () => {
      const server = ours.createServer(ec, (req, res) => res.end(`${req.method} ${req.url}`));
      const port = await listen(server);
      try {
        const viaGet = await new Promise<string>((resolve, reject) => {
          ours
            .get(
              `https://localhost:${port}/x?y=1`,
              {
                ca,
                lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
              } as nodeHttps.RequestOptions,
              (res) => {
                assert.ok(res.socket instanceof tls.TLSSocket);
                let body = '';
                res.on('data', (d: Buffer) => (body += d.toString()));
                res.on('end', () => resolve(body));
              },
            )
            .on('error', reject);
        });
        assert.equal(viaGet, 'GET /x?y=1');
        const viaUrl = await get(
          { ...urlOptions(new URL(`https://127.0.0.1:${port}/u`)), method: 'POST' },
          ours.request,
        );
        assert.equal(viaUrl.body, 'POST /u');
        assert.ok(ours.globalAgent instanceof ours.Agent);
        assert.equal((ours.globalAgent as unknown as { keepAlive: boolean }).keepAlive, true);
        // agent: false makes a one-off agent of the default agent's class.
        const oneOff = await get({ port, agent: false }, ours.request);
        assert.ok(oneOff.socket instanceof tls.TLSSocket);
      } finally {
        ours.globalAgent.destroy();
        await close(server);
      }
    });

    it('a certificate for another host fails the request with ERR_TLS_CERT_ALTNAME_INVALID, as node:https', async () => {
      const server = nodeHttps.createServer(
        { key: fixture('wronghost-key.pem'), cert: fixture('wronghost.pem') },
        (_q, s) => s.end(),
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      try {
        const errs: string[] = [];
        for (const request of [ours.request, nodeHttps.request]) {
          errs.push(
            await get({ port, agent: false }, request).then(
              () => 'ok',
              (e: unknown) => String((e as NodeJS.ErrnoException).code),
            ),
          );
        }
        assert.deepEqual(errs, ['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);
      } finally {
        server.close();
      }
    });
  });
});

function urlOptions(url: URL): nodeHttps.RequestOptions {
  return { host: url.hostname, port: url.port, path: url.pathname };
}
