// connect(): a client TLSSocket over a new TCP/IPC connection or a given Duplex.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { defaults } from './context/defaults';
import { contextFactoryReplaced } from './context/factory';
import type { SecureContext, SecureContextOptions } from './context/secure_context';
import { invalidArgType, outOfRange } from './internal/errors';
import { nativeTransportOption } from './internal/switches';
import type { ProtocolOptions } from './policy/alpn';
import { identityCheck } from './policy/check_server_identity';
import type { ClientPskOptions } from './policy/psk';
import { socketConfig, type SocketConfig } from './socket/options';
import { TLSSocket, type PeerCertificate } from './socket/tls_socket';

export interface ConnectionOptions extends SecureContextOptions, ClientPskOptions<TLSSocket>, ProtocolOptions {
  /** Ask the server for a stapled OCSP response ('OCSPResponse'). */
  requestOCSP?: boolean;
  /** OpenSSL's protocol trace on stderr. */
  enableTrace?: boolean;
  host?: string;
  port?: number | string;
  path?: string;
  socket?: Duplex;
  servername?: string;
  session?: Buffer;
  /**
   * Beyond node:tls: sent as TLS 1.3 early data (0-RTT) with `session` when its ticket
   * allows it; otherwise, or when the server refuses it, sent as ordinary data right
   * after the handshake. socket.isEarlyDataAccepted() says which.
   */
  earlyData?: Buffer | NodeJS.ArrayBufferView;
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  minDHSize?: number;
  timeout?: number;
  allowHalfOpen?: boolean;
  localAddress?: string;
  localPort?: number;
  family?: number;
  lookup?: net.LookupFunction;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /**
   * Once connected, the socket moves to the native TCP transport (C++ reads and
   * writes it; no encrypted byte reaches JS). Default true; env
   * OPENSSL_TLS_TRANSPORT=native or js overrides. A given `socket` and a
   * pskCallback (JS inside the handshake) use the JS transport.
   */
  nativeTransport?: boolean;
}

type SecureConnectListener = () => void;

/** The three call forms of node:tls connect(), made into one options object. */
export function normalizeConnectArgs(args: unknown[]): [ConnectionOptions, SecureConnectListener | undefined] {
  let i = 0;
  let options: ConnectionOptions = {};
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    options = { ...(first as ConnectionOptions) };
    i = 1;
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    options.port = first;
    i = 1;
    if (typeof args[1] === 'string') {
      options.host = args[1];
      i = 2;
    }
  } else if (typeof first === 'string') {
    options.path = first;
    i = 1;
  }
  if (args[i] !== null && typeof args[i] === 'object') {
    options = { ...(args[i] as ConnectionOptions), ...options };
    i++;
  }
  const cb = typeof args[i] === 'function' ? (args[i] as SecureConnectListener) : undefined;
  return [options, cb];
}

let ipServernameWarned = false;
let allowUnauthorizedWarned = false;

/** node:tls's DEP0123, once per process. */
function warnIpServername(): void {
  if (ipServernameWarned) return;
  ipServernameWarned = true;
  process.emitWarning(
    'Setting the TLS ServerName to an IP address is not permitted by RFC 6066. This will be ignored in a future version.',
    'DeprecationWarning',
    'DEP0123',
  );
}

/** NODE_TLS_REJECT_UNAUTHORIZED=0, with node's warning, once per process. */
function allowUnauthorized(): boolean {
  const allow = process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0';
  if (allow && !allowUnauthorizedWarned) {
    allowUnauthorizedWarned = true;
    process.emitWarning(
      "Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification.",
    );
  }
  return allow;
}

/** The host a given socket connected to, as net.Socket keeps it. */
function socketHost(socket: unknown): string | undefined {
  const host = (socket as { _host?: unknown } | null | undefined)?._host;
  return typeof host === 'string' ? host : undefined;
}

// node:tls's call forms, one overload each as in its documentation.
/* eslint-disable @typescript-eslint/unified-signatures */
export function connect(options: ConnectionOptions, secureConnectListener?: SecureConnectListener): TLSSocket;
export function connect(
  port: number,
  host?: string,
  options?: ConnectionOptions,
  secureConnectListener?: SecureConnectListener,
): TLSSocket;
export function connect(
  port: number,
  options?: ConnectionOptions,
  secureConnectListener?: SecureConnectListener,
): TLSSocket;
export function connect(
  path: string,
  options?: ConnectionOptions,
  secureConnectListener?: SecureConnectListener,
): TLSSocket;
/* eslint-enable @typescript-eslint/unified-signatures */
export function connect(...args: unknown[]): TLSSocket {
  const [options, cb] = normalizeConnectArgs(args);
  const minDHSize = options.minDHSize ?? 1024;
  if (typeof minDHSize !== 'number') throw invalidArgType('options.minDHSize', 'number', minDHSize);
  if (minDHSize <= 0) {
    throw outOfRange('options.minDHSize', '> 0', minDHSize);
  }
  const check = options.checkServerIdentity ?? identityCheck.current;
  if (typeof check !== 'function') throw invalidArgType('options.checkServerIdentity', 'Function', check);
  const native = nativeTransportOption(options.nativeTransport) && !options.socket && !options.pskCallback;

  const host = options.host ?? 'localhost';
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  // Every option is checked (bad protocol lists, enableTrace, context options) before a connection is made.
  if (options.servername && net.isIP(options.servername) !== 0) warnIpServername();
  // node:tls: NODE_TLS_REJECT_UNAUTHORIZED=0 makes not rejecting the default (an option given, even undefined, wins).
  const rejectUnauthorized =
    'rejectUnauthorized' in options ? options.rejectUnauthorized !== false : !allowUnauthorized();
  const tlsOptions = {
    // node:tls hands createSecureContext its default cipher list. Only a replaced one is
    // given it: ours makes its default itself (with the system policy, docs/api.md).
    ...(contextFactoryReplaced() ? { ciphers: defaults.DEFAULT_CIPHERS } : {}),
    ...options,
    isServer: false,
    servername,
    rejectUnauthorized,
    // node:tls: a given socket's own setting wins over the option.
    allowHalfOpen: options.socket ? options.socket.allowHalfOpen : options.allowHalfOpen === true,
    minDHSize,
  };
  const config: SocketConfig<TLSSocket> = socketConfig<TLSSocket>(tlsOptions, {
    // node:tls: an empty servername checks the host (or the given socket's).
    hostname: options.servername || options.host || socketHost(options.socket) || 'localhost',
    checkServerIdentity: check,
    options: tlsOptions,
    takeOver: native ? (options.path ? 'pipe' : 'tcp') : null,
    target: { path: options.path, host: options.host, port: options.port, localAddress: options.localAddress },
  });

  let transport: Duplex;
  if (options.socket) {
    transport = options.socket;
  } else {
    // As node:tls: net gets the whole options object (lookup, hints, autoSelectFamily, family...),
    // less what is the TLS socket's own. A falsy path (https.Agent passes null) is a TCP connection.
    const { timeout: _timeout, onread: _onread, path, ...rest } = options as ConnectionOptions & { onread?: unknown };
    const netOptions = (path ? { ...rest, path } : { ...rest, host }) as net.NetConnectOpts;
    netOptions.allowHalfOpen = true;
    transport = net.connect(netOptions);
  }

  const socket = new TLSSocket(transport, tlsOptions, { config });
  if (options.timeout !== undefined && options.timeout > 0) socket.setTimeout(options.timeout);
  if (cb !== undefined) socket.once('secureConnect', cb);
  return socket;
}
