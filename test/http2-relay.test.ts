// openssl-tls/http2's server on the native transport: node's http2 session reads
// our cleartext natively from one end of a socketpair (lib/http/cleartext_relay.ts,
// native/transport/cleartext_relay.*), not through node's JSStreamSocket. Each test
// runs the same steps against node's http2 server on node:tls and against ours and
// compares what the peer and the server's code see: bytes under backpressure both
// ways, every way a connection ends (the session's close and destroy, the peer's
// close_notify, a reset, garbage on the wire), and the process exiting once unref'd.
// Under OPENSSL_TLS_TRANSPORT=js our server keeps the JSStreamSocket path, and the
// same comparisons hold.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import * as nodeHttp2 from 'node:http2';
import * as net from 'node:net';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import { relayClientCleartext } from '../lib/http/cleartext_relay';
import * as ours from '../lib/http2';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { fetchOn } from './helpers/http2';
import { waitFor } from './helpers/net';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');
const { HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS, HTTP2_HEADER_METHOD } = nodeHttp2.constants;

type Impl = 'node' | 'ours';
type SecureServer = nodeHttp2.Http2SecureServer | ReturnType<typeof ours.createSecureServer>;

function createServer(impl: Impl, options: nodeHttp2.SecureServerOptions = ec): SecureServer {
  return impl === 'node' ? nodeHttp2.createSecureServer(options) : ours.createSecureServer(options);
}

