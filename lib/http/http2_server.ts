// http2.createSecureServer() on openssl-tls: our TLS server carrying node's http2
// server parts (lib/http/node_http2.ts), as node's Http2SecureServer carries them
// on node:tls. ALPN picks the protocol: 'h2' becomes a ServerHttp2Session (node's),
// 'http/1.1' (or no ALPN) goes to node's HTTP/1 handler when allowHTTP1 is set.
import * as http from 'node:http';
import * as http2 from 'node:http2';
import { callableClass } from '../internal/callable';
import { invalidArgType } from '../internal/errors';
import { validateFunction } from '../internal/validators';
import { Server as TlsServer, type TlsServerOptions } from '../server/server';
import type { TLSSocket } from '../socket/tls_socket';
import { ignoreErrorsAfterShutdown } from './after_shutdown';
import { relayCleartext } from './cleartext_relay';
import { reportTlsOnSession, reportTlsOnWrapper } from './http2_tls_view';
import { nodeHttpServer, type HttpLikeServer } from './node_http';
import { normalizedOptions, parts, sessionSocket } from './node_http2';

/** createSecureServer()'s options: node's http2.SecureServerOptions on our TLS server's. */
export interface SecureServerOptions
  extends TlsServerOptions, Omit<http2.SecureServerOptions, keyof TlsServerOptions> {}

type RequestListener = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

const httpProto = http.Server.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;

// The socket whose session node's connection listener is making over node's
// JSStreamSocket (see onSecureConnection); null when it is relayed.
let connecting: TLSSocket | null = null;

/** 'secureConnection': node's http2 connection listener, with what node:tls sockets give it. */
function onSecureConnection(this: Http2SecureServer, socket: TLSSocket): void {
  const owned = socket as TLSSocket & { server?: unknown };
  // node:tls sockets carry their server (allowHTTP1 puts the HTTP/1 classes on it).
  if (owned.server === undefined || owned.server === null) owned.server = this;
  ignoreErrorsAfterShutdown(socket);
  if (socket.alpnProtocol === 'h2') {
    // The native transport: the session reads a socketpair natively (cleartext_relay.ts).
    const pipe = relayCleartext(socket);
    if (pipe !== null) {
      // (The session disables renegotiation through the pipe, which answers as our socket.)
      parts.connectionListener.call(this, pipe);
      return;
    }
    // Only an HTTP/2 session writes to it then (allowHTTP1's sockets are the user's).
    socket._completeWritesAtOnce();
    // node's JSStreamSocket finishes each write a turn later (setImmediate), and the session
    // keeps what it reads meanwhile until then: the peer's end waits a turn more, so that the
    // session has seen what came before it (a 'stream') when the socket's 'end' is emitted.
    socket._deferReadableEnd((proceed) => setImmediate(proceed));
  }
  connecting = socket;
  try {
    parts.connectionListener.call(this, socket);
  } finally {
    connecting = null;
  }
}

/** Before any 'session' listener of the user: the session reports our socket's TLS. */
function onSession(this: Http2SecureServer, session: http2.ServerHttp2Session): void {
  const socket = connecting;
  if (socket === null) return;
  // node's session calls these on a node:tls socket; on the wrapper around ours they are missing.
  socket.disableRenegotiation();
  reportTlsOnSession(session, socket);
  reportTlsOnWrapper(session, socket);
  // node:tls's socket is the session's own: destroyed, the session knows at once (and a
  // session destroyed next lets go of everything). node's wrapper would hear of it a tick
  // later; it goes with our socket instead. (Its error still comes as the socket's 'error'.)
  const wrapper = sessionSocket(session);
  if (wrapper !== undefined) socket._whenDestroyed(() => void wrapper.destroy());
}

class Http2SecureServer extends TlsServer {
  declare timeout: number;

  constructor(options?: SecureServerOptions | null, requestListener?: RequestListener) {
    // (http2.createServer would take a function for the handler; createSecureServer does not.)
    if (typeof options === 'function') throw invalidArgType('options', 'Object', options);
    // Validated and completed by node's http2 (settings, HTTP/1 classes, unknownProtocolTimeout).
    const opts = normalizedOptions(options as object) as SecureServerOptions & Record<string, unknown>;
    if (!opts.ALPNCallback) opts.ALPNProtocols = opts.allowHTTP1 === true ? ['h2', 'http/1.1'] : ['h2'];
    // node's http2 sets TCP_NODELAY on each socket it takes.
    super({ noDelay: true, ...opts }, null);
    (this as unknown as Record<symbol, unknown>)[parts.kOptions] = opts;
    this.timeout = 0;
    this.prependListener('session', onSession);
    this.on('secureConnection', onSecureConnection);
    this.on('newListener', parts.setupCompat);
    if (opts.allowHTTP1 === true) {
      const self = this as unknown as Record<string, unknown>;
      self.headersTimeout = 60_000;
      self.requestTimeout = 300_000;
      self.connectionsCheckingInterval = 30_000;
      this.on('listening', nodeHttpServer.setupConnectionsTracking);
    }
    if (typeof requestListener === 'function') this.on('request', requestListener);
  }

  #options(): SecureServerOptions & Record<string, unknown> {
    return (this as unknown as Record<symbol, SecureServerOptions & Record<string, unknown>>)[parts.kOptions];
  }

  /** The session idle timeout for new sessions; `callback` listens to 'timeout'. */
  setTimeout(msecs: number, callback?: () => void): this {
    this.timeout = msecs;
    if (callback !== undefined) {
      validateFunction(callback, 'callback');
      this.on('timeout', callback);
    }
    return this;
  }

  /** Settings for new sessions (validated as node validates them). */
  updateSettings(settings: http2.Settings): void {
    if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
      throw invalidArgType('settings', 'Object', settings);
    }
    http2.getPackedSettings(settings);
    const options = this.#options();
    options.settings = { ...(options.settings as http2.Settings), ...settings };
  }

  override close(callback?: (err?: Error) => void): this {
    if (this.#options().allowHTTP1 === true) nodeHttpServer.httpServerPreClose(this as unknown as HttpLikeServer);
    super.close(callback);
    return this;
  }

  /** allowHTTP1: closes the HTTP/1 connections with no request under way. */
  closeIdleConnections(): void {
    if (this.#options().allowHTTP1 === true) httpProto.closeIdleConnections.call(this);
  }
}

/** node's Http2SecureServer, on openssl-tls. */
export type SecureServer = Http2SecureServer;
export const SecureServer = callableClass(Http2SecureServer, 'Http2SecureServer', true);

/**
 * node's createSecureServer(options[, onRequestHandler]). (@types/node also lists a form
 * with the handler alone; node throws ERR_INVALID_ARG_TYPE for it, and so does this.)
 */
export function createSecureServer(onRequestHandler?: RequestListener): SecureServer;
export function createSecureServer(options: SecureServerOptions, onRequestHandler?: RequestListener): SecureServer;
export function createSecureServer(
  options?: SecureServerOptions | RequestListener,
  onRequestHandler?: RequestListener,
): SecureServer {
  return new SecureServer(options as SecureServerOptions, onRequestHandler);
}
