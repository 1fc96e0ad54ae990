// Strings written to a TLSSocket: the addon encodes latin1 and UTF-8 strings
// itself (lib/socket/cleartext_chunks.ts); other encodings, and a second encoding
// in one corked batch, become Buffers in JS. The same writes go through node:tls
// and through ours, and a node:tls peer must read the same bytes from both.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import { binding } from '../lib/internal/binding';
import * as ours from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, readAll } from './helpers/net';

type Tls = typeof nodeTls;
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const big = 'x'.repeat(20_000);
const bigUtf8 = 'é€'.repeat(30_000);

/** Every write of the script, as (chunk, encoding) in order; `cork` groups go out as one writev. */
function script(s: nodeTls.TLSSocket): void {
  s.write('plain ascii|');
  s.write('ünïcödé 😀 \ud800 lone surrogate|', 'utf8');
  s.write('latin1 ÿ \u0100 truncated|', 'latin1');
  s.write('binary ÿ|', 'binary');
  s.write('deadbeef', 'hex');
  s.write('aGVsbG8=', 'base64');
  s.write('ucs2 ü|', 'ucs2');
  s.write('', 'utf8');
  s.write('ascii ü|', 'ascii');
  s.cork();
  s.write('headers ÿ\r\n', 'latin1');
  s.write(Buffer.from('a buffer|'));
  s.write('then utf8 €|', 'utf8');
  s.write('', 'latin1');
  s.write('cafe', 'hex');
  s.write('more latin1 ÿ|', 'latin1');
  s.uncork();
  s.cork();
  s.write(big, 'latin1');
  s.write(bigUtf8);
  s.uncork();
  s.cork();
  s.write('utf8 first ✓|');
  s.write('latin1 second ÿ|', 'latin1');
  s.uncork();
  s.end('fin ✓');
}

/** The same bytes, made with Buffer.from. */
function expected(): Buffer {
  const parts: Array<[string, BufferEncoding]> = [
    ['plain ascii|', 'utf8'],
    ['ünïcödé 😀 \ud800 lone surrogate|', 'utf8'],
    ['latin1 ÿ \u0100 truncated|', 'latin1'],
    ['binary ÿ|', 'latin1'],
    ['deadbeef', 'hex'],
    ['aGVsbG8=', 'base64'],
    ['ucs2 ü|', 'ucs2'],
    ['ascii ü|', 'ascii'],
    ['headers ÿ\r\n', 'latin1'],
    ['a buffer|', 'utf8'],
    ['then utf8 €|', 'utf8'],
    ['cafe', 'hex'],
    ['more latin1 ÿ|', 'latin1'],
    [big, 'latin1'],
    [bigUtf8, 'utf8'],
    ['utf8 first ✓|', 'utf8'],
    ['latin1 second ÿ|', 'latin1'],
    ['fin ✓', 'utf8'],
  ];
  return Buffer.concat(parts.map(([s, e]) => Buffer.from(s, e)));
}

/** What a node:tls client reads from a server of `tls` that runs the script. */
async function fromServer(tls: Tls): Promise<Buffer> {
  const server = tls.createServer(ec, script);
  const port = await listen(server);
  try {
    const c = nodeTls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
    return await readAll(c);
  } finally {
    await close(server);
  }
}

/** What a node:tls server reads from a client of `tls` that runs the script (from before its handshake). */
async function fromClient(tls: Tls): Promise<Buffer> {
  let got: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  const server = nodeTls.createServer(ec, (s) => {
    got = readAll(s);
  });
  const port = await listen(server);
  try {
    const c = tls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
    script(c);
    await new Promise<void>((resolve, reject) => {
      c.once('close', () => resolve());
      c.once('error', reject);
    });
    return await got;
  } finally {
    await close(server);
  }
}

describe('strings written to a socket', () => {
  const want = expected();

  it('a node:tls client reads the same bytes from our server as from node:tls', async () => {
    const [mine, theirs] = [await fromServer(ours as unknown as Tls), await fromServer(nodeTls)];
    assert.equal(theirs.length, want.length);
    assert.ok(theirs.equals(want), 'node:tls sends what Buffer.from makes');
    assert.equal(mine.length, want.length);
    assert.ok(mine.equals(want), 'ours sends the same bytes');
  });

  it('a node:tls server reads the same bytes from our client as from node:tls', async () => {
    const [mine, theirs] = [await fromClient(ours as unknown as Tls), await fromClient(nodeTls)];
    assert.ok(theirs.equals(want), 'node:tls sends what Buffer.from makes');
    assert.equal(mine.length, want.length);
    assert.ok(mine.equals(want), 'ours sends the same bytes');
  });

  it('a corked batch of 200,000 chunks (more than one call can take as arguments) arrives whole', async () => {
    const n = 200_000;
    const want = Buffer.alloc(n);
    for (let i = 0; i < n; i++) want[i] = 0x41 + (i % 26);
    const batch = (s: nodeTls.TLSSocket) => {
      s.cork();
      for (let i = 0; i < n; i++) {
        if (i % 2 === 0) s.write(want.subarray(i, i + 1));
        else s.write(String.fromCharCode(want[i] ?? 0), 'latin1');
      }
      s.uncork();
      s.end();
    };
    for (const tls of [ours as unknown as Tls, nodeTls]) {
      const server = tls.createServer(ec, batch);
      const port = await listen(server);
      try {
        const c = nodeTls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem'), servername: 'localhost' });
        const got = await readAll(c);
        assert.equal(got.length, n);
        assert.ok(got.equals(want));
      } finally {
        await close(server);
      }
    }
  });

  it('the addon refuses a chunk that is neither a Buffer nor a string, before writing any', () => {
    const conn = new binding.Connection(ours.createSecureContext(ec).context, { isServer: true });
    try {
      assert.throws(() => conn.write(false, Buffer.from('a'), 42 as unknown as string), {
        code: 'ERR_INVALID_ARG_TYPE',
        message: 'Each chunk must be of type Buffer or string',
      });
      assert.throws(() => conn.write('yes' as unknown as boolean), { code: 'ERR_INVALID_ARG_TYPE' });
    } finally {
      conn.destroy();
    }
  });
});
