// The legacy API from the seeds: createSecurePair() / SecurePair with its
// cleartext (a TLSSocket) and encrypted streams and the 'secure' event; two
// pairs piped into each other; a pair over a net.Socket talking to node:tls
// (both roles); bytesWritten with TLS overhead; errors where the old API put them.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { once, usePeerCleanup } from './helpers/peers';

const serverContext = (): tls.SecureContext =>
  tls.createSecureContext({
    key: fixture('server-rsa-key.pem'),
    cert: fixture('server-rsa.pem'),
    ca: fixture('ca.pem'),
  });
const clientContext = (): tls.SecureContext => tls.createSecureContext({ ca: fixture('ca.pem') });

/** Pipes the encrypted sides of two pairs into each other. */
function connectPairs(a: tls.SecurePair, b: tls.SecurePair): void {
  a.encrypted.pipe(b.encrypted);
  b.encrypted.pipe(a.encrypted);
}

function read(stream: NodeJS.ReadableStream, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      n += d.length;
      if (n >= bytes) {
        stream.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
  });
}

describe('createSecurePair (legacy API)', () => {
  usePeerCleanup();

  it('is exported, and cleartext is a TLSSocket', () => {
    const pair = tls.createSecurePair(clientContext(), false);
    assert.ok(pair instanceof tls.SecurePair);
    assert.ok(pair.cleartext instanceof tls.TLSSocket);
    assert.equal(pair.cleartext.encrypted, true);
    assert.equal(typeof pair.encrypted.pipe, 'function');
    pair.destroy();
  });

  it('two pairs piped into each other: secure on both, cleartext like a TLSSocket, data both ways', async () => {
    const server = tls.createSecurePair(serverContext(), true);
    const client = tls.createSecurePair(clientContext(), false, false, false, { servername: 'localhost' });
    const secure = Promise.all([once(server, 'secure'), once(client, 'secure')]);
    connectPairs(client, server);
    await secure;
    assert.equal(client.cleartext.authorized, true);
    assert.equal(client.cleartext.authorizationError, null);
    assert.equal(client.cleartext.getPeerCertificate().subject?.CN, 'localhost');
    assert.equal(client.cleartext.getProtocol(), 'TLSv1.3');
    assert.equal(server.cleartext.getProtocol(), 'TLSv1.3');
    assert.equal(server.cleartext.authorized, false);

    client.cleartext.write('hello server');
    assert.equal((await read(server.cleartext, 12)).toString(), 'hello server');
    server.cleartext.write('hello client');
    assert.equal((await read(client.cleartext, 12)).toString(), 'hello client');

    // Ending one side ends the other (close_notify through both pairs).
    const ended = new Promise((r) => server.cleartext.once('end', r));
    const closed = Promise.all([
      new Promise((r) => client.cleartext.once('close', r)),
      new Promise((r) => server.cleartext.once('close', r)),
    ]);
    server.cleartext.resume();
    client.cleartext.end();
    await ended;
    await closed;
  });

  it('bytesWritten on encrypted and cleartext counts encrypted bytes, TLS overhead included', async () => {
    const server = tls.createSecurePair(serverContext(), true);
    const client = tls.createSecurePair(clientContext(), false, false, false, { servername: 'localhost' });
    let wire = 0;
    client.encrypted.on('data', (d: Buffer) => (wire += d.length));
    connectPairs(client, server);
    await once(client, 'secure');
    const afterHandshake = client.encrypted.bytesWritten;
    assert.ok(afterHandshake > 0);
    const payload = randomBytes(10_000);
    client.cleartext.write(payload);
    await read(server.cleartext, payload.length);
    const used = client.encrypted.bytesWritten - afterHandshake;
    assert.ok(used > payload.length, `${used} bytes on the wire for ${payload.length} of data`);
    assert.ok(used < payload.length + 200);
    assert.equal(client.cleartext.bytesWritten, client.encrypted.bytesWritten);
    assert.equal(client.encrypted.bytesWritten, wire);
    client.destroy();
    server.destroy();
  });

  it('carries megabytes both ways with backpressure intact', async () => {
    const server = tls.createSecurePair(serverContext(), true);
    const client = tls.createSecurePair(clientContext(), false);
    connectPairs(client, server);
    await once(client, 'secure');
    const up = randomBytes(3_000_000);
    const down = randomBytes(2_000_000);
    const gotUp = read(server.cleartext, up.length);
    const gotDown = read(client.cleartext, down.length);
    const writeAll = async (s: tls.TLSSocket, data: Buffer): Promise<void> => {
      for (let i = 0; i < data.length; i += 65_536) {
        if (!s.write(data.subarray(i, i + 65_536))) await once(s, 'drain');
      }
    };
    await Promise.all([writeAll(client.cleartext, up), writeAll(server.cleartext, down)]);
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.equal(digest(await gotUp), digest(up));
    assert.equal(digest(await gotDown), digest(down));
    client.destroy();
    server.destroy();
  });

  it('a client pair over a net.Socket talks to node:tls; bytesWritten is what the socket sent', async () => {
    const server = nodeTls.createServer(
      { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') },
      (s) => {
        s.on('data', (d: Buffer) => s.end(`echo:${d.toString()}`));
        s.on('error', () => {});
      },
    );
    const port = await listen(server);
    try {
      const socket = net.connect(port, '127.0.0.1');
      const pair = tls.createSecurePair(clientContext(), false, false, false, { servername: 'localhost' });
      socket.pipe(pair.encrypted);
      pair.encrypted.pipe(socket);
      await once(pair, 'secure');
      assert.equal(pair.cleartext.authorized, true);
      pair.cleartext.write('ping');
      let got = '';
      pair.cleartext.on('data', (d: Buffer) => (got += d.toString()));
      await new Promise((r) => pair.cleartext.once('close', r));
      assert.equal(got, 'echo:ping');
      await new Promise((r) => (socket.destroyed ? r(null) : socket.once('close', r)));
      assert.equal(pair.encrypted.bytesWritten, socket.bytesWritten);
    } finally {
      await close(server);
    }
  });

  it('a server pair over a net.Socket serves a node:tls client, asking for its certificate', async () => {
    const pairs: tls.SecurePair[] = [];
    const server = net.createServer((socket) => {
      const pair = tls.createSecurePair(serverContext(), true, true, true);
      pairs.push(pair);
      socket.pipe(pair.encrypted);
      pair.encrypted.pipe(socket);
      pair.on('secure', () => {
        pair.cleartext.end(
          `hello ${String(pair.cleartext.getPeerCertificate().subject?.CN)} ${pair.cleartext.authorized}`,
        );
      });
      pair.on('error', () => {});
      socket.on('error', () => {});
    });
    const port = await listen(server);
    try {
      const c = nodeTls.connect({
        port,
        host: '127.0.0.1',
        ca: fixture('ca.pem'),
        servername: 'localhost',
        key: fixture('client-key.pem'),
        cert: fixture('client.pem'),
      });
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      await new Promise((r) => c.once('close', r));
      assert.equal(got, 'hello test client true');
      assert.equal(pairs.length, 1);
    } finally {
      await close(server);
    }
  });

  it('a failed handshake: the error goes to the pair when it listens (the old API), else to cleartext', async () => {
    // Versions that cannot meet.
    const strictServer = (): tls.SecureContext =>
      tls.createSecureContext({
        key: fixture('server-rsa-key.pem'),
        cert: fixture('server-rsa.pem'),
        minVersion: 'TLSv1.3',
      });
    const oldClient = (): tls.SecureContext => tls.createSecureContext({ maxVersion: 'TLSv1.2' });

    const server = tls.createSecurePair(strictServer(), true);
    const client = tls.createSecurePair(oldClient(), false);
    const pairErrors = Promise.all([
      once<[NodeJS.ErrnoException]>(server, 'error'),
      once<[NodeJS.ErrnoException]>(client, 'error'),
    ]);
    connectPairs(client, server);
    const [[serverError], [clientError]] = await pairErrors;
    assert.match(serverError.code ?? '', /^ERR_SSL_/);
    assert.match(clientError.code ?? '', /^ERR_SSL_/);

    const server2 = tls.createSecurePair(strictServer(), true);
    const client2 = tls.createSecurePair(oldClient(), false);
    let pairHeard = false;
    const cleartextErrors = Promise.all([
      once<[Error]>(server2.cleartext, 'error'),
      once<[Error]>(client2.cleartext, 'error'),
    ]);
    server2.on('secure', () => (pairHeard = true));
    connectPairs(client2, server2);
    const [[e1], [e2]] = await cleartextErrors;
    assert.ok(e1 instanceof Error && e2 instanceof Error);
    assert.equal(pairHeard, false);
  });

  it('a server pair with requestCert and rejectUnauthorized refuses a client without a certificate', async () => {
    const server = tls.createSecurePair(serverContext(), true, true, true);
    const client = tls.createSecurePair(clientContext(), false);
    let secure = false;
    server.on('secure', () => (secure = true));
    server.on('error', () => {});
    client.on('error', () => {});
    connectPairs(client, server);
    await new Promise((r) => server.cleartext.once('close', r));
    assert.equal(secure, false);
  });

  it('without rejectUnauthorized (the old default) a server pair accepts and reports an unauthorized client', async () => {
    const server = tls.createSecurePair(serverContext(), true, true);
    const client = tls.createSecurePair(clientContext(), false);
    connectPairs(client, server);
    await once(server, 'secure');
    assert.equal(server.cleartext.authorized, false);
    assert.equal(server.cleartext.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT');
    client.destroy();
    server.destroy();
  });

  it('a client pair never rejects: it reports why the server is not authorized', async () => {
    const server = tls.createSecurePair(serverContext(), true);
    const client = tls.createSecurePair(tls.createSecureContext({}), false, false, true);
    connectPairs(client, server);
    await once(client, 'secure');
    assert.equal(client.cleartext.authorized, false);
    // The test CA is not in the default store: whatever OpenSSL calls that, it is reported.
    assert.match(String(client.cleartext.authorizationError), /^[A-Z_]+$/);
    assert.equal(client.cleartext.destroyed, false);
    client.destroy();
    server.destroy();
  });

  it('makes its own context when given none; refuses anything but a SecureContext, like node:tls', async () => {
    const server = tls.createSecurePair(serverContext(), true);
    const client = tls.createSecurePair();
    assert.ok(client.credentials instanceof tls.SecureContext);
    connectPairs(client, server);
    await Promise.all([once(server, 'secure'), once(client, 'secure')]);
    client.destroy();
    server.destroy();
    for (const bad of [5, {}, { key: fixture('server-rsa-key.pem') }, tls.createSecureContext({}).context]) {
      let ours: NodeJS.ErrnoException | undefined;
      let theirs: NodeJS.ErrnoException | undefined;
      try {
        tls.createSecurePair(bad as unknown as tls.SecureContext);
      } catch (e) {
        ours = e as NodeJS.ErrnoException;
      }
      try {
        // node:tls still has it (deprecated, DEP0064).
        nodeTls.createSecurePair(bad as unknown as nodeTls.SecureContext);
      } catch (e) {
        theirs = e as NodeJS.ErrnoException;
      }
      assert.equal(ours?.code, 'ERR_TLS_INVALID_CONTEXT');
      assert.equal(ours?.message, theirs?.message);
    }
  });
});
