// The addon's guards (native/binding/connection.h, Connection::Entry): while a
// handshake step runs on the thread pool its engine is the step's alone, so
// every Connection method but destroy() throws ERR_INVALID_STATE, the report
// switches included (they used to write the flags the pool thread reads, a
// data race: native/tsan/ shows it under ThreadSanitizer); and a native object
// given as an argument is unwrapped only when its N-API type tag is ours.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { binding } from '../lib/internal/binding';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import type { CycleResult, NativeConnection, NativeSecureContext } from '../typings/native';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ca = fixture('ca.pem');

/** A server Connection with its first handshake step on the pool, and that step's result. */
function stepInFlight(): { server: NativeConnection; client: NativeConnection; done: Promise<CycleResult> } {
  const server = new binding.Connection(tls.createSecureContext(ec).context, { isServer: true });
  const client = new binding.Connection(tls.createSecureContext({ ca }).context, {
    isServer: false,
    servername: 'localhost',
  });
  const hello = client.start().encrypted;
  assert.ok(hello);
  let r: CycleResult | undefined;
  const done = new Promise<CycleResult>((resolve) => {
    r = server.receiveAsync(hello, resolve);
  });
  assert.equal(r, undefined, 'the step went to the pool');
  return { server, client, done };
}

/** Arguments each method accepts when nothing is in the way. */
const args: Record<string, unknown[]> = {
  receive: [Buffer.alloc(0)],
  write: [[Buffer.from('x')]],
  resume: [{}],
  receiveAsync: [Buffer.alloc(0), () => {}],
  resumeAsync: [{}, () => {}],
  getPeerCertificate: [false],
  exportKeyingMaterial: [16, 'label'],
  setMaxSendFragment: [1024],
  renegotiate: [{}],
  setReportSessions: [true],
  setReportKeylog: [true],
  attachSocket: [-1, false],
  address: [true],
  setNoDelay: [true],
  setKeepAlive: [true, 1],
};

