// new TLSSocket(duplex, options) directly: over an in-memory Duplex pair, in
// server mode over an accepted net.Socket, and the socket API it proxies.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import { Duplex } from 'node:stream';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

/** Two Duplex streams wired back to back in memory (what one writes, the other reads). */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  const a = make(() => ends[1] as Duplex);
  const b = make(() => a);
  ends.push(a, b);
  return [a, b];
}

describe('new TLSSocket()', () => {
  it('works over any Duplex: our client and our server over an in-memory pair', async () => {
    const [left, right] = duplexPair();
    const server = new tls.TLSSocket(right, { isServer: true, secureContext: tls.createSecureContext(rsa) });
    const client = new tls.TLSSocket(left, {
      servername: 'localhost',
      secureContext: tls.createSecureContext({ ca: fixture('ca.pem') }),
    });
    const serverSecure = waitFor(server, 'secure');
    server.on('data', (d: Buffer) => server.write(Buffer.from(d.toString().toUpperCase())));
    // As with node:tls, a client made directly starts its handshake when first written to,
    // emits 'secure' (connect() adds 'secureConnect') and judges nobody (authorized stays false).
    const secure = waitFor(client, 'secure');
    const data = waitFor<[Buffer]>(client, 'data');
    client.write('over memory');
    await secure;
    await serverSecure;
    assert.equal(client.authorized, false);
    assert.equal(client.getProtocol(), 'TLSv1.3');
    assert.equal(server.getProtocol(), 'TLSv1.3');
    const [reply] = await data;
    assert.equal(reply.toString(), 'OVER MEMORY');
    assert.equal(client.address().port, undefined);
    assert.equal(client.remoteAddress, undefined);
    assert.ok(client.bytesWritten > 'over memory'.length, 'bytesWritten counts encrypted bytes');
    client.destroy();
    server.destroy();
  });

  it('server mode over an accepted net.Socket, with node:tls as the client', async () => {
    const raw = net.createServer((s) => {
      const t = new tls.TLSSocket(s, { isServer: true, secureContext: tls.createSecureContext(rsa) });
      t.on('secure', () => t.end('from a hand-made server socket'));
    });
    const port = await listen(raw);
    try {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      const parts: Buffer[] = [];
      c.on('data', (d: Buffer) => parts.push(d));
      await waitFor(c, 'end');
      assert.equal(Buffer.concat(parts).toString(), 'from a hand-made server socket');
    } finally {
      await close(raw);
    }
  });

  it('reports the address fields node:tls reports, localFamily included, on both sides', async () => {
    type Fields = Record<string, unknown>;
    const fields = (s: net.Socket): Fields => ({
      remoteAddress: s.remoteAddress,
      remoteFamily: s.remoteFamily,
      localAddress: s.localAddress,
      localFamily: s.localFamily,
      local: s.localPort !== undefined,
      remote: s.remotePort !== undefined,
    });
    const seen: Record<string, Fields[]> = {};
    for (const [name, mod] of [
      ['node', nodeTls],
      ['ours', tls as unknown as typeof nodeTls],
    ] as const) {
      for (const host of ['127.0.0.1', '::1']) {
        const server = mod.createServer(rsa, (s) => s.end(JSON.stringify(fields(s))));
        server.listen(0, host);
        await waitFor(server, 'listening');
        try {
          const port = (server.address() as net.AddressInfo).port;
          const c = mod.connect({ port, host, servername: 'localhost', ca: fixture('ca.pem') });
          await waitFor(c, 'secureConnect');
          const client = fields(c);
          let body = '';
          c.setEncoding('utf8');
          c.on('data', (d: string) => (body += d));
          await waitFor(c, 'end');
          (seen[name] ??= []).push(client, JSON.parse(body) as Fields);
        } finally {
          await close(server);
        }
      }
    }
    assert.deepEqual(seen.ours, seen.node);
    assert.equal(seen.ours?.[0]?.localFamily, 'IPv4');
    assert.equal(seen.ours?.[2]?.localFamily, 'IPv6');
  });

  it('proxies the socket API to its net.Socket', async () => {
    const server = nodeTls.createServer(rsa, (s) => s.on('data', () => {}));
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      assert.equal(c.getSession(), undefined);
      await waitFor(c, 'secureConnect');
      assert.equal(c.encrypted, true);
      assert.ok(c instanceof net.Socket);
      assert.equal(c.remoteAddress, '127.0.0.1');
      assert.equal(c.remotePort, port);
      assert.equal(c.remoteFamily, 'IPv4');
      assert.equal(c.localAddress, '127.0.0.1');
      assert.equal(typeof c.localPort, 'number');
      // As node's: the local address (on the native transport there is no net.Socket under it).
      assert.deepEqual(c.address(), { address: c.localAddress, family: 'IPv4', port: c.localPort });
      if (c._transport instanceof net.Socket) assert.deepEqual(c.address(), c._transport.address());
      assert.equal(c.setNoDelay(true), c);
      assert.equal(c.setKeepAlive(true, 1000), c);
      assert.equal(c.unref(), c);
      assert.equal(c.ref(), c);
      assert.equal(c.setTimeout(50), c);
      assert.equal(c.timeout, 50);
      await waitFor(c, 'timeout', 2000);
      c.setTimeout(0);
      assert.equal(c.timeout, undefined);
      assert.equal(c.setMaxSendFragment(100), false);
      assert.equal(c.setMaxSendFragment(1024), true);
      c.destroy();
      // After destroy the information calls answer like node:tls does on a closed socket.
      assert.equal(c.getPeerCertificate(), null);
      assert.equal(c.getCipher(), null);
    } finally {
      await close(server);
    }
  });

  it("setTimeout switched off and on again (as HTTP servers do) fires as node:tls's does", async () => {
    const server = nodeTls.createServer(rsa, (s) => s.on('data', () => {}));
    const port = await listen(server);
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    try {
      const seen: Record<string, string[]> = {};
      const connects: Array<[string, (o: nodeTls.ConnectionOptions) => nodeTls.TLSSocket]> = [
        ['ours', (o) => tls.connect(o)],
        ['node', (o) => nodeTls.connect(o)],
      ];
      for (const [name, connect] of connects) {
        const c = connect({ port, host: 'localhost', ca: fixture('ca.pem') });
        await waitFor(c, 'secureConnect');
        const log: string[] = [];
        c.on('timeout', () => log.push(`timeout ${String(c.timeout)}`));
        c.setTimeout(40);
        c.setTimeout(0);
        await sleep(120);
        log.push('off');
        c.setTimeout(40);
        await sleep(120);
        c.setTimeout(0);
        c.setTimeout(30);
        c.setTimeout(70);
        await sleep(40);
        log.push('70 pending');
        await sleep(100);
        c.setTimeout(0);
        await sleep(100);
        seen[name] = log;
        c.destroy();
      }
      assert.deepEqual(seen.ours, ['off', 'timeout 40', '70 pending', 'timeout 70']);
      assert.deepEqual(seen.ours, seen.node);
    } finally {
      await close(server);
    }
  });

  it('setMaxSendFragment limits the records our server sends', async () => {
    const server = tls.createServer(rsa, (s) => {
      s.setMaxSendFragment(512);
      s.end(Buffer.alloc(4096, 1));
    });
    const port = await listen(server);
    try {
      // Count TLS records on the wire with a raw TCP proxy in front of a node client.
      const recordSizes: number[] = [];
      let pending = Buffer.alloc(0);
      const proxy = net.createServer((inbound) => {
        const out = net.connect(port, '127.0.0.1');
        inbound.pipe(out);
        out.on('data', (d: Buffer) => {
          pending = Buffer.concat([pending, d]);
          while (pending.length >= 5) {
            const len = pending.readUInt16BE(3);
            if (pending.length < 5 + len) break;
            if (pending[0] === 23) recordSizes.push(len);
            pending = pending.subarray(5 + len);
          }
          inbound.write(d);
        });
        out.on('end', () => inbound.end());
      });
      const proxyPort = await listen(proxy);
      const c = nodeTls.connect({ port: proxyPort, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      let got = 0;
      c.on('data', (d: Buffer) => (got += d.length));
      await waitFor(c, 'end');
      assert.equal(got, 4096);
      // 512 bytes of content + type byte + 16-byte tag in TLS 1.3: the 4096 bytes
      // leave as 8 such records, and no larger record follows the first.
      const full = 512 + 17;
      const first = recordSizes.indexOf(full);
      assert.ok(first >= 0, `records: ${recordSizes.join(',')}`);
      const data = recordSizes.slice(first);
      assert.equal(data.filter((n) => n === full).length, 8, `records: ${recordSizes.join(',')}`);
      assert.ok(
        data.every((n) => n <= full),
        `records: ${recordSizes.join(',')}`,
      );
      await close(proxy);
    } finally {
      await close(server);
    }
  });
});
