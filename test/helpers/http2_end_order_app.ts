// Run by test/http2-relay.test.ts in a child process (with --expose-gc): an http2
// secure server (node's or ours, argv[2]) gets, from a node:tls client, the
// preface, SETTINGS and one request's HEADERS followed at once by close_notify
// and FIN. Its TLS socket's 'end' listener notes whether the session had emitted
// the 'stream' by then, destroys the socket and the session, and collects garbage
// on the next turn: the session must be gone by then. Prints what it saw as JSON.
import { readFileSync } from 'node:fs';
import * as nodeHttp2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as nodeTls from 'node:tls';
import * as ours from '../../lib/http2';

const [impl, keyPath, certPath] = process.argv.slice(2) as [string, string, string];
const options = { key: readFileSync(keyPath), cert: readFileSync(certPath) };
const server = impl === 'ours' ? ours.createSecureServer(options) : nodeHttp2.createSecureServer(options);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const seen: string[] = [];
let collected = false;
const registry = new FinalizationRegistry(() => (collected = true));
let firstStream: nodeHttp2.ServerHttp2Stream | null = null;

server.on('session', (session: nodeHttp2.ServerHttp2Session) => registry.register(session, 'session'));
server.on('stream', (stream: nodeHttp2.ServerHttp2Stream) => {
  seen.push('stream');
  stream.write('a'.repeat(1024));
  firstStream = stream;
});
server.on('secureConnection', (socket: nodeTls.TLSSocket) => {
  socket.on('end', () => {
    seen.push(firstStream === null ? 'end before any stream' : 'end');
    socket.destroy();
    firstStream?.session?.destroy();
    firstStream = null;
    setImmediate(() => {
      gc();
      gc();
      server.close();
      setTimeout(() => process.stdout.write(`${JSON.stringify({ seen, collected })}\n`), 100);
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  // HEADERS on stream 1, END_STREAM | END_HEADERS: GET https://localhost/ (HPACK, static table).
  const block = Buffer.from([0x82, 0x87, 0x84, 0x41, 0x09, ...Buffer.from('localhost')]);
  const headers = Buffer.concat([Buffer.from([0, 0, block.length, 1, 5, 0, 0, 0, 1]), block]);
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const client = nodeTls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () =>
    client.end(Buffer.concat([preface, settings, headers])),
  );
  client.on('error', () => {});
  client.resume();
});
