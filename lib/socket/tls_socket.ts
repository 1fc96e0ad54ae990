// TLSSocket: node:tls's socket, a Duplex of cleartext. Its options are
// normalized once (options.ts); its driver (driver.ts) owns the native
// Connection and a transport (the JS one over any Duplex, or the native one
// where C++ owns the socket) and turns results into this socket's events. This
// file is the public face: the stream methods, the net.Socket API and the TLS
// information node:tls offers.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { X509Certificate } from 'node:crypto';
import type { CycleResult, NativeCertificate, NativeConnection } from '../../typings/native';
import { binding } from '../internal/binding';
import { handshakeTimeout, invalidArgType, socketClosed, tlsInvalidState, tlsSniFromServer } from '../internal/errors';
import { validateBuffer, validateInt32, validateString, validateUint32 } from '../internal/validators';
import { enableTrace } from '../policy/trace';
import type { ServerPskOptions, ClientPskOptions } from '../policy/psk';
import { makeContext } from '../context/factory';
import { SecureContext, type SecureContextOptions } from '../context/secure_context';
import { manyChunks, oneChunk, type WriteChunk } from './cleartext_chunks';
import { Driver } from './driver';
import { IdleTimer } from './idle_timer';
import { JsTransport } from './js_transport';
import { NativeTransport } from './native_transport';
import { kTakeOverReads, type ReadConsumer, type TakenReads } from './read_takeover';
import { linkedPeerChain } from './peer_chain';
import { socketConfig, type ServerSocketSetup, type SocketConfig, type SocketOptions } from './options';
import type { Transport, WriteCallback } from './transport';

export type PeerCertificate = NativeCertificate;
export type TLSSocketOptions = SocketOptions<TLSSocket>;
export type { ServerPskOptions, ClientPskOptions };

/** How connect() and the Server make a socket: options already normalized, and a native connection. */
export interface SocketInit {
  config: SocketConfig<TLSSocket>;
  /** The native transport: a Connection the listener accepted (its handshake ran with no JS). */
  link?: NativeConnection;
  /** A Server's setup for this connection (its config is the server's shared template). */
  setup?: ServerSocketSetup<TLSSocket>;
}

/** A stream a TLSSocket can run over: a net.Socket or any Duplex. */
function isStream(value: unknown): value is Duplex {
  if (value instanceof net.Socket) return true;
  const s = value as Partial<Record<string, unknown>>;
  return ['on', 'write', 'end', 'pause', 'resume', 'destroy'].every((m) => typeof s[m] === 'function');
}

export class TLSSocket extends net.Socket {
  encrypted = true as const;
  authorized = false;
  /**
   * OpenSSL's verify code name ('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), null when
   * verified: a string, as in node:tls. Typed `any` only because @types/node
   * declares it `Error`, and a string type would make this class unassignable
   * to node's TLSSocket (test/types.test.ts).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  authorizationError: any = null;
  servername: string | false | null = null;
  alpnProtocol: string | false | null = null;
  npnProtocol: string | false | null = null;
  _secureEstablished = false;
  /**
   * node:tls: a socket made directly (not by connect() or a Server) keeps control of its
   * errors: until _releaseControl(), an 'error' goes to '_tlsError' and nothing else (no
   * uncaught exception when the program listens for neither).
   */
  _controlReleased = false;
  /**
   * Beyond node:tls. Server: the TLS 1.3 early data (0-RTT) the client sent before
   * the handshake finished (it also comes first in the socket's data), or null. It
   * may be a replay from another connection: act on it only when that is harmless.
   */
  earlyData: Buffer | null = null;
  /** The connection's options as given (node:tls keeps them too). */
  _tlsOptions: TLSSocketOptions;
  readonly #idle: IdleTimer;
  readonly #driver: Driver<TLSSocket>;
  #quietPeerGone = false;
  /** With #quietPeerGone: when else, besides after end(), a peer-gone error is dropped. */
  #quietAlso: (() => boolean) | null = null;
  // _final ran: every write of the program's is done; what follows is the close_notify.
  #shutdownStarted = false;
  // http2's session socket: told at once when this one is destroyed (cleartext_relay.ts).
  #whenDestroyed: Array<(error: Error | null) => void> = [];

