// The TLSSocket as a stream: large transfers with backpressure, writes before
// the handshake, end()/close_notify, half-close, destroy at awkward moments.
import { strict as assert } from 'node:assert';
import { randomBytes, createHash } from 'node:crypto';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, readAll, waitFor } from './helpers/net';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const MB = 1024 * 1024;

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Writes data in 64 KiB pieces honouring write()'s return value; counts the waits. */
async function writeAll(stream: NodeJS.WritableStream, data: Buffer): Promise<number> {
  let waits = 0;
  for (let off = 0; off < data.length; off += 64 * 1024) {
    if (!stream.write(data.subarray(off, off + 64 * 1024))) {
      waits++;
      await waitFor(stream as unknown as NodeJS.EventEmitter, 'drain', 30000);
    }
  }
  return waits;
}

describe('TLSSocket streams', () => {
  it('moves 10 MB each way with backpressure, byte for byte (our server, node client)', async function () {
    this.timeout(60000);
    const up = randomBytes(10 * MB);
    const down = randomBytes(10 * MB);
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    let serverWaits = 0;
    const server = tls.createServer({ ...rsa, allowHalfOpen: true }, (s) => {
      serverGot = readAll(s);
      void writeAll(s, down).then((w) => {
        serverWaits = w;
        s.end();
      });
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({
        port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: fixture('ca.pem'),
        allowHalfOpen: true,
      } as nodeTls.ConnectionOptions);
      await waitFor(c, 'secureConnect');
      const clientGot = readAll(c);
      // Read slowly at first so the server has to wait for us.
      c.pause();
      setTimeout(() => c.resume(), 300);
      const clientWaits = await writeAll(c, up);
      c.end();
      assert.equal(sha(await clientGot), sha(down));
      assert.equal(sha(await serverGot), sha(up));
      assert.ok(serverWaits > 0, 'server write() returned false at least once');
      assert.ok(clientWaits >= 0);
    } finally {
      await close(server);
    }
  });

  it('moves 10 MB each way with backpressure, byte for byte (our client, node server)', async function () {
    this.timeout(60000);
    const up = randomBytes(10 * MB);
    const down = randomBytes(10 * MB);
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const server = nodeTls.createServer({ ...rsa, allowHalfOpen: true } as nodeTls.TlsOptions, (s) => {
      serverGot = readAll(s);
      s.pause();
      setTimeout(() => s.resume(), 300);
      void writeAll(s, down).then(() => s.end());
    });
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem'), allowHalfOpen: true });
      await waitFor(c, 'secureConnect');
      const clientGot = readAll(c);
      const waits = await writeAll(c, up);
      c.end();
      assert.ok(waits > 0, 'our write() returned false at least once');
      assert.equal(sha(await clientGot), sha(down));
      assert.equal(sha(await serverGot), sha(up));
    } finally {
      await close(server);
    }
  });

  it('queues writes made before the handshake and sends them after it', async () => {
    const server = nodeTls.createServer(rsa, (s) => s.pipe(s));
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      c.write('early ');
      c.write('bird');
      let secure = false;
      c.on('secureConnect', () => (secure = true));
      const data = await new Promise<string>((resolve) => {
        let s = '';
        c.on('data', (d: Buffer) => {
          assert.equal(secure, true);
          s += d.toString();
          if (s.length >= 10) resolve(s);
        });
      });
      assert.equal(data, 'early bird');
      c.destroy();
    } finally {
      await close(server);
    }
  });

  it('end() sends close_notify: the node peer sees a clean end, then we see theirs', async () => {
    const events: string[] = [];
    const server = nodeTls.createServer(rsa, (s) => {
      s.on('data', () => {});
      s.on('end', () => events.push('server end'));
    });
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      c.on('data', () => {});
      const closed = waitFor(c, 'close');
      c.end('bye');
      await waitFor(c, 'end');
      events.push('client end');
      await closed;
      assert.deepEqual(events, ['server end', 'client end']);
    } finally {
      await close(server);
    }
  });

  it('half-close: with allowHalfOpen the server answers after the client ended', async () => {
    const server = tls.createServer({ ...rsa, allowHalfOpen: true }, (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => {
        setTimeout(() => s.end(`got ${Buffer.concat(parts).toString()}`), 50);
      });
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({
        port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: fixture('ca.pem'),
        allowHalfOpen: true,
      } as nodeTls.ConnectionOptions);
      await waitFor(c, 'secureConnect');
      const reply = readAll(c);
      c.end('question');
      assert.equal((await reply).toString(), 'got question');
    } finally {
      await close(server);
    }
  });

  it('without allowHalfOpen the server side ends when the client ends', async () => {
    const closed: string[] = [];
    const server = tls.createServer(rsa, (s) => {
      s.on('data', () => {});
      s.on('end', () => closed.push('end'));
      s.on('close', () => closed.push('close'));
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      c.on('data', () => {});
      c.end();
      await waitFor(c, 'close');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(closed, ['end', 'close']);
    } finally {
      await close(server);
    }
  });

  it('destroy() during the handshake: no crash, the server reports ECONNRESET and serves the next client', async () => {
    const errors: string[] = [];
    const server = tls.createServer(rsa, (s) => s.end('ok'));
    server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
    const port = await listen(server);
    try {
      // Ours as the client, destroyed right after it sent its ClientHello.
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      c.on('error', () => assert.fail('destroy() without an error emits none'));
      await waitFor(c, 'connect');
      setImmediate(() => c.destroy());
      await waitFor(c, 'close');
      // A raw client that sends half a ClientHello and goes away.
      const raw = net.connect(port, '127.0.0.1', () => raw.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01])));
      await waitFor(raw, 'close');
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(errors.length >= 1);
      assert.ok(
        errors.every((code) => code === 'ECONNRESET'),
        errors.join(),
      );
      const ok = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      assert.equal((await readAll(ok)).toString(), 'ok');
    } finally {
      await close(server);
    }
  });

  it('destroy() inside secureConnect and inside data handlers is safe', async () => {
    const server = nodeTls.createServer(rsa, (s) => s.write('x'.repeat(100000)));
    const port = await listen(server);
    try {
      const a = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') }, () => a.destroy());
      await waitFor(a, 'close');
      const b = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      b.on('data', () => b.destroy());
      await waitFor(b, 'close');
      assert.equal(b.destroyed, true);
    } finally {
      await close(server);
    }
  });

  it('TLSSocket over a plain Duplex-wrapped net.Socket (connect({socket}))', async () => {
    const server = nodeTls.createServer(rsa, (s) => s.pipe(s));
    const port = await listen(server);
    try {
      const raw = net.connect(port, '127.0.0.1');
      await waitFor(raw, 'connect');
      const c = tls.connect({ socket: raw, servername: 'localhost', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      c.write('over a given socket');
      const [d] = await waitFor<[Buffer]>(c, 'data');
      assert.equal(d.toString(), 'over a given socket');
      c.destroy();
    } finally {
      await close(server);
    }
  });
});