describe('native guards', () => {
  describe('a handshake step in flight', () => {
    it('setReportKeylog() and setReportSessions() throw ERR_INVALID_STATE', async () => {
      const { server, client, done } = stepInFlight();
      // They decide what OpenSSL's callbacks record, which the pool thread runs now.
      assert.throws(() => server.setReportKeylog(true), { code: 'ERR_INVALID_STATE' });
      assert.throws(() => server.setReportSessions(true), { code: 'ERR_INVALID_STATE' });
      const result = await done;
      assert.equal(result.status & binding.status.ERROR, 0);
      // Back on the main thread: allowed again.
      server.setReportKeylog(true);
      server.setReportSessions(true);
      server.destroy();
      client.destroy();
    });

    it('every other method but destroy() throws ERR_INVALID_STATE too', async () => {
      const { server, client, done } = stepInFlight();
      const methods = Object.getOwnPropertyNames(binding.Connection.prototype).filter(
        (name) => name !== 'constructor' && name !== 'destroy',
      );
      assert.ok(methods.length >= 40, `only ${methods.length} methods`);
      const proto = binding.Connection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
      for (const name of methods) {
        assert.throws(() => proto[name].apply(server, args[name] ?? []), { code: 'ERR_INVALID_STATE' }, name);
      }
      await done;
      assert.equal(server.isHandshakeDone(), false);
      server.destroy();
      client.destroy();
    });

    it('destroy() lets the step free the SSL; the result is never told', async () => {
      const { server, client } = stepInFlight();
      server.destroy();
      // No step any more: a destroyed connection's rules (the switches are no-ops).
      assert.throws(() => server.receive(Buffer.alloc(0)), { code: 'ERR_SOCKET_CLOSED' });
      server.setReportKeylog(true);
      server.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.destroy();
      assert.equal(binding.errorQueueLength(), 0);
    });
  });

  it('a worker terminated while its handshake steps are on the pool ends cleanly', async function () {
    this.timeout(30000);
    const { Worker } = await import('node:worker_threads');
    const path = await import('node:path');
    // Plain JS in the worker: the compiled module (npm test builds dist/ first).
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { binding } = require(workerData.dist + '/internal/binding.js');
      const tls = require(workerData.dist + '/index.js');
      const ctx = tls.createSecureContext({ key: workerData.key, cert: workerData.cert });
      for (let i = 0; i < 16; i++) {
        const server = new binding.Connection(ctx.context, { isServer: true });
        const client = new binding.Connection(tls.createSecureContext({}).context, { isServer: false, servername: 'localhost' });
        server.receiveAsync(client.start().encrypted, () => {});
      }
      parentPort.postMessage('in flight');
    `;
    // RSA: steps slow enough to be on the pool still when the worker goes.
    const workerData = { dist: path.resolve(__dirname, '..', 'dist'), key: rsa.key, cert: rsa.cert };
    for (let i = 0; i < 5; i++) {
      const worker = new Worker(code, { eval: true, workerData });
      await new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', resolve);
      });
      // Teardown waits for the steps (an async cleanup hook), and tells no JS of them.
      await worker.terminate();
    }
  });

  it("a server's keylog with offloadHandshake: the switch is set before any step", async () => {
    // Over the transport this suite run uses: on the native one the link runs the
    // steps before any Connection exists; on the JS one the Connection does.
    const server = tls.createServer({ ...ec, offloadHandshake: true, maxVersion: 'TLSv1.2' }, (s) => {
      // Adopted once the steps are over: every method works.
      assert.equal(s.getProtocol(), 'TLSv1.2');
      s.end('bye');
    });
    const lines: Buffer[] = [];
    server.on('keylog', (line: Buffer) => lines.push(line));
    const port = await listen(server);
    try {
      const before = binding.poolHandshakeSteps();
      const c = nodeTls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      await waitFor(c, 'secureConnect');
      const [data] = (await waitFor(c, 'data')) as [Buffer];
      assert.equal(data.toString(), 'bye');
      c.destroy();
      assert.ok(binding.poolHandshakeSteps() > before, 'no step ran on the pool');
      // TLS 1.2: CLIENT_RANDOM, recorded by the callback on the pool thread.
      assert.ok(
        lines.some((l) => l.toString().startsWith('CLIENT_RANDOM ')),
        'no keylog line',
      );
    } finally {
      await close(server);
    }
  });

  describe('type tags', () => {
    const fakes: Array<[string, unknown]> = [
      ['an object made from the prototype', Object.create(binding.SecureContext.prototype)],
      ['an object holding one in .context', { context: Object.create(binding.SecureContext.prototype) }],
      ['a Connection', null],
    ];

    it('a SecureContext argument must be one of ours (Connection, resume(), TcpListener)', () => {
      const real = tls.createSecureContext(ec).context;
      const other = new binding.Connection(real, { isServer: true });
      fakes[2][1] = other;
      for (const [what, fake] of fakes) {
        assert.throws(
          () => new binding.Connection(fake as NativeSecureContext, { isServer: true }),
          { code: 'ERR_INVALID_ARG_TYPE' },
          what,
        );
      }
      // resume({ context }) during a clientHello pause.
      const server = new binding.Connection(real, { isServer: true, pauseOnClientHello: true });
      const client = new binding.Connection(tls.createSecureContext({ ca }).context, {
        isServer: false,
        servername: 'localhost',
      });
      const hello = client.start().encrypted as Buffer;
      assert.equal(server.receive(hello).pause?.kind, 'clientHello');
      for (const [what, fake] of fakes) {
        assert.throws(
          () => server.resume({ context: fake as NativeSecureContext }),
          { code: 'ERR_INVALID_ARG_TYPE' },
          what,
        );
      }
      assert.equal(server.resume({ context: real }).status & binding.status.ERROR, 0);
      server.destroy();
      client.destroy();
      other.destroy();
      // A TcpListener's context (the listener itself needs a listening socket:
      // its setContext is called through the prototype on a real one below).
      const net = require('node:net') as typeof import('node:net');
      const raw = net.createServer().listen(0);
      const fd = (raw as unknown as { _handle: { fd: number } })._handle.fd;
      const listener = new binding.TcpListener(fd, 16, () => {});
      try {
        for (const [what, fake] of fakes) {
          assert.throws(() => listener.setContext(fake as NativeSecureContext), { code: 'ERR_INVALID_ARG_TYPE' }, what);
        }
        listener.setContext(real);
        // A timeout past what a uint64_t of milliseconds holds is "never", not undefined behaviour.
        listener.setHandshakeTimeout(Number.MAX_VALUE);
        listener.setHandshakeTimeout(0);
      } finally {
        listener.close();
        raw.close();
      }
    });

    it('a subclass of the native SecureContext is still ours', () => {
      class Derived extends (binding.SecureContext as unknown as new () => NativeSecureContext) {}
      const derived = new Derived();
      const conn = new binding.Connection(derived, { isServer: false });
      conn.destroy();
    });
  });
});
