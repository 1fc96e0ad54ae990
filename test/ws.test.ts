// ws over openssl-tls: a WebSocketServer on our https server (the upgrade comes
// through node's HTTP machinery on our TLSSocket), and a ws client whose
// connection our https Agent makes. Each way: a large message, permessage-deflate.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as nodeHttps from 'node:https';
import type { AddressInfo } from 'node:net';
import type * as WsModule from 'ws';
import * as https from '../lib/https';
import * as tls from '../lib/index';
import { fixture } from './helpers/fixtures';
import { close, listen } from './helpers/net';
import { needModule } from './helpers/optional_peers';

const ec = { key: fixture('server-ec-key.pem'), cert: fixture('server-ec.pem') };
const ca = fixture('ca.pem');

/** 8 MiB that deflate can shrink but not to nothing: text with random words in it. */
function largeMessage(): Buffer {
  const words = Array.from({ length: 4096 }, () => randomBytes(6).toString('base64'));
  const parts: string[] = [];
  let size = 0;
  while (size < 8 * 1024 * 1024) {
    const w = words[Math.floor(Math.random() * words.length)] ?? '';
    parts.push(w);
    size += w.length + 1;
  }
  return Buffer.from(parts.join(' '));
}

/** Sends `message` on an open socket and resolves with the reply. */
async function echo(client: WsModule.WebSocket, message: Buffer): Promise<Buffer> {
  const reply = once(client, 'message') as Promise<[Buffer, boolean]>;
  client.send(message);
  const [data] = await reply;
  return data;
}

describe('ws over openssl-tls', function () {
  this.timeout(60_000);
  let ws: typeof WsModule;
  before(function () {
    needModule(this, 'ws');
    ws = require('ws') as typeof WsModule;
  });

  it("WebSocketServer({ server }) on our https server: node's TLS client, 8 MiB echoed with permessage-deflate", async () => {
    const server = https.createServer(ec);
    const wss = new ws.WebSocketServer({ server, perMessageDeflate: true });
    const serverSockets: unknown[] = [];
    wss.on('connection', (socket, req) => {
      serverSockets.push(req.socket);
      socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    });
    const port = await listen(server);
    const client = new ws.WebSocket(`wss://localhost:${port}/`, { ca, perMessageDeflate: true });
    try {
      await once(client, 'open');
      assert.match(client.extensions, /permessage-deflate/);
      const message = largeMessage();
      const back = await echo(client, message);
      assert.ok(back.equals(message));
      assert.ok(serverSockets[0] instanceof tls.TLSSocket);
      assert.equal((serverSockets[0] as tls.TLSSocket).getProtocol(), 'TLSv1.3');
      client.close(1000, 'done');
      const [code] = (await once(client, 'close')) as [number];
      assert.equal(code, 1000);
    } finally {
      client.terminate();
      wss.close();
      await close(server);
    }
  });

  it('a ws client over our https.Agent against a node:https WebSocketServer: 8 MiB echoed with permessage-deflate', async () => {
    const server = nodeHttps.createServer(ec);
    const wss = new ws.WebSocketServer({ server, perMessageDeflate: true });
    wss.on('connection', (socket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const agent = new https.Agent({ ca });
    const client = new ws.WebSocket(`wss://localhost:${port}/`, { agent, perMessageDeflate: true });
    try {
      const upgraded = new Promise<unknown>((resolve) =>
        client.once('upgrade', (res: { socket: unknown }) => resolve(res.socket)),
      );
      await once(client, 'open');
      assert.ok((await upgraded) instanceof tls.TLSSocket, 'the connection is ours');
      assert.match(client.extensions, /permessage-deflate/);
      const message = largeMessage();
      assert.ok((await echo(client, message)).equals(message));
      client.close(1000);
      await once(client, 'close');
    } finally {
      client.terminate();
      agent.destroy();
      wss.close();
      server.close();
    }
  });
});
