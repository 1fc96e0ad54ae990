// Reads: on the native transport each record is decrypted straight into the Buffer
// JS gets (its size taken from the record's header), on the JS transport copied out
// of a shared buffer. Either way each Buffer must stay the user's alone (a later read
// never writes into one handed out), hold exactly one record's cleartext, and the
// bytes must be the peer's, whatever the cipher, padding or messages between records
// (TLS 1.3 tickets before the first record: dropin-socket.test.ts, "each record is its
// own chunk"). Checked with node:tls and openssl s_client on the other end, over
// whichever server transport this run uses.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const TOTAL = 8 * 1024 * 1024;

/** TOTAL bytes of a repeatable pattern that differs in every 64 KiB. */
function payload(): Buffer {
  const b = Buffer.allocUnsafe(TOTAL);
  for (let i = 0; i < TOTAL; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** Our server's chunks of what a client sends, until the client ends. */
function collectingServer(options: nodeTls.TlsOptions): { server: tls.Server; chunks: Promise<Buffer[]> } {
  let done: (chunks: Buffer[]) => void = () => {};
  const chunks = new Promise<Buffer[]>((resolve) => (done = resolve));
  const server = tls.createServer(options, (socket) => {
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('end', () => {
      socket.end();
      done(got);
    });
  });
  return { server, chunks };
}

describe('large reads', () => {
  usePeerCleanup();

  for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA']) {
    it(`TLS 1.2 ${cipher}: 1 MiB from node:tls arrives intact, one record per chunk`, async () => {
      const data = payload().subarray(0, 1024 * 1024);
      const { server, chunks } = collectingServer(ec);
      const port = await listen(server);
      try {
        const client = nodeTls.connect({
          port,
          host: '127.0.0.1',
          ca: fixture('ca.pem'),
          servername: 'localhost',
          maxVersion: 'TLSv1.2',
          ciphers: cipher,
        });
        await waitFor(client, 'secureConnect');
        assert.equal(client.getCipher().name, cipher);
        // Writes of every size from 1 byte to 40 KiB: records of many sizes.
        for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 13) % (40 * 1024)) {
          client.write(data.subarray(i, i + n));
        }
        client.end();
        client.resume();
        const got = await chunks;
        assert.equal(sha256(Buffer.concat(got)), sha256(data));
        assert.ok(
          got.every((c) => c.length > 0 && c.length <= 16 * 1024),
          'a chunk is empty or more than a record',
        );
      } finally {
        await close(server);
      }
    });
  }

  it('TLS 1.3 records padded by openssl s_client arrive as their cleartext only', async () => {
    const { server, chunks } = collectingServer(ec);
    const port = await listen(server);
    try {
      const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i * 37)}\n`).join('');
      const r = await runOpenSSLClient(
        port,
        ['-tls1_3', '-quiet', '-no_ign_eof', '-record_padding', '1024', '-CAfile', fixturePath('ca.pem')],
        lines,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(Buffer.concat(await chunks).toString(), lines);
    } finally {
      await close(server);
    }
  });

  it('8 MiB from node:tls arrives intact in chunks kept until the end, some of them over 16 KiB', async () => {
    const data = payload();
    const chunks: Buffer[] = [];
    const server = tls.createServer(ec, (socket) => {
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => socket.end());
    });
    const port = await listen(server);
    try {
      const client = nodeTls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
      await waitFor(client, 'secureConnect');
      // Big writes, so the server's reads bring many records at once.
      for (let i = 0; i < TOTAL; i += 256 * 1024) client.write(data.subarray(i, i + 256 * 1024));
      client.end();
      client.resume();
      await waitFor(client, 'close', 20000);
      const got = Buffer.concat(chunks);
      assert.equal(got.length, TOTAL);
      assert.equal(
        crypto.createHash('sha256').update(got).digest('hex'),
        crypto.createHash('sha256').update(data).digest('hex'),
      );
      assert.ok(
        chunks.some((c) => c.length >= 16 * 1024),
        `no read of 16 KiB or more (largest ${Math.max(...chunks.map((c) => c.length))})`,
      );
    } finally {
      await close(server);
    }
  });

  it('our client reads 8 MiB from a node:tls server intact, every chunk kept', async () => {
    const data = payload();
    const server = nodeTls.createServer(ec, (socket) => socket.end(data));
    const port = await listen(server);
    try {
      const chunks: Buffer[] = [];
      const client = tls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
      client.on('data', (d: Buffer) => chunks.push(d));
      await waitFor(client, 'end', 20000);
      const got = Buffer.concat(chunks);
      assert.equal(got.length, TOTAL);
      assert.ok(got.equals(data), 'the bytes read differ from the bytes sent');
      client.destroy();
    } finally {
      await close(server);
    }
  });
});
