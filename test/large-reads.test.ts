// Large reads: cleartext of 16 KiB and more reaches JS in the buffer it was
// decrypted into, with no copy. Each such Buffer must stay the user's alone: a later
// read must never write into one already handed out. Checked with node:tls on the
// other end, over whichever server transport this run uses.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const TOTAL = 8 * 1024 * 1024;

/** TOTAL bytes of a repeatable pattern that differs in every 64 KiB. */
function payload(): Buffer {
  const b = Buffer.allocUnsafe(TOTAL);
  for (let i = 0; i < TOTAL; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

describe('large reads', () => {
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
