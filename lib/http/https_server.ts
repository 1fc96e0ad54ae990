// https.Server on openssl-tls: what node's https.js builds on node:tls, built on
// our tls.Server. It is a TLS server whose 'secureConnection' listener is node's
// own HTTP/1 connection handler (lib/http/node_http.ts), so requests, responses,
// keep-alive, requestTimeout/headersTimeout (408), connection tracking and
// closeIdleConnections() are node's, over our TLSSocket. As in node, it is not an
// instance of http.Server: it borrows http.Server's methods.
import * as http from 'node:http';
import type * as net from 'node:net';
import { callableClass } from '../internal/callable';
import { invalidArgType } from '../internal/errors';
import { Server as TlsServer, type TlsServerOptions } from '../server/server';
import { ignoreErrorsAfterShutdown } from './after_shutdown';
import { nodeHttpServer, type HttpLikeServer } from './node_http';

/** createServer()'s options: node's http.ServerOptions and our TLS server's. */
export interface ServerOptions extends TlsServerOptions, http.ServerOptions {}

type RequestListener = http.RequestListener;

// (The methods node's https.Server borrows from http.Server.)
const httpProto = http.Server.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;

class HttpsServer extends TlsServer {
  // Set by node's storeHTTPOptions and http code; declared for TypeScript.
  declare requestTimeout: number;
  declare headersTimeout: number;
  declare keepAliveTimeout: number;
  declare maxHeadersCount: number | null;
  declare maxRequestsPerSocket: number | null;
  declare timeout: number;
  declare httpAllowHalfOpen: boolean;

  constructor(options?: ServerOptions | RequestListener | null, requestListener?: RequestListener) {
    let opts: ServerOptions;
    let alpn: string[] | undefined = ['http/1.1'];
    if (typeof options === 'function') {
      requestListener = options;
      opts = {};
    } else if (options === undefined || options === null) {
      opts = {};
    } else if (typeof options === 'object' && !Array.isArray(options)) {
      opts = options;
      // One of ALPNProtocols and ALPNCallback may be given: the default only when neither is.
      if (opts.ALPNProtocols || opts.ALPNCallback) alpn = undefined;
    } else {
      throw invalidArgType('options', 'Object', options);
    }
    // node checks the HTTP options before the TLS ones: on a scratch object first.
    nodeHttpServer.storeHTTPOptions.call(Object.create(null) as HttpLikeServer, opts);
    super({ noDelay: true, ALPNProtocols: alpn, ...opts }, null);
    const self = this as unknown as HttpLikeServer;
    nodeHttpServer.storeHTTPOptions.call(self, opts);
    // node's HTTP/1 handler takes each socket once it is secure.
    this.on('secureConnection', ignoreErrorsAfterShutdown);
    this.on('secureConnection', nodeHttpServer._connectionListener);
    this.httpAllowHalfOpen = false;
    if (requestListener) this.on('request', requestListener);
    this.timeout = 0;
    this.maxHeadersCount = null;
    this.on('listening', nodeHttpServer.setupConnectionsTracking);
  }

  /** Destroys every connection, busy or not (http.Server's). */
  closeAllConnections(): void {
    httpProto.closeAllConnections.call(this);
  }

  /** Destroys the connections with no request under way (http.Server's). */
  closeIdleConnections(): void {
    httpProto.closeIdleConnections.call(this);
  }

  /** The socket idle timeout for new connections; `callback` listens to 'timeout'. */
  setTimeout(msecs?: number, callback?: (socket: net.Socket) => void): this;
  setTimeout(callback: (socket: net.Socket) => void): this;
  setTimeout(msecs?: number | ((socket: net.Socket) => void), callback?: (socket: net.Socket) => void): this {
    httpProto.setTimeout.call(this, msecs, callback);
    return this;
  }

  /** Stops listening; idle connections are closed now, busy ones after their response (node's). */
  override close(callback?: (err?: Error) => void): this {
    nodeHttpServer.httpServerPreClose(this as unknown as HttpLikeServer);
    super.close(callback);
    return this;
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.close((err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }
}

/** node's https.Server, on openssl-tls: a class, and callable without `new` as node's is. */
export type Server = HttpsServer;
export const Server = callableClass(HttpsServer, 'Server', true);

export function createServer(
  options?: ServerOptions | RequestListener | null,
  requestListener?: RequestListener,
): Server {
  return new Server(options, requestListener);
}
