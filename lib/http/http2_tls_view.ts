// What an http2 session over our TLSSocket reports about its TLS. node's http2
// reads a socket's bytes natively only from a socket with a StreamBase handle
// (node:tls's TLSWrap, a TCP handle); any other socket it wraps in its own
// JSStreamSocket, and then reads `encrypted` and `alpnProtocol` off the wrapper:
// a session over our socket would say `encrypted: false`, `alpnProtocol: 'h2c'`,
// and `session.socket` (and the compatibility API's `req.socket`) would have no
// certificate, cipher or address. Here the session and the wrapper are told what
// our socket knows: the session's two getters, the wrapper's TLS methods and
// fields, and its handle's getpeername/getsockname (net.Socket's address getters
// read those).
import type * as http2 from 'node:http2';
import type * as net from 'node:net';
import { addressFields, type TLSSocket } from '../socket/tls_socket';
import { sessionSocket } from './node_http2';

// The TLSSocket methods a program may call through session.socket / req.socket.
const methods = [
  'getPeerCertificate',
  'getCertificate',
  'getPeerX509Certificate',
  'getX509Certificate',
  'getCipher',
  'getProtocol',
  'getSession',
  'getTLSTicket',
  'isSessionReused',
  'getEphemeralKeyInfo',
  'getFinished',
  'getPeerFinished',
  'getSharedSigalgs',
  'exportKeyingMaterial',
  'setMaxSendFragment',
  'disableRenegotiation',
  'enableTrace',
  // Beyond node:tls (TLS 1.3 early data): as our socket answers them.
  'isEarlyDataAccepted',
] as const;

// TLS facts that are final once the handshake is done (http2 disables renegotiation).
const fields = ['encrypted', 'alpnProtocol', 'npnProtocol', 'servername', 'authorized', 'authorizationError'] as const;
// Read from the socket when asked, not copied: the socket sets it as early data arrives.
const liveFields = ['earlyData'] as const;

interface AddressOut {
  address?: string;
  family?: string;
  port?: number;
}

interface WrapperHandle {
  getpeername?: (out: AddressOut) => number;
  getsockname?: (out: AddressOut) => number;
  ref?: () => void;
  unref?: () => void;
}

/** The session's own `encrypted` and `alpnProtocol`: our socket's, once its handshake is done. */
export function reportTlsOnSession(session: http2.Http2Session, socket: TLSSocket): void {
  Object.defineProperties(session, {
    encrypted: {
      configurable: true,
      enumerable: false,
      get: () => (socket._secureEstablished ? true : undefined),
    },
    alpnProtocol: {
      configurable: true,
      enumerable: false,
      get: () => (socket._secureEstablished ? socket.alpnProtocol : undefined),
    },
  });
}

/** `view` answers TLS calls and fields as `socket` does. */
function copyTls(view: Record<string, unknown>, socket: TLSSocket): void {
  const target = socket as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of methods) view[name] = (...args: unknown[]) => target[name]?.apply(socket, args);
  for (const name of fields) view[name] = socket[name];
}

/** `view` reads the live fields off `socket` (getters: a plain object, not session.socket's proxy). */
function reportLive(view: object, socket: TLSSocket): void {
  for (const name of liveFields) {
    Object.defineProperty(view, name, { configurable: true, enumerable: false, get: () => socket[name] });
  }
}

// What a net.Socket reports of its connection that a relay's pipe must take from the TLS socket.
const connectionFields = [...addressFields, 'bytesRead', 'bytesWritten'] as const;

/**
 * The socketpair end a session reads (cleartext_relay.ts) answers as `socket` for TLS,
 * addresses and byte counts. Called before the session is made: http2 takes
 * `encrypted` and `alpnProtocol` off its socket then, so the session reports them itself.
 */
export function reportTlsOnPipe(pipe: net.Socket, socket: TLSSocket): void {
  copyTls(pipe as unknown as Record<string, unknown>, socket);
  reportLive(pipe, socket);
  const source = socket as unknown as Record<string, unknown>;
  for (const name of connectionFields) {
    Object.defineProperty(pipe, name, { configurable: true, enumerable: false, get: () => source[name] });
  }
  Object.defineProperty(pipe, 'address', { configurable: true, writable: true, value: () => socket.address() });
}

/**
 * session.socket (a proxy of http2's wrapper around `socket`) answers as `socket`
 * for TLS and addresses, and session.ref()/unref() reach `socket` (net.Socket's
 * ref/unref call its handle's, which the wrapper's JSStream lacks). Call once the handshake is done. A session that is not
 * over a wrapper (never the case for our sockets today) is left alone.
 */
export function reportTlsOnWrapper(session: http2.Http2Session, socket: TLSSocket, sniSent?: string): void {
  let view: Record<string, unknown>;
  try {
    view = session.socket as unknown as Record<string, unknown>;
    if (view.stream !== socket) return;
  } catch {
    // ERR_HTTP2_SOCKET_UNBOUND: the session is closed already.
    return;
  }
  copyTls(view, socket);
  // The proxy sets what it is given on the wrapper, but defines properties on the
  // session: the getters go on the wrapper itself (http2 keeps it under a 'socket' symbol).
  const wrapper = sessionSocket(session);
  if (wrapper !== undefined) reportLive(wrapper, socket);
  // A client's socket of ours does not report the name it sent (node:tls's does): http2 builds originSet from it.
  if (view.servername == null && sniSent !== undefined) view.servername = sniSent;
  const handle = view._handle as WrapperHandle | null;
  if (handle === null || typeof handle !== 'object') return;
  const fill = (remote: boolean) => (out: AddressOut) => {
    out.address = remote ? socket.remoteAddress : socket.localAddress;
    out.family = remote ? socket.remoteFamily : socket.localFamily;
    out.port = remote ? socket.remotePort : socket.localPort;
    return out.address === undefined ? -1 : 0;
  };
  handle.getpeername = fill(true);
  handle.getsockname = fill(false);
  handle.ref = () => void socket.ref();
  handle.unref = () => void socket.unref();
}
