'use strict';
// The HTTP servers under test for bench/server.js --mode https|h2: node's https or
// http2 ('node'), or openssl-tls's ('ours', from the run's copy of dist/). Each
// answers every request with the same 1 KiB body and counts requests, handshakes
// and resumed handshakes.
const path = require('node:path');
const { root } = require('./fixtures');

const body = Buffer.alloc(1024, 'x');

/** node's https/http2, or ours (from OTLS_BENCH_DIST's directory, as tlsModule() finds index.js). */
function httpModule(impl, name) {
  if (impl === 'node') return require(`node:${name}`);
  if (impl === 'ours') {
    const dist = process.env.OTLS_BENCH_DIST ? path.dirname(process.env.OTLS_BENCH_DIST) : path.join(root, 'dist');
    return require(path.join(dist, `${name}.js`));
  }
  throw new Error(`unknown --impl ${impl} (node|ours)`);
}

/**
 * An https (mode 'https') or http2 (mode 'h2') server of `impl` with `options`
 * (key, cert, versions); `counters` gets requests, handshakes and reused.
 */
function createHttpServer(impl, mode, options, counters, noteError) {
  const onSecure = (socket) => {
    counters.handshakes++;
    if (socket.isSessionReused()) counters.reused++;
    counters.open++;
    socket.on('close', () => counters.open--);
  };
  let server;
  if (mode === 'https') {
    server = httpModule(impl, 'https').createServer(options, (req, res) => {
      counters.requests++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
    // Long enough for a whole trial; wrk keeps its connections for all of it.
    server.keepAliveTimeout = 120_000;
    // TLS errors come here too (node's https and ours both make them 'clientError').
    server.on('clientError', (err, socket) => {
      noteError(err);
      socket.destroy();
    });
  } else if (mode === 'h2') {
    server = httpModule(impl, 'http2').createSecureServer(options);
    server.on('stream', (stream) => {
      counters.requests++;
      stream.on('error', noteError);
      stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length });
      stream.end(body);
    });
    server.on('session', (session) => session.on('error', noteError));
    server.on('tlsClientError', noteError);
  } else {
    throw new Error(`not an HTTP mode: ${mode}`);
  }
  server.on('secureConnection', onSecure);
  return server;
}

module.exports = { createHttpServer, httpModule, body };
