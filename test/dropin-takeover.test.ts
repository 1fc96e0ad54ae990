// A TLS socket made over a connected net.Socket (STARTTLS) or over another TLS
// socket (a tunnel) takes that socket's reads over, as node:tls's does: the
// socket underneath emits no more 'data' or 'end', what it held already goes to
// the TLS socket, and a large transfer through the tunnel arrives whole. Each
// scenario runs on node:tls and on openssl-tls, against node:tls peers, and the
// two are compared.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as ours from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, readAll, waitFor } from './helpers/net';
import { runOpenSSLClient, usePeerCleanup } from './helpers/peers';

type Tls = typeof nodeTls;
const libs: Array<[string, Tls]> = [
  ['node:tls', nodeTls],
  ['openssl-tls', ours as unknown as Tls],
];
const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const clientOptions = { servername: 'localhost', ca: fixture('ca.pem') };

async function both<T>(scenario: (tls: Tls) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  for (const [, tls] of libs) results.push(await scenario(tls));
  return [results[0] as T, results[1] as T];
}

describe('drop-in: a TLS socket takes over the reads of the socket it is made over', () => {
  usePeerCleanup();

  it('an SMTP server upgraded with STARTTLS, against openssl s_client -starttls smtp: its line reader sees only lines', async function () {
    this.timeout(20000);
    const [theirs, mine] = await both(async (tls) => {
      const lines: string[] = [];
      const secure: string[] = [];
      let upgraded = false;
      let stray = 0;
      const server = net.createServer((raw) => {
        raw.write('220 test ESMTP\r\n');
        let pending = '';
        // The plain protocol's line reader stays attached, as SMTP servers leave it.
        raw.on('data', (d: Buffer) => {
          if (upgraded) {
            stray += d.length;
            return;
          }
          pending += d.toString('latin1');
          for (let i = pending.indexOf('\r\n'); i >= 0; i = pending.indexOf('\r\n')) {
            const line = pending.slice(0, i);
            pending = pending.slice(i + 2);
            lines.push(line.split(' ')[0] ?? '');
            if (line.startsWith('EHLO')) raw.write('250-test\r\n250 STARTTLS\r\n');
            if (line === 'STARTTLS') {
              upgraded = true;
              raw.write('220 go ahead\r\n');
              const t = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext(rsa) });
              t.on('data', (c: Buffer) => {
                secure.push(c.toString().trim());
                t.end('221 bye\r\n');
              });
            }
          }
        });
      });
      const port = await listen(server);
      const r = await runOpenSSLClient(port, ['-starttls', 'smtp', '-ign_eof'], 'QUIT\r\n');
      await close(server);
      return { lines, stray, secure, bye: r.stdout.includes('221 bye'), code: r.code };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { lines: ['EHLO', 'STARTTLS'], stray: 0, secure: ['QUIT'], bye: true, code: 0 });
  });

  it('STARTTLS client: the plain socket it wraps sees no ciphertext and no end', async () => {
    const [theirs, mine] = await both(async (tls) => {
      // The peer is node:tls's server in both runs.
      const server = nodeTls.createServer(rsa, (s) => s.end('hello over tls'));
      const port = await listen(server);
      const raw = net.connect(port, '127.0.0.1');
      const rawSeen: string[] = [];
      raw.on('data', (d: Buffer) => rawSeen.push(`data ${d.length}`));
      raw.on('end', () => rawSeen.push('end'));
      await waitFor(raw, 'connect');
      const c = tls.connect({ ...clientOptions, socket: raw });
      const text = (await readAll(c)).toString();
      if (!c.destroyed) await waitFor(c, 'close');
      await close(server);
      return { text, rawSeen, rawDestroyed: raw.destroyed };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { text: 'hello over tls', rawSeen: [], rawDestroyed: true });
  });

  it('STARTTLS server: new TLSSocket(raw, { isServer }) leaves the raw listener nothing', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const rawSeen: string[] = [];
      let got = '';
      const server = net.createServer((raw) => {
        raw.on('data', (d: Buffer) => rawSeen.push(`data ${d.length}`));
        raw.on('end', () => rawSeen.push('end'));
        const t = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext(rsa) });
        t.on('data', (d: Buffer) => (got += d.toString()));
        t.on('end', () => t.end('bye'));
      });
      const port = await listen(server);
      const c = nodeTls.connect({ ...clientOptions, port, host: '127.0.0.1' }, () => c.end('from the client'));
      const reply = (await readAll(c)).toString();
      await close(server);
      return { got, reply, rawSeen };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { got: 'from the client', reply: 'bye', rawSeen: [] });
  });

  it('what the plain socket held already is read first (a paused server socket)', async () => {
    const [theirs, mine] = await both(async (tls) => {
      let buffered = 0;
      const secured = new Promise<string>((resolve, reject) => {
        const server = net.createServer({ pauseOnConnect: true }, (raw) => {
          // The client's hello waits in the socket's buffer before the TLS socket is made.
          raw.on('readable', function wait() {
            if (raw.readableLength === 0) return;
            raw.removeListener('readable', wait);
            buffered = raw.readableLength;
            const t = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext(rsa) });
            t.on('secure', () => resolve(t.getProtocol() ?? 'none'));
            t.on('error', reject);
          });
        });
        void listen(server).then((port) => {
          const c = nodeTls.connect({ ...clientOptions, port, host: '127.0.0.1' }, () => {
            c.end();
            c.resume();
          });
          c.on('close', () => void close(server));
        });
      });
      return { protocol: await secured, held: buffered > 0 };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { protocol: 'TLSv1.3', held: true });
  });

  it('TLS in TLS: the outer socket emits only what came before, the inner one carries 4 MiB whole', async () => {
    const HEAD = 'TUNNEL\n';
    const payload = Buffer.alloc(4 * 1024 * 1024, 'abcdefgh');
    const [theirs, mine] = await both(async (tls) => {
      const outerSeen: string[] = [];
      const inner = tls.createServer(rsa);
      const innerGot = new Promise<number>((resolve, reject) => {
        inner.on('secureConnection', (s: nodeTls.TLSSocket) => {
          // A slow reader: the tunnel must hold back, not lose bytes.
          s.pause();
          setTimeout(() => s.resume(), 100);
          readAll(s).then((b) => {
            resolve(b.equals(payload) ? b.length : -b.length);
            s.end();
          }, reject);
        });
      });
      const outer = tls.createServer(rsa, (s: nodeTls.TLSSocket) => {
        s.on('data', (d: Buffer) => {
          outerSeen.push(d.toString());
          if (outerSeen.length === 1) inner.emit('connection', s);
        });
        s.on('end', () => outerSeen.push('end'));
      });
      const port = await listen(outer);
      const down = tls.connect({ ...clientOptions, port, host: '127.0.0.1' });
      await waitFor(down, 'secureConnect');
      // The inner hello follows a write still in progress, as a proxy client sends it.
      down.write(HEAD);
      const up = tls.connect({ ...clientOptions, socket: down });
      await waitFor(up, 'secureConnect');
      const upProtocol = up.getProtocol();
      up.end(payload);
      const received = await innerGot;
      await once(up, 'close');
      await close(outer);
      return { received, outerSeen, upProtocol };
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { received: payload.length, outerSeen: [HEAD], upProtocol: 'TLSv1.3' });
  });
});
