// Drop-in behaviours found by running node's own test-https-*.js and test-http2-*.js
// files against openssl-tls/https and openssl-tls/http2: each test takes the same steps with node's https (or node:tls)
// and with ours, and compares what the program sees.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as nodeHttp2 from 'node:http2';
import * as nodeHttps from 'node:https';
import type * as net from 'node:net';
import * as nodeTls from 'node:tls';
import * as path from 'node:path';
import * as util from 'node:util';
import * as ourHttp2 from '../lib/http2';
import * as ours from '../lib/https';
import * as tls from '../lib/index';
import { fixture, fixturePath } from './helpers/fixtures';
import { close, listen, waitFor } from './helpers/net';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');
const dist = path.join(__dirname, '..', 'dist');

type HttpsModule = typeof nodeHttps;
const modules: Array<[string, HttpsModule]> = [
  ['node:https', nodeHttps],
  ['openssl-tls', ours as unknown as HttpsModule],
];

/** Runs `script` in a plain node process (on dist/, as a program loads it) and parses its JSON output. */
function runScript(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, `exit ${String(r.status)} ${String(r.signal)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('drop-in: https.Agent', () => {
  it('is callable without new, by old-style and by class subclasses, as node:https.Agent', () => {
    const seen = modules.map(([, m]) => {
      const Agent = m.Agent as unknown as ((o?: nodeHttps.AgentOptions) => nodeHttps.Agent) & typeof nodeHttps.Agent;
      const plain = Agent({ maxCachedSessions: 3 });
      function OldStyle(
        this: nodeHttps.Agent & { mine: number; keepAlive: boolean },
        options: nodeHttps.AgentOptions,
      ): void {
        Agent.call(this, options);
        this.mine = 1;
      }
      util.inherits(OldStyle, Agent);
      const old = new (
        OldStyle as unknown as new (o: nodeHttps.AgentOptions) => nodeHttps.Agent & { mine: number; keepAlive: boolean }
      )({
        keepAlive: true,
      });
      class Derived extends Agent {
        constructor() {
          super({ maxSockets: 2 });
        }
      }
      const derived = new Derived();
      return {
        plain: [plain instanceof Agent, (plain as unknown as { maxCachedSessions: number }).maxCachedSessions],
        old: [old instanceof Agent, old.keepAlive, old.mine, old.constructor === OldStyle],
        derived: [derived instanceof Agent, derived.maxSockets],
        fn: [Agent.name, Agent.length, m.globalAgent instanceof Agent],
        // Our agent's connections are ours, whichever way the agent was made.
        ownConnections: [plain, old, derived].map((a) => a.createConnection === Agent.prototype.createConnection),
      };
    });
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[0]?.plain, [true, 3]);
  });

  it('https.globalAgent can be replaced, and request() then uses the new agent, as in node:https', () => {
    // In a plain node process on dist/ (tsx, which runs these tests on lib/, fixes every export).
    const script = `
      const fs = require('node:fs');
      const [distHttps, keyFile, certFile, caFile] = process.argv.slice(1);
      const key = fs.readFileSync(keyFile), cert = fs.readFileSync(certFile), ca = fs.readFileSync(caFile);
      const out = {};
      (async () => {
        for (const [label, id] of [['node', 'node:https'], ['ours', distHttps]]) {
          const m = require(id);
          const original = m.globalAgent;
          const made = [];
          const agent = new m.Agent({ keepAlive: false });
          const create = agent.createConnection;
          agent.createConnection = function (...args) { made.push('replaced'); return create.apply(this, args); };
          m.globalAgent = agent;
          const server = m.createServer({ key, cert }, (req, res) => res.end('hi'));
          await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
          const body = await new Promise((resolve, reject) => {
            m.get({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca }, (res) => {
              let text = '';
              res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve(text));
            }).on('error', reject);
          });
          m.globalAgent = original;
          server.close();
          out[label] = [body, made, m.globalAgent === original, Object.getOwnPropertyDescriptor(m, 'globalAgent').writable];
        }
        console.log(JSON.stringify(out));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = runScript(script, [
      path.join(dist, 'https.js'),
      fixturePath('server-ec-key.pem'),
      fixturePath('server-ec.pem'),
      fixturePath('ca.pem'),
    ]);
    assert.deepEqual(out.ours, out.node);
    assert.deepEqual(out.node, ['hi', ['replaced'], true, true]);
  });

  it("http2's exports are writable, as node:http2's", () => {
    const script = `
      const out = {};
      for (const [label, id] of [['node', 'node:http2'], ['ours', process.argv[1]]]) {
        const m = require(id);
        out[label] = ['connect', 'createSecureServer', 'createServer'].map((name) => {
          const original = m[name];
          m[name] = () => name;
          const took = m[name]() === name;
          m[name] = original;
          return took;
        });
      }
      console.log(JSON.stringify(out));`;
    const out = runScript(script, [path.join(dist, 'http2.js')]);
    assert.deepEqual(out.ours, out.node);
    assert.deepEqual(out.node, [true, true, true]);
  });
});

