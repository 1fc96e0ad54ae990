// NPN (the seeds' NPNProtocols / npnProtocol; node:tls dropped it, the system
// OpenSSL has it): TLS 1.2 only, tried between our own client and server and
// against openssl s_client / s_server -nextprotoneg, and side by side with ALPN.
import { strict as assert } from 'node:assert';
import * as tls from '../lib/index';
import { binding } from '../lib/internal/binding';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';
import { certArgs, runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';
import { ourImpl, runPair } from './helpers/pair';

const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };

interface Negotiated {
  server: string | false | null | undefined;
  client: string | false | null | undefined;
  serverAlpn?: string | false | null;
  clientAlpn?: string | false | null;
}

async function negotiate(
  serverOptions: Record<string, unknown>,
  clientOptions: Record<string, unknown>,
): Promise<Negotiated> {
  let seen: Negotiated = { server: undefined, client: undefined };
  const r = await runPair({
    server: ourImpl,
    client: ourImpl,
    serverOptions: { ...rsa, ...serverOptions },
    clientOptions,
    inspect: (s, c) => {
      const sn = s as unknown as tls.TLSSocket;
      const cn = c as unknown as tls.TLSSocket;
      seen = {
        server: sn.npnProtocol,
        client: cn.npnProtocol,
        serverAlpn: sn.alpnProtocol,
        clientAlpn: cn.alpnProtocol,
      };
    },
  });
  assert.equal(r.server.error, undefined);
  assert.equal(r.client.error, undefined);
  return seen;
}

describe('NPN', function () {
  usePeerCleanup();

  before(function () {
    if (!binding.features.npn) this.skip(); // the system OpenSSL was built with OPENSSL_NO_NEXTPROTONEG
  });

  it("our client and our server agree on the server's first protocol the client supports (TLS 1.2)", async () => {
    const got = await negotiate(
      { NPNProtocols: ['foo', 'bar'], maxVersion: 'TLSv1.2' },
      { NPNProtocols: ['bar', 'foo'] },
    );
    assert.deepEqual(got, { server: 'foo', client: 'foo', serverAlpn: false, clientAlpn: false });
  });

  it('wire-format lists work as well', async () => {
    const got = await negotiate(
      { NPNProtocols: Buffer.from('\x03one\x03two'), maxVersion: 'TLSv1.2' },
      { NPNProtocols: new Uint8Array(Buffer.from('\x03two')) },
    );
    assert.deepEqual(got, { server: 'two', client: 'two', serverAlpn: false, clientAlpn: false });
  });

  it('no common protocol: the client sends its first, its npnProtocol is false', async () => {
    const got = await negotiate({ NPNProtocols: ['foo'], maxVersion: 'TLSv1.2' }, { NPNProtocols: ['baz', 'qux'] });
    assert.deepEqual(got, { server: 'baz', client: false, serverAlpn: false, clientAlpn: false });
  });

  it('npnProtocol is false when one side has no list, and in TLS 1.3', async () => {
    assert.deepEqual(await negotiate({ maxVersion: 'TLSv1.2' }, { NPNProtocols: ['foo'] }), {
      server: false,
      client: false,
      serverAlpn: false,
      clientAlpn: false,
    });
    assert.deepEqual(await negotiate({ NPNProtocols: ['foo'], maxVersion: 'TLSv1.2' }, {}), {
      server: false,
      client: false,
      serverAlpn: false,
      clientAlpn: false,
    });
    assert.deepEqual(await negotiate({ NPNProtocols: ['foo'] }, { NPNProtocols: ['foo'] }), {
      server: false,
      client: false,
      serverAlpn: false,
      clientAlpn: false,
    });
  });

  it('NPN and ALPN side by side: a server offers both, ALPN wins when both are negotiable (as OpenSSL and RFC 7301)', async () => {
    const server = { NPNProtocols: ['spdy/2', 'http/1.1'], ALPNProtocols: ['h2', 'http/1.1'], maxVersion: 'TLSv1.2' };
    assert.deepEqual(await negotiate(server, { NPNProtocols: ['http/1.1'] }), {
      server: 'http/1.1',
      client: 'http/1.1',
      serverAlpn: false,
      clientAlpn: false,
    });
    assert.deepEqual(await negotiate(server, { ALPNProtocols: ['h2'] }), {
      server: false,
      client: false,
      serverAlpn: 'h2',
      clientAlpn: 'h2',
    });
    assert.deepEqual(await negotiate(server, { NPNProtocols: ['http/1.1'], ALPNProtocols: ['h2'] }), {
      server: false,
      client: false,
      serverAlpn: 'h2',
      clientAlpn: 'h2',
    });
  });

  it('openssl s_client -nextprotoneg against our server', async () => {
    const npn: Array<string | false | null> = [];
    const server = tls.createServer({ ...rsa, NPNProtocols: ['foo', 'bar'] }, (s) => {
      npn.push(s.npnProtocol);
      s.end('hi\n');
    });
    const port = await listen(server);
    try {
      const r = await runOpenSSLClient(port, ['-tls1_2', '-nextprotoneg', 'bar,baz'], '', { waitFor: 'hi' });
      assert.match(r.stdout, /Protocols advertised by server: foo, bar/);
      assert.match(r.stdout, /Next protocol: \(1\) bar/);
      assert.deepEqual(npn, ['bar']);
    } finally {
      await close(server);
    }
  });

  it('our client against openssl s_server -nextprotoneg', async () => {
    const server = await startOpenSSLServer([...certArgs('server-rsa'), '-nextprotoneg', 'foo,bar']);
    const c = tls.connect({
      port: server.port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
      maxVersion: 'TLSv1.2',
      NPNProtocols: ['baz', 'bar'],
    });
    await waitFor(c, 'secureConnect');
    assert.equal(c.npnProtocol, 'bar');
    c.destroy();
    await server.waitForOutput('NEXTPROTO is bar');
  });

  it('bad lists throw, as for ALPN', () => {
    assert.throws(() => tls.connect({ port: 1, NPNProtocols: ['x'.repeat(256)] }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => tls.createServer({ NPNProtocols: 'foo' as unknown as string[] }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    assert.throws(() => new tls.TLSSocket(null, { NPNProtocols: [''] }), { code: 'ERR_INVALID_ARG_VALUE' });
  });
});
