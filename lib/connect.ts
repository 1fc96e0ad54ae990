// connect(): a client TLSSocket over a new TCP/IPC connection or a given Duplex.
import * as net from 'node:net';
import { invalidArgType, outOfRange } from './errors';
import type { Duplex } from 'node:stream';
import { checkServerIdentity as defaultCheckServerIdentity, identityCheck } from './check_server_identity';
import type { SecureContext, SecureContextOptions } from './secure_context';
import { TLSSocket, type PeerCertificate } from './tls_socket';
import type { ClientPskOptions } from './psk';
import { protocolConnectionOptions, type ProtocolOptions } from './alpn';
import { traceOption } from './trace';
import { nativeTransportOption } from './transport_options';

export interface ConnectionOptions extends SecureContextOptions, ClientPskOptions, ProtocolOptions {
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

export function connect(options: ConnectionOptions, secureConnectListener?: SecureConnectListener): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectionOptions, secureConnectListener?: SecureConnectListener): TLSSocket;
export function connect(port: number, options?: ConnectionOptions, secureConnectListener?: SecureConnectListener): TLSSocket;
export function connect(path: string, options?: ConnectionOptions, secureConnectListener?: SecureConnectListener): TLSSocket;
export function connect(...args: unknown[]): TLSSocket {
  const [options, cb] = normalizeConnectArgs(args);
  const minDHSize = options.minDHSize ?? 1024;
  if (typeof minDHSize !== 'number') throw invalidArgType('options.minDHSize', 'number', minDHSize);
  if (minDHSize <= 0) {
    throw outOfRange('options.minDHSize', '> 0', minDHSize);
  }
  const check = options.checkServerIdentity ?? identityCheck.current;
  if (typeof check !== 'function') throw invalidArgType('options.checkServerIdentity', 'Function', check);
  // Bad protocol lists or enableTrace fail here, before a connection is made.
  protocolConnectionOptions(options);
  traceOption(options.enableTrace);
  const native = nativeTransportOption(options.nativeTransport) && options.socket === undefined && options.pskCallback === undefined;

  const host = options.host ?? 'localhost';
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);

  let transport: Duplex;
  if (options.socket !== undefined) {
    transport = options.socket;
  } else {
    const netOptions: net.NetConnectOpts =
      options.path !== undefined
        ? { path: options.path, allowHalfOpen: true }
        : {
            host,
            port: Number(options.port),
            localAddress: options.localAddress,
            localPort: options.localPort,
            family: options.family,
            lookup: options.lookup,
            allowHalfOpen: true,
            noDelay: options.noDelay,
            keepAlive: options.keepAlive,
            keepAliveInitialDelay: options.keepAliveInitialDelay,
          };
    transport = net.connect(netOptions);
  }

  let socket: TLSSocket;
  try {
    socket = new TLSSocket(transport, {
      ...options,
      isServer: false,
      servername,
      rejectUnauthorized: options.rejectUnauthorized !== false,
      allowHalfOpen: options.allowHalfOpen === true,
      minDHSize,
    });
  } catch (err) {
    // Bad options (pskCallback, context options): the connection we opened goes too.
    if (options.socket === undefined) transport.destroy();
    throw err;
  }
  socket._setSecureCheck(() => {
    if (socket.isSessionReused()) return undefined;
    // node:tls: an empty servername checks the host.
    const hostname = options.servername || host;
    // Our own check: answered in C when the certificate's DNS names surely cover the
    // host, so no certificate object is built; otherwise (a mismatch, or a case the C
    // side leaves to JS) checkServerIdentity decides and makes node's error.
    if (check === defaultCheckServerIdentity && typeof hostname === 'string' && socket._peerCertificateNamesHost(hostname)) {
      return undefined;
    }
    return check(hostname, socket.getPeerCertificate(true) as PeerCertificate);
  });
  if (native) socket._wantNativeTransport(options.path !== undefined);
  if (options.timeout !== undefined && options.timeout > 0) socket.setTimeout(options.timeout);
  if (cb !== undefined) socket.once('secureConnect', cb);
  return socket;
}
