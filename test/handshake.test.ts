// Handshakes and data both ways between openssl-tls and Node's built-in tls, in
// both roles, TLS 1.2 and 1.3, RSA and ECDSA; what each side reports about the
// connection must agree.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const versions = ['TLSv1.2', 'TLSv1.3'] as const;
const keys = [
  { name: 'RSA', cert: 'server-rsa.pem', key: 'server-rsa-key.pem' },
  { name: 'ECDSA', cert: 'server-ec.pem', key: 'server-ec-key.pem' },
] as const;

function readN(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        stream.removeListener('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
  });
}

describe('handshake with node:tls as the peer', () => {
  for (const version of versions) {
    for (const k of keys) {
      it(`our server, node client: ${version} ${k.name}`, async () => {
        const server = tls.createServer({ key: fixture(k.key), cert: fixture(k.cert) }, (s) => {
          s.write(`hello ${s.getProtocol()}\n`);
          s.pipe(s);
        });
        const port = await listen(server);
        try {
          const c = nodeTls.connect({
            port,
            host: '127.0.0.1',
            servername: 'localhost',
            ca: fixture('ca.pem'),
            minVersion: version,
            maxVersion: version,
          });
          await waitFor(c, 'secureConnect');
          assert.equal(c.authorized, true);
          assert.equal(c.getProtocol(), version);
          const greeting = await readN(c, `hello ${version}\n`.length);
          assert.equal(greeting.toString(), `hello ${version}\n`);
          const payload = Buffer.from('ping '.repeat(1000));
          c.write(payload);
          const echoed = await readN(c, payload.length);
          assert.deepEqual(echoed, payload);
          c.destroy();
        } finally {
          await close(server);
        }
      });

      it(`our client, node server: ${version} ${k.name}`, async () => {
        let serverSide: nodeTls.TLSSocket | undefined;
        const server = nodeTls.createServer(
          { key: fixture(k.key), cert: fixture(k.cert), minVersion: version, maxVersion: version },
          (s) => {
            serverSide = s;
            s.pipe(s);
          },
        );
        // TLS 1.3: the client is done one flight before the server.
        const serverSecure = waitFor(server, 'secureConnection');
        const port = await listen(server);
        try {
          const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
          await waitFor(c, 'secureConnect');
          assert.equal(c.authorized, true);
          assert.equal(c.authorizationError, null);
          assert.equal(c.getProtocol(), version);
          await serverSecure;
          const cipher = c.getCipher();
          assert.ok(cipher);
          assert.equal(cipher.name, serverSide?.getCipher().name);
          assert.equal(cipher.standardName, serverSide?.getCipher().standardName);
          // Both ends derive the same keying material and see the same Finished messages.
          const ekmContext = Buffer.from('context');
          assert.deepEqual(
            c.exportKeyingMaterial(32, 'EXPERIMENTAL-test', ekmContext),
            serverSide?.exportKeyingMaterial(32, 'EXPERIMENTAL-test', ekmContext),
          );
          assert.deepEqual(c.getFinished(), serverSide?.getPeerFinished());
          assert.deepEqual(c.getPeerFinished(), serverSide?.getFinished());
          const eph = c.getEphemeralKeyInfo();
          assert.ok(eph !== null);
          assert.equal(eph.type, 'ECDH');
          assert.equal(typeof eph.size, 'number');
          const payload = Buffer.from('x'.repeat(70000));
          c.write(payload);
          const echoed = await readN(c, payload.length);
          assert.deepEqual(echoed, payload);
          c.end();
          await waitFor(c, 'close');
        } finally {
          await close(server);
        }
      });
    }
  }

  it("peer certificate objects match node:tls's view of the same certificate", async () => {
    const server = nodeTls.createServer({ key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') }, (s) =>
      s.end(),
    );
    const port = await listen(server);
    try {
      const c = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      const cert = c.getPeerCertificate(true);
      assert.ok('subject' in cert);
      assert.equal(cert.subject.CN, 'localhost');
      assert.equal(cert.issuer.CN, 'openssl-tls Test Root CA');
      // The chain reaches the root, which points at itself.
      const root = cert.issuerCertificate;
      assert.ok(root);
      assert.equal(root.subject.CN, 'openssl-tls Test Root CA');
      assert.equal(root.issuerCertificate, root);
      const x509 = c.getPeerX509Certificate();
      assert.ok(x509);
      assert.equal(x509.fingerprint256, cert.fingerprint256);
      assert.equal(x509.subject.includes('CN=localhost'), true);
      c.destroy();
    } finally {
      await close(server);
    }
  });

  it('client sends the host as SNI unless it is an IP address', async () => {
    const seen: Array<string | false> = [];
    const server = nodeTls.createServer(
      { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') },
      (s) => {
        seen.push((s as unknown as { servername: string | false }).servername);
        s.end();
      },
    );
    const port = await listen(server);
    try {
      const a = tls.connect({ port, host: 'localhost', ca: fixture('ca.pem') });
      await waitFor(a, 'secureConnect');
      a.destroy();
      const b = tls.connect({ port, host: '127.0.0.1', ca: fixture('ca.pem') });
      await waitFor(b, 'secureConnect');
      b.destroy();
      const c = tls.connect({ port, host: '127.0.0.1', servername: 'x.test.local', ca: fixture('ca.pem') });
      await waitFor(c, 'secureConnect');
      c.destroy();
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, ['localhost', false, 'x.test.local']);
    } finally {
      await close(server);
    }
  });
});