  constructor(socket?: Duplex | null, options: TLSSocketOptions = {}, init?: SocketInit) {
    if (socket != null && !isStream(socket)) throw invalidArgType('socket', ['net.Socket', 'stream.Duplex'], socket);
    const config = init?.config ?? socketConfig<TLSSocket>(options);
    const stream = init?.link !== undefined ? null : (socket ?? null);
    super({
      // node:tls: a given socket's own setting, else the option (a server's and connect()'s come in config).
      allowHalfOpen: init === undefined && stream !== null ? stream.allowHalfOpen : config.allowHalfOpen,
      // node:tls hands its socket this option (connect() passes it on); net.Socket's types lack it.
      highWaterMark: options.highWaterMark,
    } as net.SocketConstructorOpts);
    this._tlsOptions = options;
    this.#idle = new IdleTimer(() => this.emit('timeout'));
    this.#driver = new Driver<TLSSocket>(this, config, stream, init?.link, this.#idle, init?.setup);
    // connect()'s and a Server's sockets report errors their own way.
    // (The method itself is the listener, as in node:tls: emit() calls it on this socket.)
    // eslint-disable-next-line @typescript-eslint/unbound-method
    if (init === undefined) this.on('error', this._tlsError);
    else this._controlReleased = true;
  }

  /** node:tls's: tells '_tlsError'; the error itself while control is released, else null. */
  _tlsError(this: TLSSocket, err: Error): Error | null {
    this.emit('_tlsError', err);
    return this._controlReleased ? err : null;
  }

  /** node:tls's: 'error' reaches the program's own listeners only from now on. */
  _releaseControl(): boolean {
    if (this._controlReleased) return false;
    this._controlReleased = true;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.removeListener('error', this._tlsError);
    return true;
  }

  /** The transport stream of encrypted bytes (a net.Socket or any Duplex); null on the native transport. */
  get _transport(): Duplex | null {
    return this.#driver.transport.stream;
  }

  /** True on the native transport. */
  get _native(): boolean {
    return this.#driver.transport.native;
  }

  /** The transport, for the accessors below (undefined while net.Socket's constructor runs). */
  _transportOf(): Transport | undefined {
    return #driver in this ? this.#driver.transport : undefined;
  }

  /** The client-certificate policy in force (renegotiate() may change it). */
  _policy(): { requestCert: boolean; rejectUnauthorized: boolean } {
    return this.#driver.certPolicy;
  }

  /** Server: 'secureConnection' was emitted. */
  _released(): boolean {
    return this.#driver.released;
  }

  /** Native transport: the connection's first result (its handshake ran with no JS). */
  _linkStart(first: CycleResult): void {
    this.#driver.linkStart(first);
  }

  /** Client: begin the handshake now (node:tls's; connect() calls it, a first write too). */
  _start(): void {
    this.#driver.start();
  }

