// An undici connector on openssl-tls: what undici's own buildConnector() does
// (undici/lib/core/connect.js), with our connect() for https: origins. Give it to
// undici as `new Agent({ connect: buildConnector(options) })` (or Client, Pool):
// undici calls it for every new connection and speaks HTTP/1.1 (or HTTP/2 when
// allowH2 and the server picks 'h2' by ALPN) over the socket it gets back.
// undici itself is not loaded here: the module works without it installed.
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from '../connect';
import { invalidArgValue } from '../internal/errors';
import type { TLSSocket } from '../socket/tls_socket';

/** buildConnector()'s options: undici's (allowH2, maxCachedSessions, ...) and our connect()'s TLS options. */
export interface ConnectorOptions extends Omit<ConnectionOptions, 'timeout' | 'session'> {
  /** Offer 'h2' by ALPN as well as 'http/1.1' (pair with the Agent's allowH2). */
  allowH2?: boolean;
  /** Plain-TCP origins: speak HTTP/2 without a TLS handshake (undici's useH2c). */
  useH2c?: boolean;
  /** TLS sessions kept for resumption, one per server name (default 100, 0: none). */
  maxCachedSessions?: number;
  /** Connect to this Unix socket instead of the origin's host and port. */
  socketPath?: string;
  /** Connection (TCP and TLS handshake) timeout in ms (default 10 s, 0: none). */
  timeout?: number;
  /** A session to resume on every connection (instead of the cache). */
  session?: Buffer;
}

/** What undici hands a connector for each new connection. */
export interface ConnectParams {
  hostname: string;
  host?: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
  localAddress?: string | null;
  httpSocket?: net.Socket;
}

export type ConnectCallback = (err: Error | null, socket?: net.Socket | TLSSocket) => void;
export type Connector = (params: ConnectParams, callback: ConnectCallback) => net.Socket | TLSSocket;

/** Sessions per server name, least recently stored dropped first. */
class SessionCache {
  readonly #max: number;
  readonly #sessions = new Map<string, Buffer>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): Buffer | undefined {
    return this.#sessions.get(key);
  }

  set(key: string, session: Buffer): void {
    if (this.#max === 0) return;
    this.#sessions.delete(key);
    if (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done !== true) this.#sessions.delete(oldest.value);
    }
    this.#sessions.set(key, session);
  }
}

/** undici's error for a connect timeout when undici is there to make it; one of the same code otherwise. */
function connectTimeoutError(hostname: string, port: string | number, timeout: number): Error {
  const message = `Connect Timeout Error (attempted address: ${hostname}:${port}, timeout: ${timeout}ms)`;
  try {
    const undici = createRequire(__filename)('undici') as {
      errors?: { ConnectTimeoutError?: new (m: string) => Error };
    };
    const Make = undici.errors?.ConnectTimeoutError;
    if (Make !== undefined) return new Make(message);
  } catch {
    // No undici: the same code and name on a plain Error.
  }
  return Object.assign(new Error(message), { name: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT' });
}

/** The server name to send for an origin's host ('' for an IP address, as undici does). */
function serverNameOf(host: string | undefined): string | null {
  if (!host) return null;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return net.isIP(name) === 0 ? name : '';
}

/**
 * undici's buildConnector(options), over openssl-tls: https: origins get our TLSSocket
 * (SNI, a session cache per server name, ALPN http/1.1 and, with allowH2, h2), http:
 * origins a plain net.Socket. No-delay, keep-alive and the connect timeout as undici's.
 */
export function buildConnector(options: ConnectorOptions = {}): Connector {
  const { allowH2 = false, useH2c = false, maxCachedSessions, socketPath, timeout, session, ...rest } = options;
  if (maxCachedSessions != null && (!Number.isInteger(maxCachedSessions) || maxCachedSessions < 0)) {
    throw invalidArgValue('options.maxCachedSessions', maxCachedSessions, 'must be a positive integer or zero');
  }
  const sessions = new SessionCache(maxCachedSessions ?? 100);
  const connectTimeout = timeout ?? 10_000;
  return (params, callback) => {
    const { hostname, host, protocol, servername, localAddress, httpSocket } = params;
    let socket: net.Socket | TLSSocket;
    let port = params.port;
    if (protocol === 'https:') {
      const name = servername || rest.servername || serverNameOf(host) || null;
      const key = name || hostname;
      port = port || 443;
      const tls = tlsConnect({
        ...rest,
        path: socketPath,
        servername: name ?? undefined,
        session: session ?? sessions.get(key),
        localAddress: localAddress ?? undefined,
        ALPNProtocols: allowH2 ? ['http/1.1', 'h2'] : ['http/1.1'],
        socket: httpSocket,
        port: Number(port),
        host: hostname,
      });
      tls.on('session', (s: Buffer) => sessions.set(key, s));
      socket = tls;
    } else {
      port = port || 80;
      socket = net.connect({
        ...(rest as net.NetConnectOpts),
        ...(socketPath ? { path: socketPath } : { port: Number(port), host: hostname }),
        localAddress: localAddress ?? undefined,
      } as net.NetConnectOpts);
      if (useH2c) (socket as net.Socket & { alpnProtocol?: string }).alpnProtocol = 'h2';
    }
    if (rest.keepAlive == null || rest.keepAlive) socket.setKeepAlive(true, rest.keepAliveInitialDelay ?? 60_000);
    let timer: NodeJS.Timeout | null = null;
    if (connectTimeout > 0) {
      timer = setTimeout(() => socket.destroy(connectTimeoutError(hostname, port, connectTimeout)), connectTimeout);
      timer.unref();
    }
    let cb: ConnectCallback | null = callback;
    const done = (err: Error | null): void => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      const call = cb;
      cb = null;
      if (call === null) return;
      if (err) call(err);
      else call(null, socket);
    };
    socket.setNoDelay(true);
    socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => done(null));
    socket.on('error', (err: Error) => done(err));
    return socket;
  };
}