describe('drop-in: checkServerIdentity', () => {
  it('a falsy answer (false, null) accepts the server, as in node:tls', async () => {
    const server = nodeTls.createServer(ec, (s) => s.end('hi'));
    const port = await listen(server);
    try {
      const seen: Record<string, unknown[]> = {};
      for (const [label, impl] of [
        ['node', nodeTls],
        ['ours', tls],
      ] as const) {
        seen[label] = [];
        for (const answer of [false, null, undefined]) {
          // The certificate names localhost, not 127.0.0.1: only the check's answer decides.
          const c = (impl as typeof nodeTls).connect({
            port,
            host: '127.0.0.1',
            ca,
            checkServerIdentity: () => answer as unknown as undefined,
          });
          c.on('error', (e: NodeJS.ErrnoException) => seen[label]?.push(`error ${e.code}`));
          c.resume();
          await waitFor(c, 'close').catch(() => {});
          seen[label]?.push(c.authorized);
        }
      }
      assert.deepEqual(seen.ours, seen.node);
      assert.deepEqual(seen.node, [true, true, true]);
    } finally {
      await close(server);
    }
  });
});

describe('drop-in: setTimeout() on a destroyed socket', () => {
  it('does nothing, as net.Socket (no listener, no timer)', () => {
    const seen = [nodeTls, tls].map((impl) => {
      const s = new (impl as typeof nodeTls).TLSSocket(null as unknown as nodeTls.TLSSocket);
      s.destroy();
      s.setTimeout(1000, () => {});
      return [s.listenerCount('timeout'), s.timeout];
    });
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[0], [0, undefined]);
  });

  it('closeAllConnections() while a response finishes: the process exits at once, as with node:https', () => {
    // An HTTP server sets its keep-alive timeout when a response finishes; here that is
    // after closeAllConnections() destroyed the socket. A timer made then would keep
    // the process alive for keepAliveTimeout (5 s) more.
    const script = `
      const fs = require('node:fs');
      const [https, tls, keyFile, certFile] = process.argv.slice(1).map((a, i) => (i < 2 ? require(a) : a));
      const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (req, res) => {
        res.writeHead(200, { Connection: 'keep-alive' });
        res.end();
      });
      server.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ port: server.address().port, host: '127.0.0.1', rejectUnauthorized: false });
        let text = '';
        c.setEncoding('utf8').on('data', (d) => {
          text += d;
          if (!text.endsWith('0\\r\\n\\r\\n')) return;
          server.closeAllConnections();
          server.close();
        });
        c.on('close', () => console.log(JSON.stringify({ closed: true })));
        c.write('GET / HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n');
      });`;
    for (const [httpsId, tlsId] of [
      ['node:https', 'node:tls'],
      [path.join(dist, 'https.js'), path.join(dist, 'index.js')],
    ]) {
      const started = Date.now();
      const r = spawnSync(
        process.execPath,
        [
          '-e',
          script,
          httpsId as string,
          tlsId as string,
          fixturePath('server-ec-key.pem'),
          fixturePath('server-ec.pem'),
        ],
        { encoding: 'utf8', timeout: 4000 },
      );
      assert.equal(r.signal, null, `${httpsId}: still running after 4 s (${Date.now() - started} ms)`);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { closed: true });
    }
  });
});

