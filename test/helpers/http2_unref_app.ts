// Run by test/http2-relay.test.ts in a child process: an http2 secure server (node's
// or ours, argv[2]) answers one request from an http2 client (node's or ours,
// argv[3]); then the client's
// session, the server's session and the server are unref'd and nothing is closed.
// The process must exit on its own (the test's timeout says it did not).
import { readFileSync } from 'node:fs';
import * as nodeHttp2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as ours from '../../lib/http2';

const [impl, clientImpl, keyPath, certPath, caPath] = process.argv.slice(2) as [string, string, string, string, string];
const options = { key: readFileSync(keyPath), cert: readFileSync(certPath) };
const server = impl === 'ours' ? ours.createSecureServer(options) : nodeHttp2.createSecureServer(options);
let serverSession: nodeHttp2.ServerHttp2Session | null = null;
server.on('session', (s: nodeHttp2.ServerHttp2Session) => (serverSession = s));
server.on('stream', (stream: nodeHttp2.ServerHttp2Stream) => {
  stream.respond({ ':status': 200 });
  stream.end('hi');
});
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  const authority = `https://localhost:${port}`;
  const clientOptions = { ca: readFileSync(caPath) };
  const client =
    clientImpl === 'ours' ? ours.connect(authority, clientOptions) : nodeHttp2.connect(authority, clientOptions);
  const req = client.request({ ':path': '/' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => (body += d));
  req.on('end', () => {
    process.stdout.write(`answered ${body}\n`);
    client.unref();
    serverSession?.unref();
    server.unref();
  });
});
