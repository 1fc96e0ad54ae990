// Server: a net.Server whose connections become TLSSockets.
import * as net from 'node:net';
import type { CycleResult, NativeConnection, NativeListenerOptions, NativeTcpListener } from '../../typings/native';
import { clusterTicketKeys } from '../context/cluster_keys';
import { makeContext } from '../context/factory';
import { SecureContext, type SecureContextOptions } from '../context/secure_context';
import { ticketKeyRing } from '../context/ticket_keys';
import { captureRejectionSymbol } from 'node:events';
import { deprecate } from 'node:util';
import { binding } from '../internal/binding';
import { adoptingBase, callableClass } from '../internal/callable';
import { invalidArgType, invalidSecureContext, tlsTicketKeysLength } from '../internal/errors';
import { channels, debug } from '../internal/observe';
import { forcedBooleanOption, nativeTransportOption } from '../internal/switches';
import { validateBuffer, validateFunction, validateUint32 } from '../internal/validators';
import {
  toWireProtocols,
  validateServerProtocolOptions,
  type ALPNCallback,
  type ProtocolOptions,
} from '../policy/alpn';
import { pausePoints } from '../policy/handshake_steps';
import { validateServerPskOptions, type ServerPskOptions } from '../policy/psk';
import { newSessionReport } from '../policy/session';
import { SniContexts, type SNICallback } from '../policy/sni';
import { keylogFile, traceTlsDefault } from '../policy/trace';
import { recordContextOptions, setOptionsRecord } from './server_options';
import { socketConfig, type ServerHooks, type ServerSocketSetup, type SocketConfig } from '../socket/options';
import { TLSSocket, type TLSSocketOptions } from '../socket/tls_socket';

export interface TlsServerOptions extends SecureContextOptions, ServerPskOptions<TLSSocket>, ProtocolOptions {
  /** OpenSSL's protocol trace of every connection, on stderr. */
  enableTrace?: boolean;
  handshakeTimeout?: number;
  /** Beyond node:tls: TLS 1.3 early data (0-RTT) accepted from resuming clients, bytes; 0 (default): none. */
  maxEarlyData?: number;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  secureContext?: SecureContext;
  SNICallback?: SNICallback;
  /**
   * Run the expensive handshake steps on the libuv thread pool, so the main thread
   * serves other sockets meanwhile (not for pskCallback servers). Default: see
   * kDefaultOffloadHandshake; env OPENSSL_TLS_OFFLOAD=1 or 0 overrides both.
   */
  offloadHandshake?: boolean;
  /** net.Server's: TCP_NODELAY and keep-alive on every accepted socket. */
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /**
   * Accept and handshake on the native TCP transport (C++ owns each socket on
   * Node's loop; no JS object until 'secureConnection' or a callback needs one).
   * Default true; env OPENSSL_TLS_TRANSPORT=native or js overrides (lib/transport_options.ts).
   * Servers that need JS inside the handshake or a raw socket (pskCallback,
   * enableTrace, pauseOnConnect), pipes and cluster workers in
   * round-robin mode use the JS transport.
   */
  nativeTransport?: boolean;
}

// Internals of net.Server that the native transport takes part in (node 20).
interface NetServerInternals {
  _handle: { fd?: number; close(): void } | NativeTcpListener | null;
  _unref?: boolean;
  _pipeName?: string;
  _emitCloseIfDrained(): void;
}
type Listen2 = (this: net.Server, ...args: unknown[]) => void;
const netListen2 = (net.Server.prototype as unknown as { _listen2: Listen2 })._listen2;

// Measured with `npm run bench` (docs/benchmarks.md, "one process, 2 cores").
const kDefaultOffloadHandshake = false;

const offloadHandshakeOption = (value: unknown): boolean =>
  forcedBooleanOption('offloadHandshake', value, process.env.OPENSSL_TLS_OFFLOAD, '1', '0', kDefaultOffloadHandshake);

const kDefaultHandshakeTimeout = 120 * 1000;

// net.Server, able to initialize an existing object: `tls.Server.call(this, ...)`
// in an old-style subclass (lib/internal/callable.ts).
const NetServer = adoptingBase(net.Server);

type SecureConnectionListener = (socket: TLSSocket) => void;