describe('drop-in: http2.connect', () => {
  const h2modules: Array<[string, typeof nodeHttp2]> = [
    ['node:http2', nodeHttp2],
    ['openssl-tls', ourHttp2 as unknown as typeof nodeHttp2],
  ];

  /** A node:http2 server answering 'ok'; runs `fn` with its port. */
  async function withH2Server(fn: (port: number) => Promise<void>): Promise<void> {
    const server = nodeHttp2.createSecureServer(ec);
    server.on('stream', (stream) => {
      stream.respond();
      stream.end('ok');
    });
    const port = await listen(server as unknown as net.Server);
    try {
      await fn(port);
    } finally {
      await close(server as unknown as net.Server);
    }
  }

  it('util.promisify(connect) resolves with the connected session and rejects with its error, as node:http2', async () => {
    await withH2Server(async (port) => {
      const seen: Record<string, unknown[]> = {};
      for (const [label, m] of h2modules) {
        const connect = util.promisify(m.connect) as unknown as (
          authority: string,
          options: nodeHttp2.SecureClientSessionOptions,
        ) => Promise<nodeHttp2.ClientHttp2Session>;
        const session = await connect(`https://localhost:${port}`, { ca });
        const body = await new Promise<string>((resolve, reject) => {
          let text = '';
          const req = session.request();
          req.setEncoding('utf8');
          req.on('data', (d: string) => (text += d));
          req.on('end', () => resolve(text));
          req.on('error', reject);
        });
        session.close();
        const error = await connect(`https://127.0.0.1:1`, { ca }).then(
          () => 'connected',
          (e: unknown) => (e as NodeJS.ErrnoException).code,
        );
        seen[label] = [session.encrypted, session.alpnProtocol, body, error];
      }
      assert.deepEqual(seen['openssl-tls'], seen['node:http2']);
      assert.deepEqual(seen['node:http2'], [true, 'h2', 'ok', 'ECONNREFUSED']);
    });
  });

  it("an empty servername sends the authority's host name, as node:http2", async () => {
    await withH2Server(async (port) => {
      const seen: Record<string, unknown[]> = {};
      for (const [label, m] of h2modules) {
        const options = { ca, servername: '' };
        const session = m.connect(`https://localhost:${port}`, options);
        await waitFor(session, 'connect');
        const socket = session.socket as nodeTls.TLSSocket;
        seen[label] = [session.originSet, socket.servername, options.servername];
        session.close();
      }
      assert.deepEqual(seen['openssl-tls'], seen['node:http2']);
      assert.deepEqual(seen['node:http2'], [[`https://localhost:${port}`], 'localhost', '']);
    });
  });
  it('close() and then a reset from the server: the session closes without an error, as node:http2', async () => {
    const seen: Record<string, string[]> = {};
    for (const [label, m] of h2modules) {
      seen[label] = [];
      for (let i = 0; i < 5; i++) {
        const server = nodeHttp2.createSecureServer(ec);
        const raw = new Set<net.Socket>();
        server.on('connection', (s: net.Socket) => raw.add(s));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as net.AddressInfo;
        const session = m.connect(`https://localhost:${port}`, {
          ca,
          host: '127.0.0.1',
        } as nodeHttp2.SecureClientSessionOptions);
        const events: string[] = [];
        session.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${String(e.code)}`));
        // (Not waitFor: an 'error' is what this records, not a reason to stop.)
        const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
        try {
          await waitFor(session, 'connect');
          session.close();
          // The server goes at once: destroyed with the client's GOAWAY unread, its end resets.
          for (const s of raw) s.destroy();
          await closed;
          events.push('close');
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        seen[label]?.push(events.join(','));
      }
    }
    assert.deepEqual(seen['openssl-tls'], seen['node:http2']);
    assert.deepEqual(seen['node:http2'], ['close', 'close', 'close', 'close', 'close']);
  });
});
