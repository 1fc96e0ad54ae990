// The client's native transport (connect() option nativeTransport): node connects
// the TCP socket (lookup, errors, local address as net.connect does them), then
// C++ takes the socket over and the handshake and every encrypted byte stay out
// of JS. Checked against node:tls and openssl s_server: what the user sees is the
// JS transport's and node:tls's.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, readAll, waitFor } from './helpers/net';
import { certArgs, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const forced = process.env.OPENSSL_TLS_TRANSPORT;
// Under OPENSSL_TLS_TRANSPORT=js (npm test's second run) every client is on the JS transport.
const describeNative = forced === 'js' ? describe.skip : describe;

function client(port: number, options: tls.ConnectionOptions = {}): tls.TLSSocket {
  return tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem'), ...options });
}

describe('client transport choice', () => {
  it('nativeTransport must be a boolean, whatever OPENSSL_TLS_TRANSPORT forces', () => {
    assert.throws(() => tls.connect({ port: 1, nativeTransport: 'yes' as never }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /options\.nativeTransport/,
    });
  });
});

describeNative('native client transport', () => {
  usePeerCleanup();
  let server: nodeTls.Server;
  let port: number;

  before(async () => {
    // Echoes, and ends when the client does.
    server = nodeTls.createServer({ ...rsa, allowHalfOpen: true }, (s) => s.pipe(s));
    port = await listen(server);
  });
  after(() => close(server));

  it('takes the socket over once connected: 4 MiB echo with node:tls, byte for byte', async () => {
    const c = client(port);
    const events: string[] = [];
    c.on('connect', () => events.push(`connect native=${c._native}`));
    await waitFor(c, 'secureConnect');
    events.push(`secureConnect native=${c._native}`);
    assert.deepEqual(events, ['connect native=true', 'secureConnect native=true']);
    assert.equal(c._transport, null);
    assert.equal(c.authorized, true);
    const payload = crypto.randomBytes(4 * 1024 * 1024);
    const got = readAll(c);
    c.end(payload);
    assert.ok((await got).equals(payload));
    assert.ok(c.bytesWritten > payload.length, 'bytesWritten counts the encrypted bytes');
  });

  it('answers the socket API from the native socket', async () => {
    const c = client(port, { noDelay: true, keepAlive: true });
    await waitFor(c, 'secureConnect');
    try {
      assert.equal(c.remoteAddress, '127.0.0.1');
      assert.equal(c.remotePort, port);
      assert.equal(c.remoteFamily, 'IPv4');
      assert.equal(c.localAddress, '127.0.0.1');
      assert.deepEqual(c.address(), { address: '127.0.0.1', family: 'IPv4', port: c.localPort });
      assert.equal(c.connecting, false);
      assert.equal(c.setNoDelay(false), c);
      assert.equal(c.setKeepAlive(false), c);
    } finally {
      c.destroy();
    }
  });

  it("emits 'lookup' for a host name, as node:tls's socket does", async () => {
    const ours = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem'), family: 4 });
    // net.connect's family option (node:tls's typings leave it out of ConnectionOptions).
    const theirs = nodeTls.connect({
      port,
      host: 'localhost',
      ca: fixture('ca.pem'),
      family: 4,
    } as nodeTls.ConnectionOptions);
    // Every wait is set up at once: a slow run (ASan) may finish one side's handshake
    // before the other side's lookup.
    const secure = Promise.all([waitFor(ours, 'secureConnect', 20_000), waitFor(theirs, 'secureConnect', 20_000)]);
    const [a, b] = await Promise.all([waitFor(ours, 'lookup', 20_000), waitFor(theirs, 'lookup', 20_000)]);
    assert.deepEqual(a, b);
    await secure;
    assert.equal(ours._native, true);
    ours.destroy();
    theirs.destroy();
  });

  it('stays on the JS transport when asked, or when given a socket', async () => {
    const off = client(port, { nativeTransport: false });
    const raw = net.connect(port, '127.0.0.1');
    const given = client(port, { socket: raw });
    for (const c of [off, given]) {
      await waitFor(c, 'secureConnect');
      assert.equal(c._native, forced === 'native' && c === off);
      c.destroy();
    }
  });

  it('a Unix domain socket (path): native too, with the addresses a node:tls client reports', async () => {
    const sock = path.join(os.tmpdir(), `otls-native-client-${process.pid}.sock`);
    const piped = nodeTls.createServer(rsa, (s) => s.end('over a pipe'));
    piped.listen(sock);
    await waitFor(piped, 'listening');
    try {
      const ours = tls.connect({ path: sock, servername: 'localhost', ca: fixture('ca.pem') });
      const theirs = nodeTls.connect({ path: sock, servername: 'localhost', ca: fixture('ca.pem') });
      const [a, b] = await Promise.all([readAll(ours), readAll(theirs)]);
      assert.equal(a.toString(), 'over a pipe');
      assert.equal(b.toString(), 'over a pipe');
      assert.equal(ours._native, true);
      assert.equal(ours.authorized, true);
      for (const key of ['remoteAddress', 'remotePort', 'remoteFamily'] as const)
        assert.equal(ours[key], theirs[key], key);
      assert.deepEqual(ours.address(), theirs.address());
      assert.equal(ours.setNoDelay(true), ours);
    } finally {
      await new Promise((resolve) => piped.close(resolve));
    }
  });

  it('ECONNREFUSED: the same error as a node:tls client, and no socket is taken over', async () => {
    const probe = net.createServer();
    const closed = await listen(probe);
    await close(probe);
    const ours = client(closed);
    const theirs = nodeTls.connect({ port: closed, host: '127.0.0.1' });
    const firstError = (s: net.Socket) => new Promise<NodeJS.ErrnoException>((resolve) => s.once('error', resolve));
    const [a, b] = await Promise.all([firstError(ours), firstError(theirs)]);
    assert.equal(a?.code, 'ECONNREFUSED');
    assert.deepEqual(
      { code: a.code, syscall: a.syscall, message: a.message, address: (a as { address?: string }).address },
      { code: b.code, syscall: b.syscall, message: b.message, address: (b as { address?: string }).address },
    );
    assert.equal(ours._native, false);
  });

  it("a server that drops the connection mid-handshake: the JS transport's error", async () => {
    const rude = net.createServer((s) => s.once('data', () => s.destroy()));
    const rudePort = await listen(rude);
    try {
      const c = client(rudePort);
      const [err] = (await waitFor(c, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'ECONNRESET');
      assert.match(
        err.message,
        /Client network socket disconnected before secure TLS connection was established|read ECONNRESET/,
      );
      assert.equal(c._native, true);
    } finally {
      await close(rude);
    }
  });

  it('a server the client rejects sees what a node:tls client makes it see (TLS 1.3: no Finished)', async () => {
    const seen: string[] = [];
    const strict = nodeTls.createServer(rsa, () => seen.push('secureConnection'));
    strict.on('tlsClientError', (e: NodeJS.ErrnoException) => seen.push(`tlsClientError ${e.code}`));
    const strictPort = await listen(strict);
    const rejected = async (c: net.Socket): Promise<string[]> => {
      const [err] = (await waitFor(c, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      await new Promise((r) => setTimeout(r, 100));
      return seen.splice(0);
    };
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const options = {
          host: '127.0.0.1',
          port: strictPort,
          servername: 'localhost',
          ca: fixture('selfsigned.pem'),
          maxVersion: version,
        };
        const ours = await rejected(tls.connect(options));
        const theirs = await rejected(nodeTls.connect(options));
        assert.deepEqual(ours, theirs, version);
        if (version === 'TLSv1.3') assert.deepEqual(ours, ['tlsClientError ECONNRESET']);
      }
    } finally {
      await close(strict);
    }
  });

  it('openssl s_server -rev: TLS 1.2 and 1.3, bytes both ways, its close_notify ends the stream', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const peer = await startOpenSSLServer([
        ...certArgs('server-rsa'),
        version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3',
        '-rev',
      ]);
      try {
        const c = client(peer.port, { minVersion: version, maxVersion: version });
        await waitFor(c, 'secureConnect');
        assert.equal(c._native, true);
        assert.equal(c.getProtocol(), version);
        const got = readAll(c);
        c.write('hello\n');
        await waitFor(c, 'data');
        c.write('CLOSE\n');
        assert.match((await got).toString(), /^olleh\n/);
      } finally {
        await peer.stop();
      }
    }
  });

  it('unref() before the connection is made still lets the process exit once it is native', async function () {
    this.timeout(15_000);
    const silent = nodeTls.createServer(rsa, () => {});
    const silentPort = await listen(silent);
    try {
      const script = `
        const tls = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'index.js'))});
        const c = tls.connect({ port: ${silentPort}, host: '127.0.0.1', ca: ${JSON.stringify(fixture('ca.pem').toString())}, servername: 'localhost' });
        c.unref();
        // Held alive until the handshake is done; then only the unref'd socket is left.
        const hold = setTimeout(() => {}, 60000);
        c.on('secureConnect', () => {
          console.log('native=' + c._native);
          clearTimeout(hold);
        });
      `;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const started = Date.now();
      const [code] = (await waitFor(child, 'exit', 10_000)) as [number];
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 8_000);
      assert.equal(out.trim(), 'native=true');
    } finally {
      await close(silent);
    }
  });
});