/** What each new connection is made with, as node:tls keeps it on its server. */
interface ConnectionSettings {
  requestCert: boolean;
  rejectUnauthorized: boolean;
  ALPNProtocols: Buffer | undefined;
  ALPNCallback: ALPNCallback | undefined;
  pskCallback: TlsServerOptions['pskCallback'];
  pskIdentityHint: string | undefined;
}

class TlsServer extends NetServer {
  _tlsOptions: TlsServerOptions;
  #sharedCreds!: SecureContext;
  readonly #settings: ConnectionSettings;
  #handshakeTimeout: number;
  #offloadHandshake: boolean;
  #allowHalfOpen: boolean;
  #enableTrace: boolean;
  readonly #hooks: ServerHooks<TLSSocket>;
  // What every connection's socket is made with, until the options change.
  #template: { options: TLSSocketOptions; config: SocketConfig<TLSSocket> } | null = null;
  readonly #sniContexts = new SniContexts();
  // Cluster ticket keys (lib/context/cluster_keys.ts): listen() waits for them.
  #keysWait: Promise<void> | null = null;
  #clusterKey: Buffer | null = null;
  #ownTicketKeys = false;
  // The native transport: wanted, and the listener once listening.
  #nativeWanted: boolean;
  #native: NativeTcpListener | null = null;
  // net.Server's own count; the native listener's pending handshakes are added (see _connections).
  _jsConnections = 0;
  _maxConnections: number | undefined;

