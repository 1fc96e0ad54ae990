// http2.connect() on openssl-tls: node's client session over a socket made by our
// connect() (ALPN 'h2', SNI from the authority, no-delay). node's http2 wraps our
// socket (it reads natively only from node's own handles) and would announce the
// session as soon as the wrapper exists; here 'connect' waits for our handshake,
// as it does over node:tls, so a 'connect' listener sees the peer's certificate,
// and the session reports our socket's TLS (lib/http/http2_tls_view.ts).
// A plain-TCP authority (http:) or a createConnection of the user's is node's own.
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { connect as tlsConnect, type ConnectionOptions } from '../connect';
import { nativeTransportOption } from '../internal/switches';
import type { TLSSocket } from '../socket/tls_socket';
import { ignoreErrorsAfterShutdown } from './after_shutdown';
import { relayClientCleartext } from './cleartext_relay';
import { reportTlsOnSession, reportTlsOnWrapper } from './http2_tls_view';

// node's own, taken at load: openssl-tls/register later puts ours in http2.connect's place.
const nodeConnect = http2.connect;

/** connect()'s options: node's http2.SecureClientSessionOptions, with our TLS options. */
export type ClientSessionOptions = http2.SecureClientSessionOptions & ConnectionOptions;

type Authority = string | URL | { protocol?: string; host?: string; hostname?: string; port?: string | number };
type ConnectListener = (session: http2.ClientHttp2Session, socket: TLSSocket) => void;

/** Where node's http2.connect() would connect for `authority` (its rules). */
function target(authority: Authority, options: ClientSessionOptions): { protocol: string; host: string; port: number } {
  const url = typeof authority === 'string' ? new URL(authority) : authority;
  const protocol = url.protocol || (options as { protocol?: string }).protocol || 'https:';
  const port = url.port !== undefined && url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  let host = 'localhost';
  if (url.hostname) {
    host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  } else if (url.host) {
    host = url.host;
  }
  return { protocol, host, port };
}

/**
 * A relayed session's 'connect' (its pipe's, after our handshake) is told with our
 * socket, as node:tls's socket is given to a 'connect' listener.
 */
function announceRelayed(
  session: http2.ClientHttp2Session,
  socket: TLSSocket,
  pipe: net.Socket,
  sniSent?: string,
): void {
  // A client's socket of ours does not report the name it sent (node:tls's does): http2 builds originSet from it.
  socket.once('secureConnect', () => {
    const view = pipe as net.Socket & { servername?: unknown };
    if (view.servername == null && sniSent !== undefined) view.servername = sniSent;
  });
  // Called on the same session.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emit = session.emit;
  session.emit = function (this: http2.ClientHttp2Session, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'connect') return emit.call(this, event, ...args);
    session.emit = emit;
    return emit.call(this, event, args[0], socket);
  } as typeof session.emit;
}

/** 'connect' waits for the TLS handshake; then the session and its socket view report our TLS. */
function announceWhenSecure(session: http2.ClientHttp2Session, socket: TLSSocket, sniSent: string | undefined): void {
  reportTlsOnSession(session, socket);
  // Called on the same session.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emit = session.emit;
  const held: unknown[][] = [];
  session.emit = function (this: http2.ClientHttp2Session, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'connect' && !socket._secureEstablished) {
      held.push(args);
      return true;
    }
    return emit.call(this, event, ...args);
  } as typeof session.emit;
  socket.once('secureConnect', () => {
    reportTlsOnWrapper(session, socket, sniSent);
    session.emit = emit;
    // With our socket, as node:tls's is given.
    for (const args of held.splice(0)) {
      if (!session.destroyed) emit.call(session, 'connect', args[0], socket);
    }
  });
}

// node's call forms: connect(authority[, options][, listener]).
export function connect(authority: Authority, listener?: ConnectListener): http2.ClientHttp2Session;
export function connect(
  authority: Authority,
  options?: ClientSessionOptions,
  listener?: ConnectListener,
): http2.ClientHttp2Session;
export function connect(
  authority: Authority,
  options?: ClientSessionOptions | ConnectListener,
  listener?: ConnectListener,
): http2.ClientHttp2Session {
  if (typeof options === 'function') {
    listener = options;
    options = undefined;
  }
  const opts = options ?? {};
  const nodeListener = listener as ((session: http2.ClientHttp2Session, socket: net.Socket) => void) | undefined;
  const valid =
    opts !== null &&
    typeof opts === 'object' &&
    (typeof authority === 'string' || (authority !== null && typeof authority === 'object'));
  if (!valid || typeof opts.createConnection === 'function' || target(authority, opts).protocol !== 'https:') {
    // node's own checks and errors, the user's socket, or HTTP/2 over plain TCP.
    return nodeConnect(authority as string, options as http2.ClientSessionOptions, nodeListener);
  }
  const { host, port } = target(authority, opts);
  let socket: TLSSocket | null = null;
  let pipe: net.Socket | null = null;
  // As node's http2: an empty or missing servername is the host's name (an IP sends none).
  const servername = opts.servername || (net.isIP(host) === 0 ? host : opts.servername);
  const createConnection = (): net.Socket => {
    socket = tlsConnect(port, host, {
      ...opts,
      ALPNProtocols: ['h2'],
      servername,
      // node's http2 sets TCP_NODELAY on its socket.
      noDelay: true,
    } as ConnectionOptions);
    // A socket bound for the native transport: the session reads a socketpair (cleartext_relay.ts).
    const native = nativeTransportOption((opts as ConnectionOptions).nativeTransport) && !opts.pskCallback;
    pipe = native ? relayClientCleartext(socket) : null;
    if (pipe !== null) return pipe;
    // Only the session writes to it (its JSStreamSocket waits a turn after each write).
    socket._completeWritesAtOnce();
    return socket;
  };
  const session = nodeConnect(authority as string, { ...opts, createConnection }, nodeListener);
  // Peer-gone errors after the session's own end, and once the program closed the session:
  // node's client has written its GOAWAY and let go of its socket by the time a reset can
  // come (its writes to node:tls's socket complete at once); ours complete a turn later
  // (the relay's pipe, or node's JSStreamSocket around our socket), and the session would
  // emit the reset as an 'error' after the program closed it. (The pipe is destroyed with
  // the TLS socket's error, so this covers both transports.)
  if (socket !== null) ignoreErrorsAfterShutdown(socket, () => session.closed);
  if (socket !== null && pipe !== null) announceRelayed(session, socket, pipe, servername);
  else if (socket !== null) announceWhenSecure(session, socket, servername);
  return session;
}

// As node's: util.promisify(connect) resolves with the session once it is connected and
// rejects with its 'error' (a plain promisify would take the session for an error).
Object.defineProperty(connect, promisify.custom, {
  value: (authority: Authority, options?: ClientSessionOptions): Promise<http2.ClientHttp2Session> =>
    new Promise((resolve, reject) => {
      const session = connect(authority, options, () => {
        session.removeListener('error', reject);
        resolve(session);
      });
      session.once('error', reject);
    }),
});