  /**
   * A socket made without a transport (new TLSSocket(null)) connects its own
   * net.Socket, with net's arguments, as node:tls's connect() does.
   */
  override connect(...args: unknown[]): this {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args.pop();
      this.once('connect', last as () => void);
    }
    const transport = this.#driver.transport;
    if (!(transport instanceof JsTransport)) throw new TypeError('The socket is connected already');
    transport.connect(args);
    return this;
  }

  /** Server: fail the handshake if it is not done in time (ERR_TLS_HANDSHAKE_TIMEOUT). */
  _armHandshakeTimeout(ms: number): void {
    if (ms <= 0) return;
    const t = setTimeout(() => {
      if (!this._secureEstablished) this.#driver.fail(handshakeTimeout());
    }, ms);
    t.unref();
    this.once('secure', () => clearTimeout(t));
    this.once('close', () => clearTimeout(t));
  }

  /** Holds back encrypted output (newSession) until the returned function is called. */
  _holdOutput(): () => void {
    return this.#driver.holdOutput();
  }

  // ---- the stream ----

  override _read(_size: number): void {
    this.#driver.read();
  }

  /** A TLS socket made over this one: the cleartext is its (read_takeover.ts). */
  [kTakeOverReads](consumer: ReadConsumer): TakenReads {
    return this.#driver.reader.consume(consumer);
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: WriteCallback): void {
    this.#driver.writev(oneChunk(chunk, encoding), cb);
  }

  override _writev(chunks: WriteChunk[], cb: WriteCallback): void {
    this.#driver.writev(manyChunks(chunks), cb);
  }

  override _final(cb: WriteCallback): void {
    this.#shutdownStarted = true;
    this.#driver.final(cb);
  }

  /**
   * HTTP sockets: an EPIPE or ECONNRESET after end() (or whenever `alsoWhen()` says so)
   * destroys without 'error' (after_shutdown.ts).
   */
  _ignorePeerGoneAfterEnd(alsoWhen?: () => boolean): void {
    this.#quietPeerGone = true;
    if (alsoWhen !== undefined) this.#quietAlso = alsoWhen;
  }

  /** A socket given to node's http2 session: writes complete as soon as their bytes are out (http2_server.ts). */
  _completeWritesAtOnce(): void {
    this.#driver.writer.completeAtOnce();
  }

  /**
   * http2 over the native transport (lib/http/cleartext_relay.ts): the cleartext goes over
   * a socketpair from now on. `ownFd`: the relay's end of a pair made already, or null for
   * a new pair. Returns the pair's other end (a new pair's; `ownFd` when given), or null on
   * the JS transport, before the handshake, or (new pair only) when it cannot be made; a
   * given `ownFd` is the connection's once the transport is native (closed if this throws).
   * What was received and not read goes ahead of the rest. `onEnd`: that end will write no more.
   */
  _relayCleartext(onEnd: () => void, ownFd: number | null = null): number | null {
    const transport = this.#driver.transport;
    if (!(transport instanceof NativeTransport) || !transport.alive || !this._secureEstablished) return null;
    if (this.destroyed || this.readableEncoding !== null) return null;
    const first: Buffer[] = [];
    for (let chunk: unknown = this.read(); chunk !== null; chunk = this.read()) first.push(chunk as Buffer);
    try {
      return transport.relay(ownFd, first, onEnd);
    } catch (error) {
      // What was read goes back: the stream carries on as it was.
      for (let i = first.length - 1; i >= 0; i--) this.unshift(first[i]);
      // (No descriptor left for a new pair, say: the caller keeps its JS path.)
      if (ownFd === null) return null;
      throw error;
    }
  }

  /**
   * When the peer's end comes, `gate` decides when the readable side ends (http2: once its
   * session has read what came before it; cleartext_relay.ts, http2_server.ts).
   */
  _deferReadableEnd(gate: (proceed: () => void) => void): void {
    this.#driver.reader.deferEnd(gate);
  }

  /**
   * `fn` is called as this socket is destroyed (in its _destroy), with the error it reports
   * (null: none): http2's session socket goes with it at once, as node:tls's socket is the
   * session's own (cleartext_relay.ts, http2_server.ts).
   */
  _whenDestroyed(fn: (error: Error | null) => void): void {
    if (this.destroyed) fn(null);
    else this.#whenDestroyed.push(fn);
  }

  override _destroy(error: Error | null, cb: (error: Error | null) => void): void {
    this.#idle.clear();
    const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
    const peerGone = code === 'EPIPE' || code === 'ECONNRESET';
    // node:tls drops a failed write of its own bytes (the close_notify after end()): only the
    // program's writes report errors. HTTP servers' sockets also drop the peer's reset then.
    const quiet =
      peerGone &&
      ((this.#quietPeerGone && (this.writableEnded || this.#quietAlso?.() === true)) ||
        (this.#shutdownStarted && syscall === 'write'));
    this.#driver.destroy(error, () => {
      cb(quiet ? null : error);
      const gone = this.#whenDestroyed;
      this.#whenDestroyed = [];
      for (const fn of gone) fn(quiet ? null : error);
      // net.Socket leaves 'close' to its _destroy; so do we.
      process.nextTick(() => this.emit('close', error !== null && error !== undefined));
    });
  }

  // ---- timeouts: activity is encrypted or cleartext bytes moving ----

  override setTimeout(ms: number, callback?: () => void): this {
    // As net.Socket: nothing on a destroyed socket (an HTTP server sets its keep-alive
    // timeout when a response finishes, which may be after closeAllConnections()).
    if (this.destroyed) return this;
    this.#idle.set(ms);
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  /** The idle timeout set with setTimeout(), in ms (0: none). */
  _idleTimeout(): number {
    return this.#idle.ms;
  }

  // ---- the socket API, answered by the transport ----

  override setNoDelay(noDelay?: boolean): this {
    this.#driver.transport.setNoDelay(noDelay !== false);
    return this;
  }

  override setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#driver.transport.setKeepAlive(enable === true, initialDelay ?? 0);
    return this;
  }

  override ref(): this {
    this.#idle.ref();
    this.#driver.ref();
    return this;
  }

  override unref(): this {
    this.#idle.unref();
    this.#driver.unref();
    return this;
  }

  override address(): net.AddressInfo | Record<string, never> {
    return this.#driver.transport.address();
  }

  // ---- TLS information ----

  #conn(): NativeConnection | null {
    return this.#driver.conn;
  }

  // Like node:tls, these answer null once the socket is closed (node's types say otherwise for this one).
  getPeerCertificate(detailed?: boolean): PeerCertificate | Record<string, never> {
    const conn = this.#conn();
    if (conn === null) return null as unknown as Record<string, never>;
    return conn.getPeerCertificate(detailed === true) ?? {};
  }

  getCertificate(): PeerCertificate | Record<string, never> | null {
    const conn = this.#conn();
    if (conn === null) return null;
    return conn.getCertificate() ?? {};
  }

  getPeerX509Certificate(): X509Certificate | undefined {
    const conn = this.#conn();
    return conn === null ? undefined : linkedPeerChain(conn.getPeerCertificateChainDer());
  }

  getX509Certificate(): X509Certificate | undefined {
    const der = this.#conn()?.getCertificateDer();
    return der ? new X509Certificate(der) : undefined;
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined | null {
    const conn = this.#conn();
    return conn === null ? null : (conn.getCipher() ?? undefined);
  }

  getProtocol(): string | null {
    return this.#conn()?.getProtocol() ?? null;
  }

  getEphemeralKeyInfo(): { type?: string; name?: string; size?: number } | null {
    return this.#conn()?.getEphemeralKeyInfo() ?? null;
  }

  getFinished(): Buffer | undefined | null {
    const conn = this.#conn();
    return conn === null ? null : conn.getFinished();
  }

  getPeerFinished(): Buffer | undefined | null {
    const conn = this.#conn();
    return conn === null ? null : conn.getPeerFinished();
  }

  getSession(): Buffer | undefined | null {
    const conn = this.#conn();
    if (conn === null) return null;
    // Inside a 'session' event: the session it is for (OpenSSL's current one may be newer).
    return this.#driver.reporting.session ?? conn.getSession();
  }

  getTLSTicket(): Buffer | undefined | null {
    const conn = this.#conn();
    if (conn === null) return null;
    const reporting = this.#driver.reporting.session;
    return reporting !== null ? binding.sessionTicket(reporting) : conn.getTLSTicket();
  }

  isSessionReused(): boolean | null {
    const conn = this.#conn();
    return conn === null ? null : conn.isSessionReused();
  }

  /**
   * Beyond node:tls: whether TLS 1.3 early data went through: on a client, the
   * server accepted its `earlyData` (otherwise it was re-sent after the handshake);
   * on a server, it accepted the client's. False before the handshake decides.
   */
  isEarlyDataAccepted(): boolean {
    const conn = this.#conn();
    return conn === null ? false : conn.isEarlyDataAccepted();
  }

  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    validateUint32(length, 'length', true);
    validateString(label, 'label');
    if (context !== undefined) validateBuffer(context, 'context');
    const conn = this.#conn();
    if (conn === null) throw socketClosed();
    if (!this._secureEstablished) throw tlsInvalidState('TLS socket connection must be securely established');
    return conn.exportKeyingMaterial(length, label, context);
  }

  /** Signature algorithms both sides accept, most preferred first ([] before the handshake, null once closed). */
  getSharedSigalgs(): string[] | null {
    return this.#conn()?.getSharedSigalgs() ?? null;
  }

  /** OpenSSL's protocol trace of this connection, on stderr. */
  enableTrace(): void {
    enableTrace(this.#conn());
  }

  /** TLS 1.2: start a renegotiation; callback(err) once it is done (lib/policy/renegotiation.ts). */
  renegotiate(
    options: { rejectUnauthorized?: boolean; requestCert?: boolean },
    callback?: (err: Error | null) => void,
  ): boolean | undefined {
    return this.#driver.renegotiation.renegotiate(options, callback);
  }

  /** From now on a renegotiation the peer starts fails this socket (ERR_TLS_RENEGOTIATION_DISABLED). */
  disableRenegotiation(): void {
    this.#driver.renegotiation.disable();
  }

  /** Client: the server name (SNI) to send; before the handshake starts (connect() sets it from `servername`). */
  setServername(name: string): void {
    validateString(name, 'name');
    if (this._tlsOptions.isServer === true) throw tlsSniFromServer();
    this.#requireConn().setServername(name);
  }

  /** Client: a session to resume (a latin1 string is taken as its bytes, as in node:tls). */
  setSession(session: Buffer | string): void {
    this.#requireConn().setSession(typeof session === 'string' ? Buffer.from(session, 'latin1') : session);
  }

  /** Server: answer with this context's (or these options') certificate, key and chain, e.g. from an ALPNCallback. */
  setKeyCert(context: SecureContext | SecureContextOptions): void {
    const conn = this.#conn();
    if (conn === null) return;
    const secureContext = context instanceof SecureContext ? context : makeContext(context);
    conn.setKeyCert(secureContext.context);
  }

  #requireConn(): NativeConnection {
    const conn = this.#conn();
    if (conn === null) throw socketClosed();
    return conn;
  }

  /** False when OpenSSL refuses the size (it takes 512 to 16384), as node:tls answers. */
  setMaxSendFragment(size: number): boolean {
    validateInt32(size, 'size');
    return this.#conn()?.setMaxSendFragment(size) ?? false;
  }
}

