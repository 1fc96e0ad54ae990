// A TLSSocket's options, normalized once into a frozen object as the socket is
// made (or by connect() and the Server before that): every option is validated
// and every default decided here, and nothing later reads the user's object
// again (it stays available as `socket._tlsOptions`, as in node:tls).
import type * as net from 'node:net';
import { clientSecureContext } from '../context/context_cache';
import { makeContext } from '../context/factory';
import { SecureContext, type SecureContextOptions } from '../context/secure_context';
import { invalidSecureContext } from '../internal/errors';
import { validateBuffer, validateFunction, validateUint32 } from '../internal/validators';
import { protocolConnectionOptions, type ALPNCallback, type ProtocolOptions } from '../policy/alpn';
import { pskConfig, type PskConfig, type PskOptions } from '../policy/psk';
import { clientSessionOption, type SessionReport } from '../policy/session';
import type { SNICallback } from '../policy/sni';
import { traceOption } from '../policy/trace';
import type { CheckServerIdentity } from '../policy/verify';

/** The options of `new TLSSocket(socket, options)` (S: the socket type callbacks get). */
export interface SocketOptions<S> extends SecureContextOptions, PskOptions<S>, ProtocolOptions {
  /** Client: ask the server for a stapled OCSP response ('OCSPResponse'). */
  requestOCSP?: boolean;
  /** OpenSSL's protocol trace on stderr. */
  enableTrace?: boolean;
  secureContext?: SecureContext;
  isServer?: boolean;
  server?: net.Server;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  servername?: string;
  session?: Buffer;
  allowHalfOpen?: boolean;
  /** Client: the smallest DH key accepted (node:tls default 1024). */
  minDHSize?: number;
  /** Server: pick a context for the name the client asks for, possibly later. */
  SNICallback?: SNICallback;
  /** The stream's high-water mark, both sides (node:tls passes it to net.Socket). */
  highWaterMark?: number;
  /** net.Socket's: cleartext copied into `buffer` and handed to `callback` instead of 'data'. */
  onread?: OnRead;
  /**
   * Beyond node:tls. Server: the TLS 1.3 early data (0-RTT) accepted from a client
   * resuming a session, in bytes; 0 (the default) refuses it. OpenSSL's anti-replay
   * is on: each ticket carries early data once.
   */
  maxEarlyData?: number;
  /**
   * Beyond node:tls. Client: sent as TLS 1.3 early data with `session` when the
   * session allows it; re-sent as ordinary data after the handshake when it does not,
   * or when the server refuses it (isEarlyDataAccepted() says which).
   */
  earlyData?: Buffer | NodeJS.ArrayBufferView;
}

/** net.Socket's onread option; callback returning false pauses reading. */
export interface OnRead {
  buffer: Uint8Array | (() => Uint8Array);
  callback: (bytesWritten: number, buffer: Uint8Array) => unknown;
}

/** Server-side hooks a socket calls on its server (lib/server/server.ts). */
export interface ServerHooks<S> {
  onTLSError(error: Error, socket: S): void;
  onSecure(socket: S): void;
  onKeylog(line: Buffer, socket: S): void;
}

/** What a Server adds to each of its sockets, decided as the connection comes in. */
export interface ServerSocketSetup<S> {
  /** The server whose listeners take part in the handshake (lib/policy/handshake_steps.ts). */
  server: net.Server;
  hooks: ServerHooks<S>;
  reportSessions: boolean;
  reportKeylog: boolean;
  /** What to do with the sessions reported (newSession, lib/policy/session.ts). */
  sessionReport?: (holdOutput: () => () => void) => SessionReport;
  /** Run the handshake's steps on the libuv thread pool (offloadHandshake). */
  offloadHandshake: boolean;
}

/** connect()'s part: who the server must be. */
export interface ClientCheck {
  /** The host the certificate must name (servername, or host). */
  hostname: string;
  checkServerIdentity: CheckServerIdentity;
  /** connect()'s options (`this` of checkServerIdentity, as in node:tls). */
  options: object;
  /** Once connected, the native transport takes the socket over (a Unix socket: 'pipe'). */
  takeOver: 'tcp' | 'pipe' | null;
  /** Where it connects (connect()'s options), for the errors before the handshake. */
  target?: { path?: unknown; host?: unknown; port?: unknown; localAddress?: unknown };
}

