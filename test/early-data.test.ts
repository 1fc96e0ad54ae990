// TLS 1.3 early data (0-RTT): a server's maxEarlyData (socket.earlyData, the
// 'earlyData' event, isEarlyDataAccepted()), a client's earlyData with a
// resumed session (re-sent as ordinary data when it does not go through), and
// OpenSSL's anti-replay: a ticket carries early data once, and the same
// ClientHello replayed byte for byte delivers nothing. Against openssl s_client
// -early_data -sess_in, openssl s_server -early_data, and each other.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { certArgs, runOpenSSLClient, startOpenSSLServer, usePeerCleanup } from './helpers/peers';

const keys = { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem') };
const request = 'GET /early HTTP/1.0\r\n\r\n';

interface Seen {
  earlyData: string | null;
  accepted: boolean;
  resumed: boolean;
  data: string;
}

/** Our server with maxEarlyData; what each connection saw, in order. */
async function earlyServer(maxEarlyData = 16384): Promise<{ server: tls.Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = tls.createServer({ ...keys, maxEarlyData }, (socket) => {
    const s: Seen = {
      earlyData: socket.earlyData?.toString() ?? null,
      accepted: socket.isEarlyDataAccepted(),
      resumed: Boolean(socket.isSessionReused()),
      data: '',
    };
    seen.push(s);
    socket.on('data', (d: Buffer) => {
      s.data += d.toString();
      if (s.data.includes('\n')) socket.end('served\n');
    });
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  return { server, port, seen };
}

/** A session from `port` (s_client -sess_out, kept open long enough for the tickets). */
async function opensslSession(port: number, file: string): Promise<void> {
  await runOpenSSLClient(port, ['-sess_out', file, '-CAfile', fixturePath('ca.pem')], 'hi\n', { waitFor: 'served' });
}

describe('TLS 1.3 early data (0-RTT)', function () {
  this.timeout(30_000);
  usePeerCleanup();
  let tmp: string;
  let earlyFile: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otls-early-'));
    earlyFile = path.join(tmp, 'early.txt');
    fs.writeFileSync(earlyFile, request);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('our server accepts openssl s_client -early_data once per ticket', async function () {
    const { server, port, seen } = await earlyServer();
    try {
      const sess = path.join(tmp, 'sess.pem');
      await opensslSession(port, sess);
      const first = await runOpenSSLClient(port, ['-sess_in', sess, '-early_data', earlyFile], '', {
        waitFor: 'served',
      });
      assert.match(first.stdout, /Early data was accepted/);
      assert.deepEqual(seen[1], { earlyData: request, accepted: true, resumed: true, data: request });
      // The same ticket again: OpenSSL's anti-replay refuses its early data.
      const again = await runOpenSSLClient(port, ['-sess_in', sess, '-early_data', earlyFile], '', {
        waitFor: /Early data was (rejected|accepted)/,
      });
      assert.match(again.stdout, /Early data was rejected/);
      assert.equal(seen[2]?.earlyData, null);
      assert.equal(seen[2]?.accepted, false);
    } finally {
      await close(server);
    }
  });

  it('off by default: a ticket from a server without maxEarlyData allows none', async function () {
    const { server, port, seen } = await earlyServer(0);
    try {
      const sess = path.join(tmp, 'sess0.pem');
      await opensslSession(port, sess);
      const r = await runOpenSSLClient(port, ['-sess_in', sess, '-early_data', earlyFile], '', {
        waitFor: /Early data was/,
      });
      assert.match(r.stdout, /Early data was not sent/);
      assert.equal(seen[1]?.earlyData, null);
    } finally {
      await close(server);
    }
  });

  it('a replay of the captured ClientHello and early data delivers nothing', async function () {
    const { server, port, seen } = await earlyServer();
    // A proxy in front of our server records what the client sends.
    const captured: Buffer[] = [];
    let record = false;
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(port, '127.0.0.1');
      inbound.on('data', (d: Buffer) => {
        if (record) captured.push(d);
        outbound.write(d);
      });
      outbound.pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
      inbound.on('end', () => outbound.end());
    });
    const proxyPort = await listen(proxy);
    try {
      const sess = path.join(tmp, 'sess-replay.pem');
      await opensslSession(port, sess);
      record = true;
      const r = await runOpenSSLClient(proxyPort, ['-sess_in', sess, '-early_data', earlyFile], '', {
        waitFor: 'served',
      });
      record = false;
      assert.match(r.stdout, /Early data was accepted/);
      assert.equal(seen.length, 2);
      assert.equal(seen[1]?.earlyData, request);
      // The attacker's replay: the same bytes on a new connection.
      const replay = net.connect(port, '127.0.0.1');
      const earlyEvents: Buffer[] = [];
      server.on('secureConnection', (s: tls.TLSSocket) => s.on('earlyData', (d: Buffer) => earlyEvents.push(d)));
      await new Promise<void>((resolve) => {
        replay.on('connect', () => replay.write(Buffer.concat(captured)));
        replay.on('data', () => {});
        replay.on('error', () => resolve());
        replay.on('close', () => resolve());
        setTimeout(() => {
          replay.destroy();
          resolve();
        }, 1500);
      });
      // Nothing reached the application a second time.
      assert.equal(seen.length, 2, JSON.stringify(seen));
      assert.deepEqual(earlyEvents, []);
    } finally {
      await close(proxy);
      await close(server);
    }
  });

  it('our client sends earlyData to openssl s_server -early_data', async function () {
    const theirs = await startOpenSSLServer([...certArgs('server-rsa'), '-early_data']);
    try {
      const session = await new Promise<Buffer>((resolve, reject) => {
        const c = tls.connect({ port: theirs.port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
        c.once('session', (s: Buffer) => {
          resolve(s);
          c.destroy();
        });
        c.on('error', reject);
      });
      const c2 = tls.connect({
        port: theirs.port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: fixture('ca.pem'),
        session,
        earlyData: Buffer.from('early hello\n'),
      });
      await new Promise<void>((resolve, reject) => c2.on('secureConnect', resolve).on('error', reject));
      assert.equal(c2.isSessionReused(), true);
      assert.equal(c2.isEarlyDataAccepted(), true);
      await theirs.waitForOutput(/Early data received/);
      assert.equal(theirs.output().split('early hello').length - 1, 1, theirs.output());
      c2.destroy();
    } finally {
      await theirs.stop();
    }
  });

  it('not allowed by the ticket: our client sends earlyData as ordinary data after the handshake', async function () {
    const theirs = await startOpenSSLServer([...certArgs('server-rsa')]);
    try {
      const session = await new Promise<Buffer>((resolve, reject) => {
        const c = tls.connect({ port: theirs.port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') });
        c.once('session', (s: Buffer) => {
          resolve(s);
          c.destroy();
        });
        c.on('error', reject);
      });
      const c2 = tls.connect({
        port: theirs.port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: fixture('ca.pem'),
        session,
        earlyData: Buffer.from('sent late\n'),
      });
      await new Promise<void>((resolve, reject) => c2.on('secureConnect', resolve).on('error', reject));
      assert.equal(c2.isEarlyDataAccepted(), false);
      c2.write('then this\n');
      await theirs.waitForOutput(/sent late\nthen this/);
      assert.doesNotMatch(theirs.output(), /Early data received/);
      c2.destroy();
    } finally {
      await theirs.stop();
    }
  });

  it('ours to ours: accepted once, re-sent when the ticket was used, never duplicated', async function () {
    const { server, port, seen } = await earlyServer();
    try {
      const base = { port, host: '127.0.0.1', servername: 'localhost', ca: fixture('ca.pem') };
      const session = await new Promise<Buffer>((resolve, reject) => {
        const c = tls.connect(base, () => c.write('x\n'));
        c.once('session', (s: Buffer) => resolve(s));
        c.on('data', () => c.end());
        c.on('error', reject);
      });
      const connectWith = async (earlyData: string): Promise<{ accepted: boolean; reply: string }> => {
        const c = tls.connect({ ...base, session, earlyData: Buffer.from(earlyData) });
        let reply = '';
        c.on('data', (d: Buffer) => (reply += d.toString()));
        await new Promise<void>((resolve, reject) => c.on('end', resolve).on('error', reject));
        return { accepted: c.isEarlyDataAccepted(), reply };
      };
      assert.deepEqual(await connectWith('zero rtt\n'), { accepted: true, reply: 'served\n' });
      assert.deepEqual(await connectWith('one rtt\n'), { accepted: false, reply: 'served\n' });
      assert.equal(seen[1]?.earlyData, 'zero rtt\n');
      assert.equal(seen[1]?.data, 'zero rtt\n');
      assert.equal(seen[2]?.earlyData, null);
      assert.equal(seen[2]?.data, 'one rtt\n');
    } finally {
      await close(server);
    }
  });

  it('options are checked: maxEarlyData a uint32, earlyData bytes', function () {
    assert.throws(() => tls.createServer({ ...keys, maxEarlyData: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => tls.createServer({ ...keys, maxEarlyData: '1' as unknown as number }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    assert.throws(() => tls.connect({ port: 1, earlyData: 'text' as unknown as Buffer }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });
});
