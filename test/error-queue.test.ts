// The OpenSSL error queue is empty after every native call, success or failure.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import { binding } from '../lib/internal/binding';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

function queueAfter(fn: () => unknown): number {
  binding.errorQueueLength();
  try {
    fn();
  } catch {
    // failures are the point here
  }
  return binding.errorQueueLength();
}

describe('OpenSSL error queue', () => {
  it('is empty after failing and succeeding context calls', () => {
    const calls: Array<() => unknown> = [
      () => tls.createSecureContext({ key: 'not a key' }),
      () => tls.createSecureContext({ cert: fixture('server-rsa.pem'), key: fixture('server-ec-key.pem') }),
      () => tls.createSecureContext({ key: fixture('server-rsa-key-enc.pem'), passphrase: 'wrong' }),
      () => tls.createSecureContext({ pfx: fixture('server.pfx'), passphrase: 'wrong' }),
      () => tls.createSecureContext({ ciphers: 'NOT-A-CIPHER' }),
      () => tls.createSecureContext({ ecdhCurve: 'nope' }),
      () => tls.createSecureContext({ crl: 'garbage' }),
      () =>
        tls.createSecureContext({
          key: fixture('server-rsa-key.pem'),
          cert: fixture('server-rsa.pem'),
          ca: fixture('ca.pem'),
        }),
      () => binding.certificateToObject(Buffer.from('garbage')),
      () => binding.getRootCertificates(),
    ];
    for (const call of calls) assert.equal(queueAfter(call), 0, call.toString());
  });

  it('is empty after a connection fails on garbage and after one succeeds', async () => {
    const server = tls.createServer({ key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') }, (s) =>
      s.end('ok'),
    );
    const errors: string[] = [];
    server.on('tlsClientError', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
    const port = await listen(server);
    try {
      const raw = net.connect(port, '127.0.0.1', () => raw.write('\x16\x03\x01\x00\x05hello garbage'));
      raw.on('error', () => {});
      raw.resume();
      await new Promise((r) => raw.once('close', r));
      assert.match(errors[0] ?? '', /^ERR_SSL_/);
      assert.equal(binding.errorQueueLength(), 0);
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
      c.resume();
      await waitFor(c, 'end');
      assert.equal(binding.errorQueueLength(), 0);
      const bad = tls.connect({ port, host: 'localhost' });
      await new Promise((r) => bad.once('error', r));
      assert.equal(binding.errorQueueLength(), 0);
    } finally {
      await close(server);
    }
  });
});