export interface SocketConfig<S> {
  readonly isServer: boolean;
  readonly context: SecureContext;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  /** undefined: as the transport stream's. */
  readonly allowHalfOpen: boolean | undefined;
  /** Client: the SNI name sent. */
  readonly servername: string | undefined;
  /** Client: a session to resume. */
  readonly session: Buffer | undefined;
  readonly minDHSize: number;
  readonly requestOCSP: boolean;
  readonly enableTrace: boolean;
  readonly alpnProtocols: Buffer | undefined;
  readonly npnProtocols: Buffer | undefined;
  readonly psk: PskConfig<S> | undefined;
  readonly SNICallback: SNICallback | undefined;
  readonly ALPNCallback: ALPNCallback | undefined;
  readonly client: ClientCheck | null;
  readonly setup: ServerSocketSetup<S> | null;
  /** Cleartext goes to this instead of 'data' (net.Socket's onread); as net does, a malformed one is ignored. */
  readonly onread: OnRead | undefined;
  /** Server: TLS 1.3 early data accepted, bytes (0: none). */
  readonly maxEarlyData: number;
  /** Client: the early data to send (with the session, or after the handshake). */
  readonly earlyData: Buffer | undefined;
  /**
   * The peer is judged (authorized, authorizationError, rejectUnauthorized): a socket of
   * connect() or of a Server, or a SecurePair's. One made directly is not, as in node:tls.
   */
  readonly verify: boolean;
}

/**
 * Normalizes a socket's options. `client` and `setup` come from connect() and
 * the Server; a socket made directly has neither.
 */
export function socketConfig<S>(
  options: SocketOptions<S>,
  client: ClientCheck | null = null,
  setup: ServerSocketSetup<S> | null = null,
  verify = client !== null || setup !== null,
): SocketConfig<S> {
  const isServer = options.isServer === true;
  // A client's implicit context is shared with connections of the same options (lib/context/context_cache.ts).
  const context: unknown = options.secureContext ?? (isServer ? makeContext(options) : clientSecureContext(options));
  if (!(context instanceof SecureContext)) throw invalidSecureContext('options.secureContext', context);
  // node:tls: a server socket's SNICallback, when given, must be a function.
  if (isServer && options.SNICallback) validateFunction(options.SNICallback, 'options.SNICallback');
  const protocols = protocolConnectionOptions(options);
  return Object.freeze({
    isServer,
    context,
    requestCert: options.requestCert === true,
    // node:tls: a socket made directly rejects only when told to (connect() and Server say so).
    rejectUnauthorized: options.rejectUnauthorized === true,
    allowHalfOpen: options.allowHalfOpen,
    servername: !isServer && typeof options.servername === 'string' ? options.servername : undefined,
    session: isServer ? undefined : clientSessionOption(options.session),
    minDHSize: options.minDHSize ?? 1024,
    requestOCSP: !isServer && Boolean(options.requestOCSP),
    enableTrace: traceOption(options.enableTrace),
    alpnProtocols: protocols.alpnProtocols,
    npnProtocols: protocols.npnProtocols,
    psk: pskConfig(isServer, options),
    SNICallback: isServer && typeof options.SNICallback === 'function' ? options.SNICallback : undefined,
    ALPNCallback: isServer && typeof options.ALPNCallback === 'function' ? options.ALPNCallback : undefined,
    client,
    setup,
    onread: onreadOption(options.onread),
    verify,
    ...earlyDataOptions(isServer, options),
  });
}

/** maxEarlyData (server) and earlyData (client), checked with node's errors. */
function earlyDataOptions<S>(
  isServer: boolean,
  options: SocketOptions<S>,
): { maxEarlyData: number; earlyData: Buffer | undefined } {
  let maxEarlyData = 0;
  let earlyData: Buffer | undefined;
  if (isServer && options.maxEarlyData != null) {
    validateUint32(options.maxEarlyData, 'options.maxEarlyData');
    maxEarlyData = options.maxEarlyData;
  }
  if (!isServer && options.earlyData != null) {
    validateBuffer(options.earlyData, 'options.earlyData');
    const view = options.earlyData;
    earlyData = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
  return { maxEarlyData, earlyData };
}

function onreadOption(onread: unknown): OnRead | undefined {
  if (onread === null || typeof onread !== 'object') return undefined;
  const { buffer, callback } = onread as Partial<OnRead>;
  if (!(buffer instanceof Uint8Array || typeof buffer === 'function') || typeof callback !== 'function')
    return undefined;
  return { buffer, callback };
}
