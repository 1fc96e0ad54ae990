// The package's types against @types/node's node:tls: a program typed for
// node:tls compiles unchanged on openssl-tls (the module is assignable to
// `typeof import('node:tls')`, takes node's option types, returns node's
// certificate types, types its events), and a misspelt member is still an
// error. Compiled with the TypeScript compiler against dist/index.d.ts (which
// `npm test` builds first), importing the package by its name.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');

/** Diagnostics of one program made of `source` (a file inside the package, importing 'openssl-tls'). */
function compile(source: string): string[] {
  const file = path.join(root, 'test', '__types_check__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  host.getSourceFile = (name, language, onError, create) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : getSourceFile.call(host, name, language, onError, create);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0] ?? ''}`);
}

describe('types: a program typed for node:tls compiles on openssl-tls', function () {
  this.timeout(60_000);

  it('the module, its options, certificates and events as node:tls types them', () => {
    const errors = compile(`
      import * as nodeTls from 'node:tls';
      import * as tls from 'openssl-tls';

      const asNode: typeof import('node:tls') = tls;
      const serverOptions: nodeTls.TlsOptions = { requestCert: true, ALPNCallback: ({ servername }) => servername };
      const clientOptions: nodeTls.ConnectionOptions = { servername: 'x', checkServerIdentity: nodeTls.checkServerIdentity };
      const server: nodeTls.Server = tls.createServer(serverOptions, (s: nodeTls.TLSSocket) => s.end());
      const socket: nodeTls.TLSSocket = tls.connect(clientOptions, () => {});
      const ours = tls.connect({ port: 1, nativeTransport: false });
      const cert: nodeTls.PeerCertificate = ours.getPeerCertificate();
      const detailed: nodeTls.DetailedPeerCertificate = ours.getPeerCertificate(true);
      const issuer: string | string[] | undefined = detailed.issuerCertificate.subject.CN;
      const session: Buffer | undefined = ours.getSession();
      ours.on('secureConnect', () => {});
      ours.once('session', (s: Buffer) => s.length);
      ours.on('keylog', (line: Buffer) => line.length);
      const srv = tls.createServer({ key: 'k', cert: 'c' });
      srv.on('secureConnection', (s) => s.getProtocol());
      srv.on('tlsClientError', (err: Error, s: nodeTls.TLSSocket) => s.destroy(err));
      srv.on('newSession', (id: Buffer, data: Buffer, done: () => void) => done());
      srv.setSecureContext({ minVersion: 'TLSv1.3' });
      const keys: Buffer = srv.getTicketKeys();
      class Sub extends tls.Server {}
      class SubSocket extends tls.TLSSocket {}
      const direct = new tls.TLSSocket(socket, { isServer: false, rejectUnauthorized: true });
      const called = tls.Server({}, () => {});
      const ctx = tls.createSecureContext({ ca: ['x'], ecdhCurve: 'auto' });
      void [asNode, server, cert, issuer, session, keys, Sub, SubSocket, direct, called, ctx];
    `);
    assert.deepEqual(errors, []);
  });

  it('settable exports, as a CommonJS program sets them', () => {
    const program = (name: string): string => `
      import tls = require('${name}');
      tls.DEFAULT_MIN_VERSION = 'TLSv1.3';
      tls.DEFAULT_CIPHERS = 'HIGH';
      tls.checkServerIdentity = (host, c) => (c.subject.CN === host ? undefined : new Error('no'));
    `;
    assert.deepEqual(compile(program('node:tls')), []);
    assert.deepEqual(compile(program('openssl-tls')), []);
  });

  it('a misspelt method on a socket or a server is an error', () => {
    const errors = compile(`
      import * as tls from 'openssl-tls';
      const socket = tls.connect({ port: 1 });
      socket.getPeerCertficate();
      tls.createServer({}).addContex('x', {});
    `);
    assert.equal(errors.length, 2, errors.join('\n'));
    for (const e of errors) assert.match(e, /^TS2551: Property '(getPeerCertficate|addContex)' does not exist/);
  });

  it('an option of the wrong type is an error', () => {
    const errors = compile(`
      import * as tls from 'openssl-tls';
      tls.connect({ port: 1, servername: 5 });
      tls.createServer({ requestCert: 'yes' });
    `);
    assert.equal(errors.length, 2, errors.join('\n'));
  });

  it('openssl-tls/https and openssl-tls/http2 are assignable to node:https and node:http2, servers included', () => {
    const errors = compile(`
      import * as nodeHttps from 'node:https';
      import * as nodeHttp2 from 'node:http2';
      import * as https from 'openssl-tls/https';
      import * as http2 from 'openssl-tls/http2';
      import { buildConnector, createAgent } from 'openssl-tls/undici';

      const asHttps: typeof import('node:https') = https;
      const asHttp2: typeof import('node:http2') = http2;
      const server: nodeHttps.Server = https.createServer({ key: 'k', cert: 'c', requestTimeout: 1000 }, (req, res) => res.end(req.url));
      server.closeIdleConnections();
      server.setTimeout(5, () => {});
      const agent: nodeHttps.Agent = new https.Agent({ keepAlive: true, maxCachedSessions: 10 });
      https.get('https://example.com', { agent }, (res) => res.resume());
      const h2: nodeHttp2.Http2SecureServer = http2.createSecureServer({ allowHTTP1: true }, (req, res) => res.end(req.url));
      h2.on('session', (s) => s.encrypted);
      const session: nodeHttp2.ClientHttp2Session = http2.connect('https://example.com', { ca: 'x' }, (s) => s.alpnProtocol);
      const connector: (p: { hostname: string; protocol: string; port: string }, cb: (e: Error | null) => void) => unknown =
        buildConnector({ allowH2: true, ca: 'x' });
      createAgent({ allowH2: true, connect: { ca: 'x', maxCachedSessions: 1 } });
      https.createServer({ requestTimeout: 'soon' });
    `);
    // Only the option of the wrong type.
    assert.deepEqual(errors, ["TS2322: Type 'string' is not assignable to type 'number'."]);
  });
});
