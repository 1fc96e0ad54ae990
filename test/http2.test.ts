// openssl-tls/http2: createSecureServer() and connect() over our TLS, against
// node's own http2 client and server, curl --http2 and h2load. A session over our
// socket must report what one over node:tls reports (encrypted, alpnProtocol, the
// socket's certificate and addresses) and set TCP_NODELAY as node's http2 does.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import * as nodeHttp2 from 'node:http2';
import * as nodeHttps from 'node:https';
import type { AddressInfo } from 'node:net';
import type * as nodeTls from 'node:tls';
import * as ours from '../lib/http2';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { fetchOn } from './helpers/http2';
import { close, listen, waitFor } from './helpers/net';
import { needPeer } from './helpers/optional_peers';
import { tcpNoDelay } from './helpers/tcp_nodelay';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');
const { HTTP2_HEADER_PATH } = nodeHttp2.constants;

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 20000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${stderr}${stdout}`)) : resolve(stdout),
    ),
  );
}

/** A node:http2 secure server answering each stream with `answer(stream)`; its port. */
async function nodeServer(
  answer: (stream: nodeHttp2.ServerHttp2Stream, headers: nodeHttp2.IncomingHttpHeaders) => void,
  options: nodeHttp2.SecureServerOptions = ec,
): Promise<{ server: nodeHttp2.Http2SecureServer; port: number }> {
  const server = nodeHttp2.createSecureServer(options);
  server.on('stream', answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

describe('openssl-tls/http2', () => {
  describe('createSecureServer()', () => {
    it("node's http2 client: the session and the compatibility request report our TLS", async () => {
      const server = ours.createSecureServer({ ...ec, requestCert: true, ca }, (req, res) => {
        const s = req.socket as unknown as nodeTls.TLSSocket;
        const session = req.stream.session as nodeHttp2.ServerHttp2Session;
        res.end(
          JSON.stringify({
            version: req.httpVersion,
            encrypted: session.encrypted,
            alpn: session.alpnProtocol,
            socketEncrypted: s.encrypted,
            socketAlpn: s.alpnProtocol,
            protocol: s.getProtocol(),
            cipher: s.getCipher()?.name,
            peer: (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
            authorized: s.authorized,
            remote: s.remoteAddress,
            remotePort: typeof s.remotePort,
            local: session.socket.localPort,
          }),
        );
      });
      const port = await listen(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, {
        ca,
        key: fixture('client-key.pem'),
        cert: fixture('client.pem'),
      });
      try {
        const r = await fetchOn(client);
        assert.equal(r.status, 200);
        const got = JSON.parse(r.body) as Record<string, unknown>;
        assert.deepEqual(got, {
          version: '2.0',
          encrypted: true,
          alpn: 'h2',
          socketEncrypted: true,
          socketAlpn: 'h2',
          protocol: 'TLSv1.3',
          cipher: 'TLS_AES_256_GCM_SHA384',
          peer: 'test client',
          authorized: true,
          remote: got.remote,
          remotePort: 'number',
          local: port,
        });
        assert.match(String(got.remote), /127\.0\.0\.1/);
        assert.equal(client.encrypted, true);
        assert.equal(client.alpnProtocol, 'h2');
      } finally {
        client.close();
        await close(server);
      }
    });

    it("the 'session' event sees encrypted, alpnProtocol and the socket's TLS; the socket is still not the user's to write", async () => {
      const server = ours.createSecureServer(ec);
      server.on('stream', (stream) => stream.respond({ ':status': 204 }, { endStream: true }));
      const seen = new Promise<unknown[]>((resolve) =>
        server.once('session', (session: nodeHttp2.ServerHttp2Session) => {
          let manipulation = '';
          try {
            session.socket.setNoDelay(true);
          } catch (e) {
            manipulation = String((e as NodeJS.ErrnoException).code);
          }
          const socket = session.socket as unknown as nodeTls.TLSSocket;
          resolve([session.encrypted, session.alpnProtocol, socket.servername, socket.isSessionReused(), manipulation]);
        }),
      );
      const port = await listen(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
      try {
        assert.equal((await fetchOn(client)).status, 204);
        assert.deepEqual(await seen, [true, 'h2', 'localhost', false, 'ERR_HTTP2_NO_SOCKET_MANIPULATION']);
      } finally {
        client.close();
        await close(server);
      }
    });

    it('allowHTTP1: an HTTP/1.1 client is answered by the same request handler; without it, 403 and unknownProtocol', async () => {
      for (const allowHTTP1 of [true, false]) {
        const server = ours.createSecureServer({ ...ec, allowHTTP1 }, (req, res) => res.end(`v${req.httpVersion}`));
        let unknown = 0;
        server.on('unknownProtocol', (socket: nodeTls.TLSSocket) => {
          unknown++;
          socket.destroy();
        });
        const port = await listen(server);
        try {
          const r = await new Promise<string>((resolve) => {
            nodeHttps
              .get({ port, host: '127.0.0.1', servername: 'localhost', ca, agent: false }, (res) => {
                let body = '';
                res.on('data', (d: Buffer) => (body += d.toString()));
                res.on('end', () => resolve(`${res.statusCode} ${body}`));
              })
              .on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
          });
          if (allowHTTP1) assert.equal(r, '200 v1.1');
          else assert.deepEqual([r, unknown], ['ECONNRESET', 1]);
          const h2 = nodeHttp2.connect(`https://localhost:${port}`, { ca });
          assert.equal((await fetchOn(h2)).body, 'v2.0');
          h2.close();
        } finally {
          await close(server);
        }
      }
    });

    it("sets TCP_NODELAY on each session's connection, as node's http2 server does", async function () {
      // Without it, a response written in two pieces waits for the client's delayed ACK (~40 ms).
      needPeer(this, 'python3');
      const noDelay: boolean[] = [];
      for (const create of [ours.createSecureServer, nodeHttp2.createSecureServer] as Array<
        (o: nodeHttp2.SecureServerOptions) => nodeHttp2.Http2SecureServer
      >) {
        const server = create(ec);
        server.on('stream', (stream) => {
          stream.respond({ ':status': 200 });
          stream.write('a');
          setImmediate(() => stream.end('b'));
        });
        const port = await listen(server);
        const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
        try {
          assert.equal((await fetchOn(client)).body, 'ab');
          // The server's end of the session's connection.
          noDelay.push(tcpNoDelay(port, client.socket.localPort ?? 0));
        } finally {
          client.close();
          await close(server);
        }
      }
      assert.deepEqual(noDelay, [true, true]);
    });

    it('100 concurrent streams on one session, each answered', async () => {
      const server = ours.createSecureServer(ec);
      server.on('stream', (stream, headers) => {
        stream.respond({ ':status': 200 });
        stream.end(String(headers[HTTP2_HEADER_PATH]));
      });
      const port = await listen(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
      try {
        const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => fetchOn(client, `/${i}`)));
        assert.deepEqual(
          bodies.map((b) => b.body),
          Array.from({ length: 100 }, (_, i) => `/${i}`),
        );
      } finally {
        client.close();
        await close(server);
      }
    });

    it("setTimeout(), updateSettings() and the option checks are node's", async () => {
      assert.throws(() => ours.createSecureServer((() => {}) as never), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => nodeHttp2.createSecureServer((() => {}) as never), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => ours.createSecureServer({ ...ec, settings: 'x' as never }), {
        code: 'ERR_INVALID_ARG_TYPE',
        message: /"options\.settings"/,
      });
      const server = ours.createSecureServer(ec);
      assert.throws(() => server.updateSettings({ initialWindowSize: -1 }), {
        code: 'ERR_HTTP2_INVALID_SETTING_VALUE',
      });
      server.updateSettings({ maxConcurrentStreams: 7 });
      server.setTimeout(300);
      let timedOut = 0;
      server.on('timeout', (session: nodeHttp2.ServerHttp2Session) => {
        timedOut++;
        session.destroy();
      });
      const remote = new Promise<number | undefined>((resolve) =>
        server.once('session', (s: nodeHttp2.ServerHttp2Session) =>
          s.once('localSettings', (settings: nodeHttp2.Settings) => resolve(settings.maxConcurrentStreams)),
        ),
      );
      const port = await listen(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
      try {
        assert.equal(await remote, 7);
        await waitFor(client, 'close', 5000);
        assert.equal(timedOut, 1);
      } finally {
        client.destroy();
        await close(server);
      }
    });

    it('curl --http2 gets its answer over h2', async function () {
      needPeer(this, 'curl');
      const server = ours.createSecureServer(ec, (req, res) => res.end(`hello ${req.httpVersion}`));
      const port = await listen(server);
      try {
        const out = await run('curl', [
          '-sS',
          '--http2',
          '--cacert',
          fixturePath('ca.pem'),
          '--resolve',
          `localhost:${port}:127.0.0.1`,
          '-w',
          ' %{http_version}',
          `https://localhost:${port}/`,
        ]);
        assert.equal(out, 'hello 2.0 2');
      } finally {
        await close(server);
      }
    });

    it('h2load: 2000 requests over 4 connections × 50 streams all succeed, and the server stays quiet when it hangs up', async function () {
      needPeer(this, 'h2load');
      const server = ours.createSecureServer(ec);
      const errors: string[] = [];
      const closed: Array<Promise<unknown>> = [];
      server.on('session', (s: nodeHttp2.ServerHttp2Session) => {
        s.on('error', (e: NodeJS.ErrnoException) => errors.push(`session ${e.code}`));
        closed.push(once(s, 'close'));
      });
      server.on('stream', (stream) => {
        stream.on('error', (e: NodeJS.ErrnoException) => errors.push(`stream ${e.code}`));
        stream.respond({ ':status': 200 });
        stream.end(Buffer.alloc(1024, 'x'));
      });
      const port = await listen(server);
      try {
        const out = await run('h2load', ['-n', '2000', '-c', '4', '-m', '50', `https://127.0.0.1:${port}/`]);
        assert.match(out, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
        assert.match(out, /Application protocol: h2/);
        // h2load has hung up: every session closes, and none reported an error on the way.
        assert.equal(closed.length, 4);
        await Promise.all(closed);
        assert.deepEqual(errors, []);
      } finally {
        await close(server);
      }
    });
  });

  describe('connect()', () => {
    it("node's http2 server: 'connect' comes after the handshake, with the peer's certificate; the session reports TLS as node's does", async () => {
      const { server, port } = await nodeServer((stream) => stream.respond({ ':status': 200 }, { endStream: true }));
      try {
        const results: unknown[][] = [];
        for (const connect of [ours.connect, nodeHttp2.connect] as Array<(a: string, o: object) => unknown>) {
          const client = connect(`https://localhost:${port}`, { ca }) as nodeHttp2.ClientHttp2Session;
          const [session, socket] = (await waitFor(client, 'connect')) as [
            nodeHttp2.ClientHttp2Session,
            nodeTls.TLSSocket,
          ];
          const subject = (session.socket as unknown as nodeTls.TLSSocket).getPeerCertificate().subject as {
            CN?: string;
          };
          results.push([
            session === client,
            session.encrypted,
            session.alpnProtocol,
            subject.CN,
            socket.encrypted,
            socket.alpnProtocol,
            session.originSet,
            session.socket.remoteAddress,
            session.socket.remotePort,
            (await fetchOn(client)).status,
          ]);
          client.close();
        }
        assert.deepEqual(results[0], results[1]);
        assert.deepEqual(results[0]?.slice(0, 6), [true, true, 'h2', 'localhost', true, 'h2']);
        assert.deepEqual(results[0]?.slice(7, 9), ['127.0.0.1', port]);
      } finally {
        server.close();
      }
    });

    it("its socket is ours, with TCP_NODELAY as node's client sets it; a request body in two writes arrives", async function () {
      needPeer(this, 'python3');
      const { server, port } = await nodeServer((stream) => {
        let n = 0;
        stream.on('data', (d: Buffer) => (n += d.length));
        stream.on('end', () => {
          stream.respond({ ':status': 200 });
          stream.end(String(n));
        });
      });
      try {
        const results: unknown[][] = [];
        for (const connect of [ours.connect, nodeHttp2.connect] as Array<(a: string, o: object) => unknown>) {
          const client = connect(`https://localhost:${port}`, { ca }) as nodeHttp2.ClientHttp2Session;
          const [, socket] = (await waitFor(client, 'connect')) as [unknown, nodeTls.TLSSocket];
          const req = client.request({ [HTTP2_HEADER_PATH]: '/', ':method': 'POST' });
          req.write('ab');
          setImmediate(() => req.end('cd'));
          let body = '';
          req.on('data', (d: Buffer) => (body += d.toString()));
          await waitFor(req, 'end');
          results.push([socket instanceof tls.TLSSocket, body, tcpNoDelay(socket.localPort ?? 0, port)]);
          client.close();
        }
        assert.deepEqual(results, [
          [true, '4', true],
          [false, '4', true],
        ]);
      } finally {
        server.close();
      }
    });

    it('a server certificate for another name: an error, as node says it, and no connect', async () => {
      const { server, port } = await nodeServer(() => {}, {
        key: fixture('wronghost-key.pem'),
        cert: fixture('wronghost.pem'),
      });
      try {
        const codes: string[] = [];
        for (const connect of [ours.connect, nodeHttp2.connect] as Array<(a: string, o: object) => unknown>) {
          const client = connect(`https://localhost:${port}`, { ca }) as nodeHttp2.ClientHttp2Session;
          let connected = false;
          client.on('connect', () => (connected = true));
          const [err] = (await once(client, 'error')) as [NodeJS.ErrnoException];
          codes.push(`${err.code} ${connected}`);
        }
        assert.deepEqual(codes, ['ERR_TLS_CERT_ALTNAME_INVALID false', 'ERR_TLS_CERT_ALTNAME_INVALID false']);
      } finally {
        server.close();
      }
    });

    it('our client and our server: session resumption with the session option, and a URL authority', async () => {
      const server = ours.createSecureServer(ec, (req, res) =>
        res.end(String((req.socket as unknown as nodeTls.TLSSocket).isSessionReused())),
      );
      const port = await listen(server);
      try {
        const first = ours.connect(new URL(`https://localhost:${port}`), { ca });
        const firstBody = (await fetchOn(first)).body;
        const session = (first.socket as unknown as nodeTls.TLSSocket).getSession();
        first.close();
        const second = ours.connect(`https://localhost:${port}`, { ca, session } as ours.ClientSessionOptions);
        assert.deepEqual([firstBody, (await fetchOn(second)).body], ['false', 'true']);
        second.close();
      } finally {
        await close(server);
      }
    });

    it("an http: authority is node's plain-TCP http2 (h2c)", async () => {
      const server = nodeHttp2.createServer((_req, res) => res.end('h2c'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = ours.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      try {
        assert.equal((await fetchOn(client)).body, 'h2c');
        assert.deepEqual([client.encrypted, client.alpnProtocol], [false, 'h2c']);
      } finally {
        client.close();
        server.close();
      }
    });
  });
});
