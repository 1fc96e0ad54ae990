// The peer helpers proven against each other (node:tls <-> openssl CLI), before
// integration tests rely on them.
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import type * as tls from 'node:tls';
import { fixture, fixturePath } from './helpers/fixtures';
import {
  certArgs,
  collect,
  livePeers,
  nodeTlsConnect,
  once,
  runOpenSSLClient,
  startNodeTlsServer,
  startOpenSSLServer,
  stopAllPeers,
  usePeerCleanup,
} from './helpers/peers';

const serverOptions = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const caArgs = ['-CAfile', fixturePath('ca.pem'), '-verify_return_error'];

function echo(socket: tls.TLSSocket): void {
  socket.pipe(socket);
}

describe('test peers', () => {
  usePeerCleanup();

  describe('once() and collect()', () => {
    it('once resolves with the event arguments', async () => {
      const emitter = new EventEmitter();
      setImmediate(() => emitter.emit('thing', 1, 'two'));
      assert.deepEqual(await once(emitter, 'thing', 1000), [1, 'two']);
      assert.equal(emitter.listenerCount('thing') + emitter.listenerCount('error'), 0);
    });

    it('once rejects on timeout with ERR_TEST_TIMEOUT and removes its listeners', async () => {
      const emitter = new EventEmitter();
      await assert.rejects(once(emitter, 'never', 50), { code: 'ERR_TEST_TIMEOUT' });
      assert.equal(emitter.listenerCount('never') + emitter.listenerCount('error'), 0);
    });

    it("once rejects with the emitter's error", async () => {
      const emitter = new EventEmitter();
      const boom = new Error('boom');
      setImmediate(() => emitter.emit('error', boom));
      await assert.rejects(once(emitter, 'thing', 1000), (error) => error === boom);
    });

    it('collect reads to the end, and rejects on timeout', async () => {
      const stream = new PassThrough();
      setImmediate(() => stream.end(Buffer.from([0, 1, 2, 255])));
      assert.deepEqual(await collect(stream, 1000), Buffer.from([0, 1, 2, 255]));
      await assert.rejects(collect(new PassThrough(), 50), { code: 'ERR_TEST_TIMEOUT' });
    });

    it('collect rejects when the stream closes without ending', async () => {
      const stream = new PassThrough();
      setImmediate(() => stream.destroy());
      await assert.rejects(collect(stream, 1000), /closed before 'end'/);
    });
  });

  describe('openssl s_server <-> node:tls client', () => {
    it('exchanges bytes both ways (default mode: stdin to the client, client data to stdout)', async () => {
      const server = await startOpenSSLServer(certArgs('server-rsa'));
      assert.ok(server.port > 0);
      const client = await nodeTlsConnect({ port: server.port, ca: fixture('ca.pem'), servername: 'localhost' });
      assert.equal(client.authorized, true);
      client.write('ping from node\n');
      await server.waitForOutput('ping from node\n');
      const reply = once<[Buffer]>(client, 'data');
      server.write('pong from openssl\n');
      assert.equal((await reply)[0].toString(), 'pong from openssl\n');
    });

    it('echoes through -rev until CLOSE, and collect() gets every byte', async () => {
      const server = await startOpenSSLServer([...certArgs('server-ec'), '-rev']);
      const client = await nodeTlsConnect({ port: server.port, ca: fixture('ca.pem'), servername: 'localhost' });
      const all = collect(client);
      client.write('hello\n');
      await once(client, 'data');
      client.write('CLOSE\n');
      assert.match((await all).toString(), /^olleh\n/);
    });

    it('negotiates what openssl is told to (-tls1_2)', async () => {
      const server = await startOpenSSLServer([...certArgs('server-rsa'), '-tls1_2']);
      const client = await nodeTlsConnect({ port: server.port, ca: fixture('ca.pem'), servername: 'localhost' });
      assert.equal(client.getProtocol(), 'TLSv1.2');
    });

    it('nodeTlsConnect rejects with the verification error and destroys the socket', async () => {
      const server = await startOpenSSLServer(certArgs('selfsigned'));
      await assert.rejects(nodeTlsConnect({ port: server.port, servername: 'localhost' }), {
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      });
    });

    it('startOpenSSLServer rejects with the output when openssl fails, and leaves no process', async () => {
      await assert.rejects(startOpenSSLServer(['-cert', '/nonexistent.pem']), /exited .* before printing/);
      assert.equal(livePeers(), 0);
    });

    it('startOpenSSLServer rejects on timeout', async () => {
      // 1 ms is less than openssl needs to start.
      await assert.rejects(startOpenSSLServer(certArgs('server-rsa'), { timeoutMs: 1 }), { code: 'ERR_TEST_TIMEOUT' });
      assert.equal(livePeers(), 0);
    });
  });

  describe('node:tls server <-> openssl s_client', () => {
    it('echoes text: -quiet -no_ign_eof with waitFor returns exactly the reply', async () => {
      const server = await startNodeTlsServer(serverOptions, echo);
      const result = await runOpenSSLClient(
        server.port,
        ['-quiet', '-no_ign_eof', ...caArgs, '-servername', 'localhost'],
        'hello over TLS\n',
        { waitFor: 'hello over TLS\n' },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'hello over TLS\n');
    });

    it('echoes every byte value', async () => {
      const server = await startNodeTlsServer(serverOptions, echo);
      const bytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
      const result = await runOpenSSLClient(server.port, ['-quiet', '-no_ign_eof', ...caArgs], bytes, {
        waitFor: bytes.subarray(-16).toString('latin1'),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(Buffer.from(result.stdout, 'latin1'), bytes);
    });

    it('without waitFor, the end of stdin closes the connection and the server sees the data', async () => {
      let received: Promise<Buffer> | undefined;
      const server = await startNodeTlsServer(serverOptions, (socket) => {
        received = collect(socket);
      });
      const result = await runOpenSSLClient(server.port, ['-quiet', '-no_ign_eof'], 'one way\n');
      assert.equal(result.code, 0, result.stderr);
      assert.ok(received, 'the server saw a connection');
      assert.equal((await received).toString(), 'one way\n');
    });

    it('sends a client certificate the server verifies', async () => {
      let authorized: boolean | undefined;
      const server = await startNodeTlsServer(
        { ...serverOptions, ca: fixture('ca.pem'), requestCert: true, rejectUnauthorized: true },
        (socket) => {
          authorized = socket.authorized;
          echo(socket);
        },
      );
      const result = await runOpenSSLClient(
        server.port,
        ['-quiet', '-no_ign_eof', ...caArgs, ...certArgs('client'), '-tls1_2'],
        'with cert\n',
        { waitFor: 'with cert\n' },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(authorized, true);
    });

    it('a failed handshake: s_client exits non-zero and the server records the error', async () => {
      const server = await startNodeTlsServer({ ...serverOptions, minVersion: 'TLSv1.3' }, echo);
      const result = await runOpenSSLClient(server.port, ['-tls1_2'], '');
      assert.notEqual(result.code, 0);
      if (server.clientErrors.length === 0) await once(server.server, 'tlsClientError');
      assert.equal(server.clientErrors.length, 1);
      assert.equal((server.clientErrors[0] as Error & { code?: string }).code, 'ERR_SSL_UNSUPPORTED_PROTOCOL');
    });

    it('runOpenSSLClient rejects on timeout and kills the client', async () => {
      // A TCP server that never answers the ClientHello.
      const silent = net.createServer(() => {});
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const held: net.Socket[] = [];
      silent.on('connection', (socket) => held.push(socket));
      try {
        const port = (silent.address() as net.AddressInfo).port;
        await assert.rejects(runOpenSSLClient(port, [], '', { timeoutMs: 300 }), { code: 'ERR_TEST_TIMEOUT' });
        await stopAllPeers();
        assert.equal(livePeers(), 0);
      } finally {
        for (const socket of held) socket.destroy();
        silent.close();
      }
    });
  });

  describe('cleanup', () => {
    it('stopAllPeers stops servers, sockets and processes', async () => {
      const openssl = await startOpenSSLServer(certArgs('server-rsa'));
      const node = await startNodeTlsServer(serverOptions, echo);
      const client = await nodeTlsConnect({ port: node.port, ca: fixture('ca.pem'), servername: 'localhost' });
      assert.equal(livePeers(), 3);
      await stopAllPeers();
      assert.equal(livePeers(), 0);
      assert.ok(openssl.proc.exitCode !== null || openssl.proc.signalCode !== null);
      assert.equal(node.server.listening, false);
      assert.equal(client.destroyed, true);
    });
  });
});
