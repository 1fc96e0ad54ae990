// What openssl-tls/https takes from node's own HTTP server: the functions node's
// https.js builds https.Server from (require('_http_server'), a built-in module
// node exports them from for https.js). Using them, rather than a copy, keeps
// the parser, timeouts, connection tracking and keep-alive exactly node's, in
// whichever node runs. Checked once at load: a node without them fails here
// with a clear error instead of at the first connection.
import type * as net from 'node:net';
import { createRequire } from 'node:module';

/** A server the functions below work on: an http-like server (node calls them with `this`). */
export type HttpLikeServer = net.Server & Record<string | symbol, unknown>;

export interface NodeHttpServerInternals {
  /** Validates and records the HTTP options (timeouts, parser limits, classes) on the server. */
  storeHTTPOptions: (this: HttpLikeServer, options: object) => void;
  /** The HTTP/1 connection handler: parser, requests, responses, timeouts of one socket. */
  _connectionListener: (this: HttpLikeServer, socket: net.Socket) => void;
  /** 'listening': starts the connection list and the requestTimeout/headersTimeout sweep. */
  setupConnectionsTracking: (this: HttpLikeServer) => void;
  /** close(): closes idle connections and stops the sweep. */
  httpServerPreClose: (server: HttpLikeServer) => void;
  /** The symbol under which a server keeps its ServerResponse class. */
  kServerResponse: symbol;
}

const nodeRequire = createRequire(__filename);

function load(): NodeHttpServerInternals {
  const m = nodeRequire('_http_server') as Partial<NodeHttpServerInternals>;
  const missing = (
    ['storeHTTPOptions', '_connectionListener', 'setupConnectionsTracking', 'httpServerPreClose'] as const
  ).filter((name) => typeof m[name] !== 'function');
  if (typeof m.kServerResponse !== 'symbol') missing.push('kServerResponse' as never);
  if (missing.length > 0) {
    throw new Error(
      `openssl-tls/https needs node's _http_server exports (${missing.join(', ')} missing in node ${process.version})`,
    );
  }
  return m as NodeHttpServerInternals;
}

export const nodeHttpServer: NodeHttpServerInternals = load();

/** The symbol under which a server keeps its IncomingMessage class (_http_common's kIncomingMessage). */
export const kIncomingMessage: symbol = (() => {
  const common = nodeRequire('_http_common') as { kIncomingMessage?: unknown };
  if (typeof common.kIncomingMessage !== 'symbol') {
    throw new Error(`openssl-tls/https needs node's _http_common kIncomingMessage (node ${process.version})`);
  }
  return common.kIncomingMessage;
})();
