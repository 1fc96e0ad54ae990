// The native TCP transport (server option nativeTransport): C++ accepts and
// handshakes on Node's loop, and JS first hears of a connection at
// 'secureConnection' (or tlsClientError). Each case checks what a user sees
// against a real peer: node:tls's client, openssl s_client, raw TCP.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };

function nodeClient(port: number, options: nodeTls.ConnectionOptions = {}): nodeTls.TLSSocket {
  return nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem'), ...options });
}

/** Resolves with the first tlsClientError's code and message. */
function clientError(server: tls.Server): Promise<{ code: string; message: string }> {
  return new Promise((resolve) => {
    server.once('tlsClientError', (err: NodeJS.ErrnoException) =>
      resolve({ code: String(err.code), message: err.message }),
    );
  });
}

// Under OPENSSL_TLS_TRANSPORT=js (npm test's second run) every server is on the JS
// transport, whatever its options say: these cases are the first run's.
const describeNative = process.env.OPENSSL_TLS_TRANSPORT === 'js' ? describe.skip : describe;

describeNative('native transport', () => {
  usePeerCleanup();

  it('is used when asked for, and not where the handshake needs JS inside OpenSSL (pskCallback)', async () => {
    const native = tls.createServer({ ...rsa, nativeTransport: true });
    const psk = tls.createServer({ ...rsa, nativeTransport: true, pskCallback: () => null });
    const plain = tls.createServer({ ...rsa, nativeTransport: false });
    try {
      await listen(native);
      await listen(psk);
      await listen(plain);
      assert.equal(native.nativeTransport, process.env.OPENSSL_TLS_TRANSPORT !== 'js');
      assert.equal(psk.nativeTransport, false);
      assert.equal(plain.nativeTransport, process.env.OPENSSL_TLS_TRANSPORT === 'native');
    } finally {
      await close(native);
      await close(psk);
      await close(plain);
    }
  });

  it('echoes with node:tls, with the socket API answered by the native socket', async () => {
    let seen: Record<string, unknown> = {};
    const server = tls.createServer({ ...ec, nativeTransport: true }, (s) => {
      seen = {
        protocol: s.getProtocol(),
        remoteAddress: s.remoteAddress,
        remotePort: s.remotePort,
        localPort: s.localPort,
        address: s.address(),
        encrypted: s.encrypted,
      };
      s.setNoDelay(true);
      s.setKeepAlive(true, 1000);
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      s.on('end', () => s.end());
    });
    const port = await listen(server);
    try {
      assert.equal(server.nativeTransport, true);
      const c = nodeClient(port);
      await waitFor(c, 'secureConnect');
      const clientPort = c.localPort;
      const big = Buffer.alloc(300_000, 0x61);
      c.write('hello ');
      c.write(big);
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      c.end();
      await waitFor(c, 'end');
      const got = Buffer.concat(chunks);
      assert.ok(got.toString('latin1').startsWith('echo:hello '), got.subarray(0, 20).toString());
      // Every byte came back (each chunk the server read was echoed with its prefix).
      assert.equal(got.toString('latin1').replace(/echo:/g, '').length, 6 + big.length);
      assert.equal(seen.protocol, 'TLSv1.3');
      assert.equal(seen.remotePort, clientPort);
      assert.match(String(seen.remoteAddress), /127\.0\.0\.1$/);
      assert.equal(seen.localPort, port);
      assert.equal((seen.address as net.AddressInfo).port, port);
      assert.equal(seen.encrypted, true);
    } finally {
      await close(server);
    }
  });

  it("write callbacks: a turn later as node:tls's; at once for a socket only http2 writes to", async () => {
    // Where a write's callback comes relative to a tick queued just after the write.
    const order = async (server: nodeTls.Server, prepare: (s: nodeTls.TLSSocket) => void): Promise<string[]> => {
      const seen = new Promise<string[]>((resolve) => {
        server.once('secureConnection', (s: nodeTls.TLSSocket) => {
          prepare(s);
          const log: string[] = [];
          s.write('x', () => {
            log.push('callback');
            if (log.length === 2) resolve(log);
          });
          process.nextTick(() => {
            log.push('tick');
            if (log.length === 2) resolve(log);
          });
        });
      });
      const port = await listen(server);
      const c = nodeClient(port);
      c.on('data', () => {});
      try {
        return await seen;
      } finally {
        c.destroy();
        await close(server);
      }
    };
    const node = await order(nodeTls.createServer(rsa), () => {});
    const ours = await order(tls.createServer(rsa) as unknown as nodeTls.Server, () => {});
    const http2 = await order(tls.createServer(rsa) as unknown as nodeTls.Server, (s) =>
      (s as unknown as tls.TLSSocket)._completeWritesAtOnce(),
    );
    assert.deepEqual(node, ['tick', 'callback']);
    assert.deepEqual(ours, node);
    assert.deepEqual(http2, ['callback', 'tick']);
  });

  it('an idle connection nobody holds in JS survives garbage collection', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // The server keeps no reference to its sockets: only the open socket itself may.
    // (Not the listen() helper: it keeps every socket it sees.)
    const server = tls.createServer({ ...ec, nativeTransport: true }, (s) => {
      s.on('data', (d: Buffer) => s.write(d));
    });
    server.listen(0, '127.0.0.1');
    await waitFor(server, 'listening');
    const c = nodeClient((server.address() as net.AddressInfo).port);
    try {
      await waitFor(c, 'secureConnect');
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      c.write('still here');
      const [d] = await waitFor<[Buffer]>(c, 'data');
      assert.equal(d.toString(), 'still here');
    } finally {
      c.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('serves openssl s_client (TLS 1.2 and 1.3) and counts the encrypted bytes it wrote', async () => {
    const written: number[] = [];
    const server = tls.createServer({ ...rsa, nativeTransport: true }, (s) => {
      s.end('native hello\n', () => written.push(s.bytesWritten));
    });
    const port = await listen(server);
    try {
      for (const v of ['-tls1_2', '-tls1_3']) {
        const r = await runOpenSSLClient(port, [v, '-quiet', '-no_ign_eof'], '', { waitFor: 'native hello' });
        assert.match(r.stdout, /native hello/);
      }
      assert.equal(written.length, 2);
      for (const n of written) assert.ok(n > 'native hello\n'.length, `bytesWritten ${n}`);
    } finally {
      await close(server);
    }
  });

  it("garbage instead of a ClientHello: tlsClientError with the JS transport's code, and the server serves on", async () => {
    const codes: string[] = [];
    for (const nativeTransport of [true, false]) {
      const server = tls.createServer({ ...rsa, nativeTransport }, (s) => s.end('ok'));
      const port = await listen(server);
      try {
        const failed = clientError(server);
        const raw = net.connect(port, '127.0.0.1', () => raw.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        raw.on('error', () => {});
        raw.resume();
        codes.push((await failed).code);
        const c = nodeClient(port);
        c.setEncoding('latin1');
        const [data] = await waitFor<[string]>(c, 'data');
        assert.equal(data, 'ok');
        c.destroy();
      } finally {
        await close(server);
      }
    }
    assert.match(codes[0] ?? '', /^ERR_SSL_/);
    assert.equal(codes[0], codes[1]);
  });

  it('a silent connection fails with ERR_TLS_HANDSHAKE_TIMEOUT after handshakeTimeout', async () => {
    const server = tls.createServer({ ...rsa, nativeTransport: true, handshakeTimeout: 300 });
    const port = await listen(server);
    try {
      const failed = clientError(server);
      const started = Date.now();
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => {});
      const err = await failed;
      assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
      assert.ok(Date.now() - started >= 250, 'not before the timeout');
      await new Promise((r) => raw.once('close', r));
    } finally {
      await close(server);
    }
  });

  it('getConnections() counts handshakes under way; close() waits for them', async () => {
    const server = tls.createServer({ ...rsa, nativeTransport: true });
    const port = await listen(server);
    const raw = net.connect(port, '127.0.0.1');
    raw.on('error', () => {});
    await waitFor(raw, 'connect');
    // The server has accepted it natively (no JS object yet).
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      count = await new Promise<number>((resolve, reject) =>
        server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
      );
    }
    assert.equal(count, 1);
    let closed = false;
    server.close(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(closed, false, 'close() waits for the connection');
    raw.destroy();
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closed, true);
  });

  it("maxConnections: one past the limit is closed at once and reported as 'drop'", async () => {
    const held: tls.TLSSocket[] = [];
    const server = tls.createServer({ ...rsa, nativeTransport: true }, (s) => held.push(s));
    server.maxConnections = 1;
    const drops: Array<Record<string, unknown>> = [];
    server.on('drop', (info: Record<string, unknown>) => drops.push(info));
    const port = await listen(server);
    try {
      const a = nodeClient(port);
      await waitFor(a, 'secureConnect');
      const b = nodeClient(port);
      let bPort: number | undefined;
      b.once('connect', () => (bPort = b.localPort));
      const [err] = await waitFor<[NodeJS.ErrnoException]>(b, 'error');
      assert.equal(err.code, 'ECONNRESET');
      assert.equal(drops.length, 1);
      assert.equal(drops[0]?.remotePort, bPort);
      assert.equal(drops[0]?.localPort, port);
      a.destroy();
    } finally {
      for (const s of held) s.destroy();
      await close(server);
    }
  });

  it("newSession (TLS 1.2 session ids): the server's last flight waits for the callback, and the session resumes", async () => {
    const store = new Map<string, Buffer>();
    let answeredAt = 0;
    const ids = { maxVersion: 'TLSv1.2' as const, secureOptions: crypto.constants.SSL_OP_NO_TICKET };
    const server = tls.createServer({ ...rsa, ...ids, nativeTransport: true }, (s) => s.end('x'));
    server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      store.set(id.toString('hex'), data);
      setTimeout(() => {
        answeredAt = Date.now();
        cb();
      }, 150);
    });
    server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => {
      cb(null, store.get(id.toString('hex')) ?? null);
    });
    const port = await listen(server);
    try {
      const first = nodeClient(port, { maxVersion: 'TLSv1.2' });
      first.resume();
      const [session] = await waitFor<[Buffer]>(first, 'session');
      assert.ok(answeredAt > 0 && Date.now() >= answeredAt, 'the session came after the callback');
      await waitFor(first, 'close');
      const second = nodeClient(port, { maxVersion: 'TLSv1.2', session });
      second.resume();
      await waitFor(second, 'secureConnect');
      assert.equal(second.isSessionReused(), true);
      second.destroy();
    } finally {
      await close(server);
    }
  });

  it('a paused server socket stops reading: the client is held back by TCP, memory stays bounded', async function () {
    this.timeout(20_000);
    let serverSocket: tls.TLSSocket | undefined;
    const server = tls.createServer({ ...ec, nativeTransport: true }, (s) => {
      serverSocket = s;
      s.on('error', () => {});
      s.pause();
    });
    const port = await listen(server);
    try {
      const c = nodeClient(port);
      c.on('error', () => {});
      await waitFor(c, 'secureConnect');
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      while (sent < 64 * 1024 * 1024 && c.write(chunk)) sent += chunk.length;
      // The writes stop being taken long before 64 MB: the server read only what its buffers hold.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(serverSocket !== undefined);
      assert.ok(sent < 32 * 1024 * 1024, `the client could write ${sent} bytes`);
      assert.ok(serverSocket.readableLength <= 1024 * 1024, `readableLength ${serverSocket.readableLength}`);
      c.destroy();
    } finally {
      await close(server);
    }
  });
});
