// What names and proves each side, set or read after a socket is made, run the
// same way against node:tls and openssl-tls and compared (issue 16):
// setServername(), setSession(), setKeyCert() and getPeerX509Certificate()'s
// issuer links.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as ours from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

type Tls = typeof nodeTls;
const libs: Tls[] = [nodeTls, ours as unknown as Tls];
const rsa = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');

async function both<T>(scenario: (tls: Tls) => Promise<T>): Promise<[T, T]> {
  const [theirs, mine] = [await scenario(libs[0] as Tls), await scenario(libs[1] as Tls)];
  return [theirs, mine];
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'no throw';
  } catch (err) {
    return `${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}`;
  }
}

describe('drop-in: identity after the socket is made, compared with node:tls', () => {
  it("setServername(): node's checks, and the name the server sees", async () => {
    const [theirs, mine] = await both(async (tls) => {
      let seen: string | false | null = null;
      const server = tls.createServer(rsa, (s) => {
        seen = s.servername;
        s.end();
      });
      const port = await listen(server);
      const raw = net.connect(port, '127.0.0.1');
      await waitFor(raw, 'connect');
      const c = new tls.TLSSocket(raw, {});
      const c2 = c as unknown as ours.TLSSocket;
      const errors = [undefined, null, 1, {}].map((v) => codeOf(() => c2.setServername(v as unknown as string)));
      c2.setServername('named.example');
      c.write('x');
      c.resume();
      await new Promise((r) => c.once('close', r));
      const serverSide = new tls.TLSSocket(new net.Socket(), { isServer: true });
      const fromServer = codeOf(() => (serverSide as unknown as ours.TLSSocket).setServername('localhost'));
      serverSide.destroy();
      await close(server);
      return { errors, fromServer, seen };
    });
    assert.deepEqual(mine, theirs);
    assert.equal(mine.seen, 'named.example');
  });

  it('setSession(): a client made directly resumes the session given', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer({ ...rsa, maxVersion: 'TLSv1.2' }, (s) => s.end());
      const port = await listen(server);
      const first = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      await waitFor(first, 'secureConnect');
      const session = first.getSession();
      first.resume();
      await new Promise((r) => first.once('close', r));
      const raw = net.connect(port, '127.0.0.1');
      await waitFor(raw, 'connect');
      const c = new tls.TLSSocket(raw, { secureContext: tls.createSecureContext({ ca }) });
      (c as unknown as ours.TLSSocket).setSession(session as Buffer);
      // Bytes that are no session are ignored, as node:tls ignores them.
      const junk = codeOf(() =>
        (new tls.TLSSocket(new net.Socket(), {}) as unknown as ours.TLSSocket).setSession(Buffer.from('no session')),
      );
      c.write('x');
      await waitFor(c, 'secure');
      const reused = c.isSessionReused();
      c.destroy();
      await close(server);
      return { reused, junk };
    });
    assert.deepEqual(mine, theirs);
    assert.equal(mine.reused, true);
  });

  it('setKeyCert() from the ALPNCallback: the client gets that certificate', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const ecContext = tls.createSecureContext(ec);
      const server = tls.createServer({
        ...rsa,
        ALPNCallback(this: nodeTls.TLSSocket, { protocols }: { protocols: string[] }) {
          if (protocols.includes('use-ec')) this.setKeyCert(ecContext);
          return protocols[0];
        },
      });
      server.on('secureConnection', (s) => {
        s.on('error', () => {});
        s.end();
      });
      const port = await listen(server);
      const keyTypes: unknown[] = [];
      for (const alpn of [['plain'], ['use-ec']]) {
        const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', ALPNProtocols: alpn });
        await waitFor(c, 'secureConnect');
        keyTypes.push(c.getPeerX509Certificate()?.publicKey.asymmetricKeyType);
        c.destroy();
      }
      await close(server);
      return keyTypes;
    });
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, ['rsa', 'ec']);
  });

  it('getPeerX509Certificate(): issuerCertificate links the chain the peer sent, and stops there', async () => {
    const [theirs, mine] = await both(async (tls) => {
      const server = tls.createServer(
        { key: fixture('server-inter-key.pem'), cert: fixture('server-inter-chain.pem') },
        (s) => s.end(),
      );
      const port = await listen(server);
      const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      await waitFor(c, 'secureConnect');
      const leaf = c.getPeerX509Certificate();
      const chain: string[] = [];
      for (let x = leaf; x !== undefined; x = x.issuerCertificate)
        chain.push(x.subject.split('\n').find((l) => l.startsWith('CN=')) ?? '');
      c.destroy();
      await close(server);
      return chain;
    });
    assert.deepEqual(mine, theirs);
    assert.equal(mine.length, 2);
  });
});