/** The address fields net.Socket defines as accessors; a TLSSocket reports its transport's. */
export const addressFields = [
  'remoteAddress',
  'remoteFamily',
  'remotePort',
  'localAddress',
  'localPort',
  'localFamily',
] as const;

for (const name of addressFields) {
  Object.defineProperty(TLSSocket.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return this._transportOf()?.remote(name);
    },
  });
}

/** `read` on a socket; undefined when the getter is read off the prototype itself, as node's are. */
function onSocket<T>(socket: TLSSocket, read: () => T): T | undefined {
  return socket._transportOf() === undefined ? undefined : read();
}

Object.defineProperties(TLSSocket.prototype, {
  // node:tls's: true until the handshake is done.
  secureConnecting: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return onSocket(this, () => !this._secureEstablished);
    },
  },
  // node:tls's (read by some libraries): a client always requests the server's certificate.
  _requestCert: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return onSocket(this, () => this._policy().requestCert || this._tlsOptions.isServer !== true);
    },
  },
  _rejectUnauthorized: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return onSocket(this, () => this._policy().rejectUnauthorized);
    },
  },
  _controlReleased: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return onSocket(this, () => this._released());
    },
  },
  // net.Socket's: what is queued to write (undefined once closed).
  bufferSize: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return this.destroyed ? undefined : this.writableLength;
    },
  },
  // Encrypted bytes handed to the transport, TLS overhead included.
  bytesWritten: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return this._transportOf()?.bytesWritten;
    },
  },
  timeout: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      const ms = onSocket(this, () => this._idleTimeout()) ?? 0;
      return ms > 0 ? ms : undefined;
    },
  },
  connecting: {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      return this._transportOf()?.connecting;
    },
    set() {
      // net.Socket's constructor assigns it; the transport's value is the truth.
    },
  },
});