async function listen(server: SecureServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

function closeServer(server: SecureServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `impl`'s server answering every stream with 200 and `body`, listening; its port. */
async function answering(impl: Impl, body: string): Promise<{ server: SecureServer; port: number }> {
  const server = createServer(impl);
  server.on('stream', (stream) => {
    stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
    stream.end(body);
  });
  return { server, port: await listen(server) };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads `stream` to its end slowly: paused for `pauseMs` after every `every` bytes. */
function readSlowly(stream: NodeJS.ReadableStream, every: number, pauseMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let since = 0;
    stream.on('data', (d: Buffer) => {
      parts.push(d);
      since += d.length;
      if (since >= every) {
        since = 0;
        stream.pause();
        setTimeout(() => stream.resume(), pauseMs);
      }
    });
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** A client session to `port` over a node:tls socket on a raw TCP socket the test keeps. */
async function rawClient(port: number): Promise<{
  session: nodeHttp2.ClientHttp2Session;
  tcp: net.Socket;
  tls: nodeTls.TLSSocket;
}> {
  const tcp = net.connect(port, '127.0.0.1');
  const tls = nodeTls.connect({ socket: tcp, ca, servername: 'localhost', ALPNProtocols: ['h2'] });
  const session = nodeHttp2.connect(`https://localhost:${port}`, { createConnection: () => tls });
  await waitFor(session, 'connect');
  return { session, tcp, tls };
}

/** What the server's code saw of its one session: events in order, and the error's code. */
function watchSession(server: SecureServer): Promise<{ events: string[]; errorCode?: string }> {
  return new Promise((resolve) => {
    server.once('session', (session: nodeHttp2.ServerHttp2Session) => {
      const seen: { events: string[]; errorCode?: string } = { events: [] };
      session.on('goaway', () => seen.events.push('goaway'));
      session.on('error', (e: NodeJS.ErrnoException) => {
        seen.events.push('error');
        seen.errorCode = e.code;
      });
      session.once('close', () => {
        seen.events.push('close');
        resolve(seen);
      });
    });
  });
}

describe('openssl-tls/http2 server: the session reads a socketpair natively', () => {
  it('on the native transport the session socket is a pipe (JSStreamSocket on the JS transport); it reports our TLS', async () => {
    const server = ours.createSecureServer({ ...ec, requestCert: true, ca });
    const port = await listen(server);
    const sessionSeen = once(server, 'session') as Promise<[nodeHttp2.ServerHttp2Session]>;
    server.on('stream', (stream) => {
      const s = stream.session!.socket as unknown as nodeTls.TLSSocket & { _handle?: object };
      stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
      stream.end(
        JSON.stringify({
          handle: s._handle?.constructor.name,
          encrypted: stream.session!.encrypted,
          alpn: stream.session!.alpnProtocol,
          peer: (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
          authorized: s.authorized,
          remote: s.remoteAddress,
          remotePort: s.remotePort,
          localFamily: s.localFamily,
          bytesWritten: s.bytesWritten > 0,
        }),
      );
    });
    const client = nodeHttp2.connect(`https://localhost:${port}`, {
      ca,
      key: fixture('client-key.pem'),
      cert: fixture('client.pem'),
    });
    try {
      const { body } = await fetchOn(client);
      const seen = JSON.parse(body) as Record<string, unknown>;
      const [session] = await sessionSeen;
      assert.equal(session.encrypted, true);
      assert.deepEqual(seen, {
        handle: server.nativeTransport ? 'Pipe' : 'JSStream',
        encrypted: true,
        alpn: 'h2',
        peer: 'test client',
        authorized: true,
        remote: '127.0.0.1',
        remotePort: (client.socket as net.Socket).localPort,
        localFamily: 'IPv4',
        bytesWritten: true,
      });
    } finally {
      client.close();
      await closeServer(server);
    }
  });

  it('8 MiB up and 8 MiB down on one stream, read slowly at both ends, arrive intact (node:tls and ours)', async function () {
    this.timeout(60000);
    const upload = randomBytes(8 * 1024 * 1024);
    const download = randomBytes(8 * 1024 * 1024);
    const results: Record<Impl, { up: string; down: string; status: number }> = {} as never;
    for (const impl of ['node', 'ours'] as const) {
      const server = createServer(impl);
      server.on('stream', (stream) => {
        // The server reads slowly: the client's writes must wait (flow control, then the pair).
        void readSlowly(stream, 1024 * 1024, 20).then((got) => {
          stream.respond({ [HTTP2_HEADER_STATUS]: 200, 'x-up': sha256(got) });
          stream.end(download);
        });
      });
      const port = await listen(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
      try {
        const req = client.request({ [HTTP2_HEADER_PATH]: '/', [HTTP2_HEADER_METHOD]: 'POST' });
        req.end(upload);
        const [headers] = (await waitFor(req, 'response', 30000)) as [nodeHttp2.IncomingHttpHeaders];
        const body = await readSlowly(req, 1024 * 1024, 20);
        results[impl] = {
          up: String(headers['x-up']),
          down: sha256(body),
          status: Number(headers[HTTP2_HEADER_STATUS]),
        };
      } finally {
        client.destroy();
        await closeServer(server);
      }
    }
    const want = { up: sha256(upload), down: sha256(download), status: 200 };
    assert.deepEqual(results.node, want);
    assert.deepEqual(results.ours, want);
  });

  it("the client closes its session: the server's session closes as node's, and no descriptor is left", async () => {
    const seen: Partial<Record<Impl, { events: string[]; errorCode?: string }>> = {};
    for (const impl of ['node', 'ours'] as const) {
      const before = openDescriptors();
      const { server, port } = await answering(impl, 'hi');
      const watched = watchSession(server);
      const client = nodeHttp2.connect(`https://localhost:${port}`, { ca });
      assert.deepEqual(await fetchOn(client), { status: 200, body: 'hi' });
      client.close();
      seen[impl] = await watched;
      await closeServer(server);
      await delay(50);
      if (impl === 'ours') assert.equal(openDescriptors(), before);
    }
    assert.deepEqual(seen.ours, seen.node);
  });

  it('the server destroys or closes the session: the client sees it end as with node, with close_notify first', async () => {
    for (const how of ['destroy', 'close'] as const) {
      const seen: Partial<Record<Impl, unknown>> = {};
      for (const impl of ['node', 'ours'] as const) {
        const server = createServer(impl);
        server.on('stream', (stream) => {
          const session = stream.session!;
          stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
          stream.end('bye', () => setImmediate(() => session[how]()));
        });
        const port = await listen(server);
        const { session, tls } = await rawClient(port);
        const events: string[] = [];
        tls.on('end', () => events.push('tls end'));
        session.on('goaway', (code: number) => events.push(`goaway ${code}`));
        session.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
        const closed = waitFor(session, 'close');
        const tlsClosed = waitFor(tls, 'close');
        assert.deepEqual(await fetchOn(session), { status: 200, body: 'bye' });
        await closed;
        await tlsClosed;
        // nghttp2 sends a second GOAWAY as the closed session's handle goes. Over node:tls
        // it leaves in a record of its own, after the client has closed on the first; the
        // relay carries what the session wrote in one turn in one record, so the client
        // may read both: the events are compared once each.
        seen[impl] = [...new Set(events)];
        await closeServer(server);
      }
      assert.deepEqual(seen.ours, seen.node, how);
      // node:tls sends close_notify before its FIN: the client's TLS socket ends cleanly.
      assert.ok((seen.ours as string[]).includes('tls end'), `${how}: ${String(seen.ours)}`);
    }
  });

  it("the peer's close_notify reaches the session as its socket's end; the server ends its TLS too", async () => {
    const seen: Partial<Record<Impl, unknown>> = {};
    for (const impl of ['node', 'ours'] as const) {
      const { server, port } = await answering(impl, 'ok');
      const watched = watchSession(server);
      const { session, tls } = await rawClient(port);
      assert.deepEqual(await fetchOn(session), { status: 200, body: 'ok' });
      const tlsEnded = waitFor(tls, 'end');
      // close_notify and FIN under the session: the server's session must close.
      tls.end();
      const server_ = await watched;
      await tlsEnded;
      seen[impl] = server_;
      session.destroy();
      await closeServer(server);
    }
    assert.deepEqual(seen.ours, seen.node);
  });

  it("a peer that resets its connection mid-response: the session closes as node's does, nothing is left open", async () => {
    const seen: Partial<Record<Impl, unknown>> = {};
    for (const impl of ['node', 'ours'] as const) {
      const before = openDescriptors();
      const server = createServer(impl);
      const big = randomBytes(4 * 1024 * 1024);
      const streamClosed = new Promise<boolean>((resolve) =>
        server.on('stream', (stream) => {
          stream.on('error', () => {});
          stream.once('close', () => resolve(stream.rstCode !== 0 || stream.aborted));
          stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
          stream.end(big);
        }),
      );
      const port = await listen(server);
      const watched = watchSession(server);
      const { session, tcp } = await rawClient(port);
      session.on('error', () => {});
      const req = session.request({ [HTTP2_HEADER_PATH]: '/' });
      req.on('error', () => {});
      await waitFor(req, 'response');
      tcp.resetAndDestroy();
      const server_ = await watched;
      seen[impl] = { session: server_.events.filter((e) => e !== 'error'), streamAborted: await streamClosed };
      await closeServer(server);
      await delay(50);
      if (impl === 'ours') assert.equal(openDescriptors(), before);
    }
    assert.deepEqual(seen.ours, seen.node);
  });

  it('garbage on the wire after the handshake: the session gets the TLS error node:tls gives it', async () => {
    const seen: Partial<Record<Impl, unknown>> = {};
    for (const impl of ['node', 'ours'] as const) {
      const { server, port } = await answering(impl, 'ok');
      const watched = watchSession(server);
      const { session, tcp } = await rawClient(port);
      session.on('error', () => {});
      assert.deepEqual(await fetchOn(session), { status: 200, body: 'ok' });
      // A record of an unknown type, under the TLS layer.
      tcp.write(Buffer.from('4203030010' + '00'.repeat(16), 'hex'));
      seen[impl] = await watched;
      session.destroy();
      await closeServer(server);
    }
    assert.ok((seen.node as { errorCode?: string }).errorCode?.startsWith('ERR_SSL_'), JSON.stringify(seen.node));
    assert.deepEqual(seen.ours, seen.node);
  });

  it("our client: the session reads a pipe on the native transport; 'connect' and the session report TLS as node's client", async () => {
    const server = nodeHttp2.createSecureServer(ec);
    server.on('stream', (stream) => {
      stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
      stream.end('hello');
    });
    const port = await listen(server);
    const seen: Partial<Record<Impl, unknown>> = {};
    try {
      for (const impl of ['node', 'ours'] as const) {
        const authority = `https://localhost:${port}`;
        const session = impl === 'node' ? nodeHttp2.connect(authority, { ca }) : ours.connect(authority, { ca });
        const [, socket] = (await waitFor(session, 'connect')) as [unknown, nodeTls.TLSSocket];
        const view = session.socket as unknown as nodeTls.TLSSocket & { _handle?: object };
        seen[impl] = {
          connectSocket: (socket as object).constructor.name,
          peer: (socket.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
          viewPeer: (view.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
          encrypted: session.encrypted,
          alpn: session.alpnProtocol,
          originSet: session.originSet,
          remotePort: view.remotePort,
          answer: await fetchOn(session),
        };
        if (impl === 'ours') {
          const nativeClient = process.env.OPENSSL_TLS_TRANSPORT !== 'js';
          assert.equal(view._handle?.constructor.name, nativeClient ? 'Pipe' : 'JSStream');
        }
        session.close();
        await waitFor(session, 'close');
      }
    } finally {
      await closeServer(server);
    }
    assert.deepEqual(seen.ours, seen.node);
  });

  it('our client: 8 MiB up and down read slowly, then the server closes the session: all of it arrives, nothing is left open', async function () {
    this.timeout(60000);
    const upload = randomBytes(8 * 1024 * 1024);
    const download = randomBytes(8 * 1024 * 1024);
    const server = nodeHttp2.createSecureServer(ec);
    server.on('stream', (stream) => {
      const session = stream.session!;
      void readSlowly(stream, 1024 * 1024, 20).then((got) => {
        stream.respond({ [HTTP2_HEADER_STATUS]: 200, 'x-up': sha256(got) });
        stream.end(download, () => setImmediate(() => session.close()));
      });
    });
    const port = await listen(server);
    const before = openDescriptors();
    try {
      const session = ours.connect(`https://localhost:${port}`, { ca });
      const events: string[] = [];
      session.on('goaway', (code: number) => events.push(`goaway ${code}`));
      session.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${String(e.code)}`));
      const closed = waitFor(session, 'close', 30000);
      const req = session.request({ [HTTP2_HEADER_PATH]: '/', [HTTP2_HEADER_METHOD]: 'POST' });
      req.end(upload);
      const [headers] = (await waitFor(req, 'response', 30000)) as [nodeHttp2.IncomingHttpHeaders];
      const body = await readSlowly(req, 1024 * 1024, 20);
      assert.equal(headers['x-up'], sha256(upload));
      assert.equal(sha256(body), sha256(download));
      await closed;
      assert.deepEqual([...new Set(events)], ['goaway 0']);
      await delay(50);
      assert.equal(openDescriptors(), before);
    } finally {
      await closeServer(server);
    }
  });

  it('a client relay whose socket stays on the JS transport pumps the pair in JS: every byte, and both close', async function () {
    this.timeout(30000);
    const download = randomBytes(4 * 1024 * 1024);
    const server = nodeHttp2.createSecureServer(ec);
    server.on('stream', (stream) => {
      stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
      stream.end(download);
    });
    const port = await listen(server);
    try {
      // A given socket keeps our TLS socket on the JS transport, whatever OPENSSL_TLS_TRANSPORT says.
      const tcp = net.connect(port, '127.0.0.1');
      const socket = tls.connect({ socket: tcp, servername: 'localhost', ca, ALPNProtocols: ['h2'] });
      const pipe = relayClientCleartext(socket);
      assert.ok(pipe !== null);
      const session = nodeHttp2.connect(`https://localhost:${port}`, { createConnection: () => pipe });
      await waitFor(session, 'connect');
      assert.equal(socket._native, false);
      assert.equal((session.socket as unknown as { _handle?: object })._handle?.constructor.name, 'Pipe');
      assert.equal(session.encrypted, true);
      const req = session.request({ [HTTP2_HEADER_PATH]: '/' });
      const body = await readSlowly(req, 1024 * 1024, 10);
      assert.equal(sha256(body), sha256(download));
      const socketClosed = waitFor(socket, 'close');
      session.close();
      await waitFor(session, 'close');
      await socketClosed;
    } finally {
      await closeServer(server);
    }
  });

  it('0-RTT: a request sent as TLS 1.3 early data (with the preface) is answered', async function () {
    this.timeout(20000);
    const server = ours.createSecureServer({ ...ec, maxEarlyData: 16384 });
    const sockets: Array<{ earlyData: Buffer | null; isEarlyDataAccepted(): boolean }> = [];
    server.on('secureConnection', (socket) => sockets.push(socket));
    // What a stream's handler sees of the early data through session.socket (the pipe on the native transport).
    const seen: Array<{ accepted: unknown; earlyData: unknown }> = [];
    server.on('stream', (stream) => {
      const view = stream.session?.socket as unknown as { isEarlyDataAccepted?: () => boolean; earlyData?: unknown };
      seen.push({ accepted: view.isEarlyDataAccepted?.(), earlyData: view.earlyData });
      stream.respond({ [HTTP2_HEADER_STATUS]: 200 });
      stream.end('early ok');
    });
    const port = await listen(server);
    try {
      const base = { port, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['h2'] };
      // A ticket that allows early data: the first connection's (its tickets come after the handshake).
      const first = tls.connect(base);
      const [session] = (await waitFor(first, 'session')) as [Buffer];
      first.destroy();
      // The client preface, an empty SETTINGS and GET / on stream 1 (HPACK: :method GET,
      // :scheme https, :path /, :authority localhost), all as early data.
      const request = Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        Buffer.from('000000040000000000', 'hex'),
        Buffer.from('00000e0105000000018287840109', 'hex'),
        Buffer.from('localhost'),
      ]);
      const c = tls.connect({ ...base, session, earlyData: request });
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      await waitFor(c, 'secureConnect');
      const deadline = Date.now() + 10000;
      while (!Buffer.concat(got).includes('early ok') && Date.now() < deadline) await delay(20);
      assert.equal(c.isEarlyDataAccepted(), true);
      c.destroy();
      assert.ok(Buffer.concat(got).includes('early ok'), 'the answer to the early request');
      // The second connection's server socket took the whole request as early data.
      assert.equal(sockets.length, 2);
      assert.equal(sockets[1]?.isEarlyDataAccepted(), true);
      assert.ok(sockets[1]?.earlyData?.equals(request));
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.accepted, true);
      assert.ok(Buffer.isBuffer(seen[0]?.earlyData) && seen[0].earlyData.equals(request), 'session.socket.earlyData');
    } finally {
      await closeServer(server);
    }
  });

  it("the TLS socket's 'end' comes after the session saw the stream before it; destroyed, the session is garbage at once", async function () {
    this.timeout(30000);
    const app = path.join(__dirname, 'helpers', 'http2_end_order_app.ts');
    const seen: Partial<Record<Impl, unknown>> = {};
    for (const impl of ['node', 'ours'] as const) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [
            '--expose-gc',
            '--require',
            require.resolve('tsx/cjs'),
            app,
            impl,
            ...['server-ec-key.pem', 'server-ec.pem'].map(fixturePath),
          ],
          { timeout: 10000 },
          (e, stdout, stderr) => (e ? reject(new Error(`${impl}: ${e.message} ${stderr}`)) : resolve(stdout)),
        ),
      );
      seen[impl] = JSON.parse(out) as unknown;
    }
    assert.deepEqual(seen.ours, seen.node);
    assert.deepEqual(seen.ours, { seen: ['stream', 'end'], collected: true });
  });

  it('session.unref() and server.unref(): the process exits on its own, as with node (our client too)', async function () {
    this.timeout(60000);
    const app = path.join(__dirname, 'helpers', 'http2_unref_app.ts');
    const pairs = [
      ['node', 'node'],
      ['ours', 'node'],
      ['node', 'ours'],
      ['ours', 'ours'],
    ] as const;
    for (const [serverImpl, clientImpl] of pairs) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [
            '--require',
            require.resolve('tsx/cjs'),
            app,
            serverImpl,
            clientImpl,
            fixturePath('server-ec-key.pem'),
            fixturePath('server-ec.pem'),
            fixturePath('ca.pem'),
          ],
          { timeout: 10000 },
          (e, stdout, stderr) =>
            e
              ? reject(new Error(`server ${serverImpl}, client ${clientImpl}: ${e.message} ${stderr}`))
              : resolve(stdout),
        ),
      );
      assert.equal(out.trim(), 'answered hi', `server ${serverImpl}, client ${clientImpl}`);
    }
  });
});