  constructor(
    options?: TlsServerOptions | SecureConnectionListener | null,
    listener?: SecureConnectionListener | null,
  ) {
    let opts: TlsServerOptions;
    if (typeof options === 'function') {
      listener = options;
      opts = {};
    } else if (options === undefined || options === null) {
      opts = {};
    } else if (typeof options === 'object') {
      opts = options;
    } else {
      throw invalidArgType('options', 'Object', options);
    }
    validateServerProtocolOptions(opts);
    const secureContext: unknown = opts.secureContext;
    if (secureContext !== undefined && !(secureContext instanceof SecureContext)) {
      throw invalidSecureContext('options.secureContext', secureContext);
    }
    // server.allowHalfOpen reads as node:tls's; the raw sockets are made half-open (#wrap):
    // TLS-level half-close is the TLSSocket's.
    super({
      allowHalfOpen: opts.allowHalfOpen === true,
      pauseOnConnect: opts.pauseOnConnect === true,
      noDelay: opts.noDelay,
      keepAlive: opts.keepAlive,
      keepAliveInitialDelay: opts.keepAliveInitialDelay,
    });
    this.#allowHalfOpen = opts.allowHalfOpen === true;
    this._tlsOptions = opts;
    this.#settings = {
      requestCert: opts.requestCert === true,
      rejectUnauthorized: opts.rejectUnauthorized !== false,
      ALPNProtocols: toWireProtocols(opts.ALPNProtocols, 'options.ALPNProtocols'),
      ALPNCallback: opts.ALPNCallback ?? undefined,
      pskCallback: opts.pskCallback || undefined,
      pskIdentityHint: opts.pskIdentityHint || undefined,
    };
    // In node:tls's order: the context, then the handshake timeout, SNICallback and PSK options.
    if (secureContext === undefined) {
      this.#sharedCreds = makeContext(recordContextOptions(this, opts));
    } else {
      recordContextOptions(this, opts);
      this.#sharedCreds = secureContext;
    }
    if (opts.maxEarlyData != null) validateUint32(opts.maxEarlyData, 'options.maxEarlyData');
    const timeout = opts.handshakeTimeout || kDefaultHandshakeTimeout;
    if (typeof timeout !== 'number') throw invalidArgType('options.handshakeTimeout', 'number', timeout);
    this.#handshakeTimeout = timeout > 0 ? Math.min(timeout, 2 ** 31 - 1) : 0;
    if (opts.SNICallback) validateFunction(opts.SNICallback, 'options.SNICallback');
    validateServerPskOptions(opts);
    this.#offloadHandshake = offloadHandshakeOption(opts.offloadHandshake);
    // --trace-tls turns the trace on for every socket whose options do not say (node:tls).
    this.#enableTrace = opts.enableTrace ?? traceTlsDefault();
    this.#nativeWanted =
      nativeTransportOption(opts.nativeTransport) &&
      !this.#settings.pskCallback &&
      !this.#enableTrace &&
      opts.pauseOnConnect !== true;
    this.#ownTicketKeys = opts.ticketKeys != null || secureContext !== undefined;
    const shared = this.#ownTicketKeys ? null : clusterTicketKeys();
    if (shared !== null) {
      this.#keysWait = shared.then((keys) => {
        this.#keysWait = null;
        this.#clusterKey = keys;
        if (keys !== null && !this.#ownTicketKeys) this.#sharedCreds.context.setTicketKeys(keys);
      });
    }
    this.#hooks = {
      onTLSError: (error, socket) => {
        this.emit('tlsClientError', error, socket);
        // The seeds' name for the same event.
        this.emit('clientError', error, socket);
      },
      onSecure: (socket) => this.emit('secureConnection', socket),
      onKeylog: (line, socket) => this.emit('keylog', line, socket),
    };
    // A falsy listener is no listener, as in node:tls.
    if (listener) this.on('secureConnection', listener);
    this.on('connection', (raw: net.Socket) => this.#wrap(raw));
    // Listeners that change how a connection is made reach the native listener at once.
    const watched = new Set(['newSession', 'resumeSession', 'OCSPRequest', 'keylog', 'connection']);
    const update = (name: string | symbol) => {
      if (typeof name === 'string' && watched.has(name)) process.nextTick(() => this.#configureNative());
    };
    this.on('newListener', update);
    this.on('removeListener', update);
  }

  // ---- what new connections are made with; a program may read and replace these, as in node:tls ----

  /** The server's SecureContext (node:tls's name). */
  get _sharedCreds(): SecureContext {
    return this.#sharedCreds;
  }

  set _sharedCreds(context: SecureContext) {
    this.#sharedCreds = context;
    this.#settingsChanged();
  }

  get requestCert(): boolean {
    return this.#settings.requestCert;
  }

  set requestCert(value: boolean) {
    this.#settings.requestCert = value;
    this.#settingsChanged();
  }

  get rejectUnauthorized(): boolean {
    return this.#settings.rejectUnauthorized;
  }

  set rejectUnauthorized(value: boolean) {
    this.#settings.rejectUnauthorized = value;
    this.#settingsChanged();
  }

  /** The ALPNProtocols option in wire format, as node:tls keeps it. */
  get ALPNProtocols(): Buffer | undefined {
    return this.#settings.ALPNProtocols;
  }

  set ALPNProtocols(value: Buffer | undefined) {
    this.#settings.ALPNProtocols = toWireProtocols(value, 'ALPNProtocols');
    this.#settingsChanged();
  }

  get ALPNCallback(): ALPNCallback | undefined {
    return this.#settings.ALPNCallback;
  }

  set ALPNCallback(value: ALPNCallback | undefined) {
    this.#settings.ALPNCallback = value;
    this.#settingsChanged();
  }

  /** setOptions(): the PSK callback and hint of new connections. */
  _setPsk(options: Pick<TlsServerOptions, 'pskCallback' | 'pskIdentityHint'>): void {
    this.#settings.pskCallback = options.pskCallback || undefined;
    this.#settings.pskIdentityHint = options.pskIdentityHint || undefined;
    this._tlsOptions = { ...this._tlsOptions, ...options };
    this.#settingsChanged();
  }

  #settingsChanged(): void {
    // (Setters run from net.Server's constructor before this class's fields exist.)
    if (!(#native in this)) return;
    this.#template = null;
    this.#configureNative();
  }

  /** Key material reported for 'keylog' listeners, and for node's --tls-keylog file. */
  #reportKeylog(): boolean {
    return this.listenerCount('keylog') > 0 || keylogFile() !== undefined;
  }

  #wrap(raw: net.Socket): void {
    // The transport always half-closes (net.Server made it as server.allowHalfOpen says).
    raw.allowHalfOpen = true;
    const socket = this.#newSocket(raw);
    if (raw.isPaused() && (this as { pauseOnConnect?: boolean }).pauseOnConnect === true) {
      // node:tls: pauseOnConnect pauses the TLS socket; the handshake goes on underneath.
      socket.pause();
      raw.resume();
    }
    socket._armHandshakeTimeout(this.#handshakeTimeout);
  }

  /** A connection's TLSSocket: its options from the template, its setup from the listeners there are now. */
  #newSocket(raw: net.Socket | null, link?: NativeConnection): TLSSocket {
    debug('net.Server.on(connection): new TLSSocket');
    const { options, config } = this.#socketTemplate();
    const socket = new TLSSocket(raw, options, { config, setup: this.#socketSetup(), link });
    // net publishes the raw sockets it accepts; the native listener makes none.
    if (link !== undefined && channels.serverSocket.hasSubscribers) channels.serverSocket.publish({ socket });
    return socket;
  }

  #socketTemplate(): { options: TLSSocketOptions; config: SocketConfig<TLSSocket> } {
    if (this.#template === null) {
      const options = this.#socketOptions();
      // A server's sockets judge their clients (verify).
      this.#template = { options, config: socketConfig<TLSSocket>(options, null, null, true) };
    }
    return this.#template;
  }

  /** The options of this server's sockets (their _tlsOptions). */
  #socketOptions(): TLSSocketOptions {
    const settings = this.#settings;
    return {
      isServer: true,
      server: this,
      secureContext: this.#sharedCreds,
      requestCert: settings.requestCert,
      rejectUnauthorized: settings.rejectUnauthorized,
      allowHalfOpen: this.#allowHalfOpen,
      SNICallback: this.#sniCallback(),
      pskCallback: settings.pskCallback,
      pskIdentityHint: settings.pskIdentityHint,
      ALPNProtocols: settings.ALPNProtocols,
      ALPNCallback: settings.ALPNCallback,
      NPNProtocols: this._tlsOptions.NPNProtocols,
      enableTrace: this.#enableTrace,
      maxEarlyData: this._tlsOptions.maxEarlyData,
    };
  }

  #sniCallback(): SNICallback | undefined {
    return this._tlsOptions.SNICallback || (this.#sniContexts.size > 0 ? this.#sniContexts.callback : undefined);
  }

  /** Decided as a connection comes in: a listener added later affects only later connections. */
  #socketSetup(): ServerSocketSetup<TLSSocket> {
    const newSession = this.listenerCount('newSession') > 0;
    return {
      server: this,
      hooks: this.#hooks,
      reportSessions: newSession,
      sessionReport: newSession ? (holdOutput) => newSessionReport(this, holdOutput) : undefined,
      reportKeylog: this.#reportKeylog(),
      offloadHandshake: this.#offloadHandshake,
    };
  }

  // ---- the native transport ----

  /** net.Server binds and listens; then (TCP, a real descriptor) the native listener takes over. */
  _listen2(...args: unknown[]): void {
    netListen2.apply(this, args);
    const self = this as unknown as NetServerInternals;
    const handle = self._handle;
    if (!this.#nativeWanted || handle === null || handle === undefined || self._pipeName !== undefined) return;
    const fd = (handle as { fd?: number }).fd;
    if (typeof fd !== 'number' || fd < 0) return;
    const backlog = typeof args[3] === 'number' && args[3] > 0 ? args[3] : 511;
    const listener = new binding.TcpListener(fd, backlog, (conn, first) => this.#onNativeConnection(conn, first));
    this.#native = listener;
    this.#configureNative();
    listener.setHandshakeTimeout(this.#handshakeTimeout);
    listener.ondrop = (info) => this.emit('drop', info);
    listener.onraw = (fd) => this.#onRawConnection(fd);
    this._updateNativeLimit();
    // The duplicate listens now; node's own handle (and its descriptor) goes.
    (handle as { close(): void }).close();
    self._handle = listener;
    if (self._unref === true) listener.unref();
  }

  /** What the native listener makes new connections with (now: context, listeners, options). */
  #configureNative(): void {
    const listener = this.#native;
    if (listener === null) return;
    const o = this._tlsOptions;
    const { config } = this.#socketTemplate();
    const options: NativeListenerOptions = {
      ...pausePoints({
        SNICallback: config.SNICallback,
        ALPNCallback: config.ALPNCallback,
        server: this,
        socket: null,
      }),
      reportSessions: this.listenerCount('newSession') > 0,
      reportKeylog: this.#reportKeylog(),
      requestCert: config.requestCert,
      rejectUnauthorized: config.rejectUnauthorized,
      alpnProtocols: config.alpnProtocols,
      npnProtocols: config.npnProtocols,
      maxEarlyData: config.maxEarlyData,
      // Ours is one 'connection' listener; another wants the raw socket (the JS transport).
      rawConnections: this.listenerCount('connection') > 1,
      noDelay: o.noDelay === true,
      // Handshake steps on the thread pool until JS first hears of the connection.
      offloadHandshake: this.#offloadHandshake,
      keepAlive: o.keepAlive === true,
      keepAliveInitialDelay: Math.floor((o.keepAliveInitialDelay ?? 0) / 1000),
    };
    listener.setContext(this.#sharedCreds.context);
    listener.setOptions(options);
  }

  /** maxConnections, and the connections JS holds, for the native listener's accept. */
  _updateNativeLimit(): void {
    // (net.Server's constructor may set maxConnections before this class's fields exist.)
    if (!(#native in this)) return;
    const max = this._maxConnections;
    this.#native?.setLimit(typeof max === 'number' && max >= 0 ? max : -1, this._jsConnections);
  }

  /** A raw socket for 'connection' listeners: what net.Server does with an accepted one. */
  #onRawConnection(fd: number): void {
    const o = this._tlsOptions;
    const raw = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    const owned = raw as net.Socket & { server: net.Server; _server: net.Server };
    owned.server = this;
    owned._server = this;
    (this as unknown as { _connections: number })._connections++;
    if (o.noDelay === true) raw.setNoDelay(true);
    if (o.keepAlive === true) raw.setKeepAlive(true, o.keepAliveInitialDelay);
    this.emit('connection', raw);
  }

  #onNativeConnection(conn: NativeConnection, first: CycleResult): void {
    this._jsConnections++;
    if (this._maxConnections !== undefined) this._updateNativeLimit();
    const socket = this.#newSocket(null, conn);
    socket.once('close', () => {
      this._jsConnections--;
      if (this._maxConnections !== undefined) this._updateNativeLimit();
      (this as unknown as NetServerInternals)._emitCloseIfDrained();
    });
    if ((first.status & binding.status.HANDSHAKE_DONE) === 0) socket._armHandshakeTimeout(this.#handshakeTimeout);
    socket._linkStart(first);
  }

  /** Closes the native handshakes JS has not heard of yet (what destroying raw sockets does on the JS transport). */
  _closeNativePending(): void {
    this.#native?.closePending();
    (this as unknown as NetServerInternals)._emitCloseIfDrained();
  }

  /** Native handshakes JS has not heard of yet. */
  _nativePending(): number {
    // (net.Server's constructor sets _connections before this class's fields exist.)
    if (!(#native in this)) return 0;
    return this.#native?.pending() ?? 0;
  }

  /** True when this server accepts on the native transport. */
  get nativeTransport(): boolean {
    return this.#native !== null;
  }

  /** Serve `hostname` (wildcards: '*.example.com') with this context; later additions win. */
  addContext(hostname: string, context: SecureContext | SecureContextOptions): void {
    this.#sniContexts.add(hostname, context);
    this.#template = null;
    this.#configureNative();
  }

  /** New connections use a context made from these options (node:tls records them on the server). */
  setSecureContext(options: TlsServerOptions): void {
    const contextOptions = recordContextOptions(this, options);
    this.#sharedCreds = makeContext(contextOptions);
    this._tlsOptions = { ...this._tlsOptions, ...options };
    // As in node:tls the new context has new keys, unless given (now or before); the cluster's stay shared.
    this.#ownTicketKeys = contextOptions.ticketKeys != null;
    if (!this.#ownTicketKeys && this.#clusterKey !== null) this.#sharedCreds.context.setTicketKeys(this.#clusterKey);
    this.#settingsChanged();
  }

  /** The key that issues session tickets: 48 bytes (name, HMAC key, AES key). */
  getTicketKeys(): Buffer<ArrayBuffer> {
    // (A Buffer of its own ArrayBuffer, as node's type says.)
    return this.#sharedCreds.context.getTicketKeys().subarray(0, 48) as Buffer<ArrayBuffer>;
  }

  /**
   * Keys for new connections: 48 bytes, or an array of 48-byte keys of which
   * the first issues tickets and all are accepted (rotation; see docs/sessions.md).
   */
  setTicketKeys(keys: Buffer | NodeJS.ArrayBufferView | Array<Buffer | NodeJS.ArrayBufferView>): void {
    const ring = Array.isArray(keys) && keys.length > 0 ? keys : [keys];
    for (const key of ring) {
      validateBuffer(key, 'buffer');
      if (key.byteLength !== 48) throw tlsTicketKeysLength();
    }
    this.#sharedCreds.context.setTicketKeys(ticketKeyRing(keys, 'keys'));
    this.#ownTicketKeys = true;
  }

  /** node:tls's: the server's state another process needs (its ticket key), as hex. */
  _getServerData(): { ticketKeys: string } {
    return { ticketKeys: this.getTicketKeys().toString('hex') };
  }

  _setServerData(data: { ticketKeys: string }): void {
    this.setTicketKeys(Buffer.from(data.ticketKeys, 'hex'));
  }

  /** A rejected async 'secureConnection' listener destroys that socket (events.captureRejections). */
  override [captureRejectionSymbol](err: Error, event: string | symbol, ...args: unknown[]): void {
    if (event === 'secureConnection') {
      (args[0] as TLSSocket).destroy(err);
      return;
    }
    const netRejection = (net.Server.prototype as unknown as Record<symbol, (...a: unknown[]) => void>)[
      captureRejectionSymbol
    ];
    netRejection.call(this, err, event, ...args);
  }

  /** In a cluster worker, listening waits until the shared ticket keys are in (lib/context/cluster_keys.ts). */
  override listen(...args: unknown[]): this {
    // Called with apply() on this server.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const listen = net.Server.prototype.listen as (...a: unknown[]) => unknown;
    const wait = this.#keysWait;
    if (wait === null) {
      listen.apply(this, args);
      return this;
    }
    void wait.then(() => {
      try {
        listen.apply(this, args);
      } catch (err) {
        this.emit('error', err);
      }
    });
    return this;
  }
}

/**
 * The deprecated server.setOptions(options) (DEP0122), as node:tls has it:
 * records the options on the server and changes the certificate request,
 * ALPN list and PSK callback of new connections; the context stays.
 */
function setOptions(this: TlsServer, options: TlsServerOptions): void {
  const settings = setOptionsRecord(this, options as Record<string, unknown>);
  this.requestCert = settings.requestCert;
  this.rejectUnauthorized = settings.rejectUnauthorized;
  if (settings.ALPNProtocols !== undefined) this.ALPNProtocols = settings.ALPNProtocols as Buffer;
  if (settings.pskCallback !== undefined || settings.pskIdentityHint !== undefined) {
    const psk = {
      pskCallback: settings.pskCallback ?? this._tlsOptions.pskCallback,
      pskIdentityHint: settings.pskIdentityHint ?? this._tlsOptions.pskIdentityHint,
    } as TlsServerOptions;
    validateServerPskOptions(psk);
    this._setPsk(psk);
  }
}

Object.defineProperty(TlsServer.prototype, 'setOptions', {
  configurable: true,
  enumerable: false,
  writable: true,
  value: deprecate(setOptions, 'Server.prototype.setOptions() is deprecated', 'DEP0122'),
});

// net.Server counts its sockets in _connections (close() waits for 0, getConnections()
// reports it); handshakes still under way on the native listener count too.
Object.defineProperty(TlsServer.prototype, '_connections', {
  configurable: true,
  enumerable: false,
  get(this: TlsServer & { _native?: never }) {
    return this._jsConnections + this._nativePending();
  },
  set(this: TlsServer, value: number) {
    // net.Server counts with ++/--: what it read included the pending handshakes.
    this._jsConnections = value - this._nativePending();
  },
});

// server.maxConnections: the native listener enforces it at accept.
Object.defineProperty(TlsServer.prototype, 'maxConnections', {
  configurable: true,
  enumerable: true,
  get(this: TlsServer) {
    return this._maxConnections;
  },
  set(this: TlsServer, value: number) {
    this._maxConnections = value;
    this._updateNativeLimit();
  },
});

/** node:tls's Server: a class, and callable without `new` as node's function constructor is. */
export type Server = TlsServer;
export const Server = callableClass(TlsServer, 'Server', true);

export function createServer(
  options?: TlsServerOptions | SecureConnectionListener | null,
  listener?: SecureConnectionListener | null,
): Server {
  return new Server(options, listener);
}
