// TLSSocket: a Duplex of cleartext over any Duplex transport of encrypted bytes.
// One native Connection does the TLS; this file pumps bytes between it and the
// transport and turns what each native call reports into node:tls's events.
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { X509Certificate } from 'node:crypto';
import { binding } from './binding';
import { createSecureContext, SecureContext, type SecureContextOptions } from './secure_context';
import { clientSecureContext } from './context_cache';
import { guardedCallback, runSteps, type CertificateStep, type ClientHelloStep } from './pause';
import { sniStep, type SNICallback } from './sni';
import { clientSessionOption, clientSessionReport, type Guard, type SessionReport } from './session';
import { invalidArgType, validateBuffer, validateInteger, validateString, validateUint32, type NodeError } from './errors';
import * as errors from './tls_errors';
import { pskConnectionOptions, type PskOptions } from './psk';
import { Renegotiation } from './renegotiation';
import { alpnStep, protocolConnectionOptions, type ProtocolOptions } from './alpn';
import { enableTrace, reportKeylogOnListener, traceOption } from './trace';
import type { CycleResult, NativeCertificate, NativeConnection, NativePause, NativeResumeAnswer } from '../typings/native';

const S = binding.status;

export type PeerCertificate = NativeCertificate;

export interface TLSSocketOptions extends SecureContextOptions, PskOptions, ProtocolOptions {
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
}

/** What a Server adds to each of its sockets (lib/server.ts). */
export interface ServerSocketSetup {
  hooks: ServerHooks;
  /** Steps answering the ClientHello pause, after SNI (resumeSession, ALPNCallback, ...). */
  clientHelloSteps: ClientHelloStep[];
  /** Steps answering the certificate pause (OCSPRequest). */
  certificateSteps: CertificateStep[];
  reportSessions: boolean;
  reportKeylog: boolean;
  /** What to do with the sessions reported (newSession, lib/session.ts). */
  sessionReport?: (socket: TLSSocket) => SessionReport;
  /** Run the handshake's steps on the libuv thread pool (offloadHandshake, lib/server.ts). */
  offloadHandshake?: boolean;
}

type WriteCallback = (error?: Error | null) => void;
/** What a TLSSocket listens to on its transport (removed when the native transport takes over). */
type TransportListener = Parameters<Duplex['on']>[1];

interface Chunk {
  chunk: Buffer | string;
  encoding: BufferEncoding;
}

/** Server-side hooks a TLSSocket calls on its server (see lib/server.ts). */
export interface ServerHooks {
  onTLSError(error: Error, socket: TLSSocket): void;
  onSecure(socket: TLSSocket): void;
  onKeylog(line: Buffer, socket: TLSSocket): void;
}

export class TLSSocket extends net.Socket {
  encrypted = true as const;
  authorized = false;
  authorizationError: string | null = null;
  servername: string | false | null = null;
  alpnProtocol: string | false | null = null;
  npnProtocol: string | false | null = null;

  /** The transport of encrypted bytes (a net.Socket or any Duplex); null on the native transport. */
  _transport: Duplex | null;
  _secureEstablished = false;
  /** The connection's options as given; connect() and Server fill them. */
  _tlsOptions: TLSSocketOptions;

  #conn: NativeConnection | null;
  #isServer: boolean;
  #context: SecureContext;
  #pendingWrite: { chunks: Buffer[]; cb: WriteCallback } | null = null;
  #heldWriteCallbacks: WriteCallback[] = [];
  #pendingFinal: WriteCallback | null = null;
  #transportPaused = false;
  #peerEnded = false;
  #errorEmitted = false;
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | null = null;
  #hooks: ServerHooks | null = null;
  #clientHelloSteps: ClientHelloStep[] = [];
  #certificateSteps: CertificateStep[] = [];
  #onSecureHook: (() => Error | undefined) | null = null;
  _encryptedBytesWritten = 0;
  // renegotiate(), disableRenegotiation() and the limiter (lib/renegotiation.ts).
  readonly #reneg = new Renegotiation(this, () => this.#conn, (r) => this.#handle(r));
  // Sessions (lib/session.ts): what to do with reported ones, and the output
  // held back while a newSession callback is outstanding.
  #sessionReport: SessionReport | null = null;
  #holds = 0;
  #heldOutput: Array<{ data: Buffer; cb: WriteCallback | null }> = [];
  #securePending = false;
  // offloadHandshake: handshake steps on the thread pool; input that came while one runs.
  #offload = false;
  #inFlight = false;
  #queued: Buffer[] = [];
  // The transport ended or closed while a step was in flight: acted on after it and the queued input.
  #queuedEnd: 'end' | 'close' | null = null;
  // The native transport (lib/server.ts): the Connection owns the socket; write
  // callbacks waiting for WRITES_DONE; _final's waiting for SHUTDOWN_DONE; FINs seen.
  #link = false;
  // A client made by connect() moves to the native transport once connected (over TCP or a pipe).
  #takeOver: 'tcp' | 'pipe' | null = null;
  #transportListeners: Array<[string, TransportListener]> = [];
  #linkWriteCallbacks: WriteCallback[] = [];
  #linkShutdownCallback: WriteCallback | null = null;
  #linkPeerFin = false;
  #linkOwnFin = false;
  #linkBytes: [number, number] = [0, 0];

  constructor(transport?: Duplex | null, options: TLSSocketOptions = {}, setup?: ServerSocketSetup, link?: NativeConnection) {
    super({ allowHalfOpen: options.allowHalfOpen ?? (transport as net.Socket | undefined)?.allowHalfOpen ?? false });
    this._tlsOptions = options;
    this.#isServer = options.isServer === true;
    this.#link = link !== undefined;
    this._transport = link !== undefined ? null : (transport ?? new net.Socket());
    // A client's implicit context is shared with connections of the same options (lib/context_cache.ts).
    this.#context = options.secureContext ?? (this.#isServer ? createSecureContext(options) : clientSecureContext(options));
    if (!(this.#context instanceof SecureContext)) {
      throw invalidArgType('options.secureContext', 'SecureContext', this.#context);
    }
    const servername = !this.#isServer && typeof options.servername === 'string' ? options.servername : undefined;
    if (this.#isServer) {
      if (typeof options.SNICallback === 'function') {
        this.#clientHelloSteps.push(sniStep(options.SNICallback, (fn) => this.#guard(fn)));
      }
      if (typeof options.ALPNCallback === 'function') this.#clientHelloSteps.push(alpnStep(options.ALPNCallback));
      if (setup !== undefined) {
        this.#hooks = setup.hooks;
        this.#clientHelloSteps.push(...setup.clientHelloSteps);
        this.#certificateSteps.push(...setup.certificateSteps);
      }
    }
    this.#conn = link ?? new binding.Connection(this.#context.context, {
      isServer: this.#isServer,
      requestCert: options.requestCert === true,
      rejectUnauthorized: options.rejectUnauthorized !== false,
      servername,
      session: this.#isServer ? undefined : clientSessionOption(options.session),
      pauseOnClientHello: this.#clientHelloSteps.length > 0,
      pauseOnCertificate: this.#certificateSteps.length > 0,
      reportSessions: setup?.reportSessions ?? false,
      reportKeylog: setup?.reportKeylog ?? false,
      ...pskConnectionOptions(this, this.#isServer, options),
      ...protocolConnectionOptions(options),
      requestOCSP: !this.#isServer && Boolean(options.requestOCSP),
    });
    // PSK callbacks run JS inside OpenSSL: those handshakes stay on the main thread.
    // On the native transport the link runs the steps on the pool itself, until JS adopts it.
    this.#offload =
      link === undefined && this.#isServer && setup?.offloadHandshake === true && typeof options.pskCallback !== 'function';
    reportKeylogOnListener(this, () => this.#conn?.setReportKeylog(true));
    if (traceOption(options.enableTrace)) enableTrace(this.#conn);
    if (!this.#isServer) this.#sessionReport = clientSessionReport(this, () => this.#conn?.setReportSessions(true));
    else if (setup?.sessionReport !== undefined) this.#sessionReport = setup.sessionReport(this);
    if (link !== undefined) link.onresult = (r) => this.#onLinkResult(r);
    else this.#attachTransport();
  }

  /** Native transport: the connection's first result (its handshake ran with no JS). */
  _linkStart(first: CycleResult): void {
    this.#onLinkResult(first);
  }

  /** What the native transport brings: the socket's bytes, decrypted, and its events. */
  #onLinkResult(r: CycleResult): void {
    if (this.destroyed || this.#conn === null) return;
    const st = r.status;
    if ((st & S.TRANSPORT_ERROR) !== 0) {
      this.#fail(r.transportError ?? errors.connReset('socket hang up'));
      return;
    }
    this.#touch();
    this.#handle(r);
    if (this.destroyed) return;
    if ((st & S.WRITES_DONE) !== 0) {
      const cbs = this.#linkWriteCallbacks;
      this.#linkWriteCallbacks = [];
      for (const cb of cbs) cb();
    }
    if ((st & S.HANDSHAKE_TIMEOUT) !== 0 && !this._secureEstablished) {
      this.#fail(errors.handshakeTimeout());
      return;
    }
    if ((st & S.SHUTDOWN_DONE) !== 0) {
      this.#linkOwnFin = true;
      const cb = this.#linkShutdownCallback;
      this.#linkShutdownCallback = null;
      cb?.();
    }
    if ((st & S.TRANSPORT_END) !== 0) {
      this.#linkPeerFin = true;
      this.#onTransportEnd();
    }
    // Both directions are done: the socket is, as a transport's 'close' says.
    if (this.#linkPeerFin && this.#linkOwnFin && !this.destroyed) this.#onTransportClose();
  }

  /** The guard for user callbacks answering this socket's handshake (steps made outside this file). */
  readonly _guard: Guard = (fn) => this.#guard(fn);

  /**
   * Holds back encrypted output (and, before TLS 1.3, the 'secure' events) until
   * the returned function is called; holds nest. Used while newSession waits.
   */
  _holdOutput(): () => void {
    this.#holds++;
    if (this.#link) this.#conn?.holdOutput();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      // A transport already gone: its 'close' is on the way and fails the socket.
      if (this.#link) this.#conn?.releaseOutput();
      if (this.#holds > 0 || this.destroyed || this._transport?.destroyed === true) return;
      const held = this.#heldOutput;
      this.#heldOutput = [];
      for (const { data, cb } of held) this.#sendEncrypted(data, cb);
      if (this.#securePending) {
        this.#securePending = false;
        this.#onHandshakeDone();
      }
    };
  }

  /** A callback for user code answering a pause: once only, harmless after close. */
  #guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return guardedCallback(() => this.destroyed || this.#conn === null, (err) => this.#fail(err), fn);
  }

  #onPause(pause: NativePause): void {
    const done = (err: Error | null, answer: NativeResumeAnswer) => {
      const conn = this.#conn;
      if (this.destroyed || conn === null) return;
      if (err) {
        this.#fail(err);
        return;
      }
      if (this.#offload && !this._secureEstablished) this.#step(conn.resumeAsync(answer, this.#stepDone));
      else this.#handle(conn.resume(answer));
    };
    if (pause.kind === 'clientHello') runSteps(this.#clientHelloSteps, pause, done);
    else runSteps(this.#certificateSteps, pause, done);
  }

  /** Used by connect(): the client's identity check, run when the handshake is done. */
  _setSecureCheck(check: () => Error | undefined): void {
    this.#onSecureHook = check;
  }

  /**
   * Used by connect(): true only when the peer's certificate surely names `hostname` by
   * tls.checkServerIdentity's rules, decided natively from its DNS names without building
   * a certificate object; false means "no match or unsure".
   */
  _peerCertificateNamesHost(hostname: string): boolean {
    const der = this.#conn?.getPeerCertificateDer();
    return der != null && binding.certificateNamesHost(der, hostname);
  }

  #attachTransport(): void {
    const t = this._transport;
    if (t === null) return;
    const listeners: Array<[string, TransportListener]> = [
      ['data', (chunk: Buffer | string) => this.#onEncrypted(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)],
      ['end', () => this.#onTransportEnd()],
      ['error', (err: Error) => this.#fail(err)],
      [
        'close',
        () => {
          if (!this.destroyed) this.#onTransportClose();
        },
      ],
    ];
    if (t instanceof net.Socket && t.connecting) {
      // node:tls's socket is the one that looks the host up.
      listeners.push(['lookup', (...args: unknown[]) => this.emit('lookup', ...args)]);
    }
    for (const [event, fn] of listeners) t.on(event, fn);
    this.#transportListeners = listeners;
    if (t instanceof net.Socket) {
      if (t.connecting) {
        t.once('connect', () => {
          if (this.#takeOver !== null) this.#takeOverTransport(t);
          this.emit('connect');
          this.#start();
        });
        return;
      }
    }
    // A transport that is already open (accepted socket, any Duplex).
    process.nextTick(() => this.#start());
  }

  /** Used by connect(): once node has connected the socket (a pipe's too), the native transport takes it over. */
  _wantNativeTransport(pipe: boolean): void {
    this.#takeOver = pipe ? 'pipe' : 'tcp';
  }

  /**
   * A client's native transport: the Connection takes a duplicate of the connected
   * descriptor and node's socket goes. Where that cannot be done, the connection
   * stays on the JS transport.
   */
  #takeOverTransport(t: net.Socket): void {
    const conn = this.#conn;
    const fd = (t as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
    if (conn === null || this.destroyed || typeof fd !== 'number' || fd < 0) return;
    try {
      conn.attachSocket(fd, this.#takeOver === 'pipe');
    } catch {
      return;
    }
    for (const [event, fn] of this.#transportListeners) t.removeListener(event, fn);
    this.#transportListeners = [];
    this._transport = null;
    this.#link = true;
    conn.onresult = (r) => this.#onLinkResult(r);
    if (this.#unrefd) conn.unref();
    if (this.#transportPaused) conn.readStop();
    t.destroy();
  }

  #start(): void {
    if (this.destroyed || this.#conn === null) return;
    if (!this.#isServer) this.#handle(this.#conn.start());
  }

  #onEncrypted(chunk: Buffer): void {
    if (this.#conn === null || this.destroyed) return;
    this.#touch();
    if (this.#inFlight) {
      this.#queued.push(chunk);
      return;
    }
    if (this.#offload && !this._secureEstablished) this.#step(this.#conn.receiveAsync(chunk, this.#stepDone));
    else this.#handle(this.#conn.receive(chunk));
  }

  /** A handshake step: its result now, or (undefined) later through #stepDone. */
  #step(r: CycleResult | undefined): void {
    if (r === undefined) this.#inFlight = true;
    else this.#handle(r);
  }

  /** A handshake step is back from the thread pool: its result, then the input that waited. */
  readonly #stepDone = (r: CycleResult): void => {
    this.#inFlight = false;
    if (this.destroyed || this.#conn === null) return;
    this.#handle(r);
    while (!this.#inFlight && this.#queued.length > 0 && !this.destroyed && this.#conn !== null) {
      this.#onEncrypted(this.#queued.shift() as Buffer);
    }
    const end = this.#queuedEnd;
    if (!this.#inFlight && end !== null && !this.destroyed) {
      this.#queuedEnd = null;
      if (end === 'end') this.#onTransportEnd();
      else this.#onTransportClose();
    }
  };

  /** Acts on one native result, in the order the bytes happened. */
  #handle(r: CycleResult): void {
    // Before the encrypted bytes: newSession may hold them back.
    // A client checks the server before its last flight goes out: one it rejects
    // never gets the Finished (as with node:tls, the server sees the connection drop).
    if (!this.#isServer && (r.status & S.HANDSHAKE_DONE) !== 0 && !this._secureEstablished && !this.#verifyServer()) return;
    const afterSessions = r.sessions !== undefined && this.#sessionReport !== null ? this.#sessionReport(r.sessions) : null;
    // Native transport: the bytes of a result with sessions, or of a client's finished
    // handshake (checked above), wait for this (and any hold).
    if (this.#link && (r.sessions !== undefined || (!this.#isServer && (r.status & S.HANDSHAKE_DONE) !== 0))) {
      this.#conn?.flushOutput();
    }
    if (r.encrypted !== undefined) this.#sendEncrypted(r.encrypted, null);
    if (r.peerRenegotiations !== undefined) {
      // Limiter, disableRenegotiation(): ERR_TLS_SESSION_ATTACK, ERR_TLS_RENEGOTIATION_DISABLED.
      const refused = this.#reneg.onPeerStart(r.peerRenegotiations);
      if (refused !== undefined) {
        this.destroy(refused);
        return;
      }
    }
    if (r.keylog !== undefined) {
      // Before 'secure'/'secureConnect', as node:tls emits them (from inside the handshake).
      for (const line of r.keylog) {
        this.emit('keylog', line);
        this.#hooks?.onKeylog(line, this);
      }
      if (this.destroyed) return;
    }
    if (r.ocspResponse !== undefined) {
      // Client with requestOCSP: before 'secureConnect', as in node:tls.
      this.emit('OCSPResponse', r.ocspResponse);
      if (this.destroyed) return;
    }
    const renegotiated = (r.status & S.HANDSHAKE_DONE) !== 0 && this._secureEstablished;
    if ((r.status & S.HANDSHAKE_DONE) !== 0 && !this._secureEstablished && !this.#securePending) {
      // node:tls: a TLS 1.2 server is secure once newSession has been answered.
      if (this.#holds > 0 && this.#conn?.getProtocol() !== 'TLSv1.3') this.#securePending = true;
      else this.#onHandshakeDone();
    }
    if (renegotiated) this.#reneg.onDone();
    afterSessions?.();
    if (this.destroyed) return;
    if (r.cleartext !== undefined && !this.#peerEnded) {
      this.#touch();
      if (!this.push(r.cleartext)) this.#pauseTransport();
    }
    if ((r.status & S.PEER_CLOSED) !== 0 && !this.#peerEnded) {
      this.#peerEnded = true;
      this.push(null);
    }
    if ((r.status & S.ERROR) !== 0) {
      this.#fail(r.error ?? new Error('TLS failure'));
      return;
    }
    if ((r.status & S.PAUSED) !== 0 && r.pause !== undefined) this.#onPause(r.pause);
    if ((r.status & S.WRITE_PENDING) === 0 && this.#heldWriteCallbacks.length > 0) {
      // Queued cleartext went out with this result's encrypted bytes.
      const cbs = this.#heldWriteCallbacks;
      this.#heldWriteCallbacks = [];
      for (const cb of cbs) cb();
    }
  }

  #sendEncrypted(data: Buffer, cb: WriteCallback | null): void {
    if (this.#holds > 0) {
      this.#heldOutput.push({ data, cb });
      return;
    }
    this._encryptedBytesWritten += data.length;
    const t = this._transport;
    if (t === null || t.destroyed || t.writableEnded) {
      if (cb) cb(errors.socketClosed());
      return;
    }
    if (cb) t.write(data, cb);
    else t.write(data);
  }

  #onHandshakeDone(): void {
    this._secureEstablished = true;
    const conn = this.#conn;
    if (conn === null) return;
    this.alpnProtocol = conn.getALPNProtocol();
    this.npnProtocol = conn.getNPNProtocol();
    if (this.#isServer) {
      this.servername = conn.getServername() ?? false;
      if (this._tlsOptions.requestCert === true) {
        const v = conn.verifyError();
        if (v === null) {
          this.authorized = true;
        } else {
          this.authorizationError = v[0];
          if (this._tlsOptions.rejectUnauthorized !== false) {
            this.destroy();
            return;
          }
        }
      }
      this.#clearTimer();
      this.emit('secure');
      this.#flushQueuedWrites();
      this.#hooks?.onSecure(this);
    } else {
      // The server was checked (#verifyServer) before the client's last flight went out.
      this.#flushQueuedWrites();
      this.emit('secureConnect');
    }
    if (this.#pendingFinal !== null) {
      const cb = this.#pendingFinal;
      this.#pendingFinal = null;
      this._final(cb);
    }
  }

  /** Client: the server's key size, certificate and identity; false when it is rejected (socket destroyed). */
  #verifyServer(): boolean {
    const conn = this.#conn;
    if (conn === null) return false;
    const minDH = this._tlsOptions.minDHSize ?? 1024;
    const key = conn.getEphemeralKeyInfo();
    if (key.type === 'DH' && key.size !== undefined && key.size < minDH) {
      // A weak server key fails whatever rejectUnauthorized says.
      this.destroy(errors.dhParamSize(key.size, minDH));
      return false;
    }
    const v = conn.verifyError();
    let error: Error | undefined = v === null ? undefined : errors.verifyError(v[0], v[1]);
    if (error === undefined && this.#onSecureHook !== null) error = this.#onSecureHook();
    if (error !== undefined) {
      this.authorized = false;
      this.authorizationError = (error as Partial<NodeError>).code ?? error.message;
      if (this._tlsOptions.rejectUnauthorized !== false) {
        this.destroy(error);
        return false;
      }
    } else {
      this.authorized = true;
    }
    return !this.destroyed;
  }

  #flushQueuedWrites(): void {
    const w = this.#pendingWrite;
    if (w === null) return;
    this.#pendingWrite = null;
    this.#encrypt(w.chunks, w.cb);
  }

  #encrypt(chunks: Buffer[], cb: WriteCallback): void {
    const conn = this.#conn;
    if (conn === null) {
      cb(errors.socketClosed());
      return;
    }
    this.#touch();
    const r = conn.write(chunks);
    if ((r.status & S.ERROR) !== 0) {
      cb(r.error);
      return;
    }
    if ((r.status & S.WRITE_PENDING) !== 0) {
      // OpenSSL holds part of it (renegotiation under way): answer once it is out.
      if (r.encrypted !== undefined) this.#sendEncrypted(r.encrypted, null);
      this.#heldWriteCallbacks.push(cb);
      return;
    }
    if (r.encrypted !== undefined) this.#sendEncrypted(r.encrypted, cb);
    else if ((r.status & S.WRITE_QUEUED) !== 0) this.#linkWriteCallbacks.push(cb);
    else cb();
  }

  #pauseTransport(): void {
    if (!this.#transportPaused) {
      this.#transportPaused = true;
      if (this.#link) this.#conn?.readStop();
      else this._transport?.pause();
    }
  }

  override _read(_size: number): void {
    if (this.#transportPaused) {
      this.#transportPaused = false;
      if (this.#link) {
        if (!this.#linkPeerFin) this.#conn?.readStart();
      } else {
        this._transport?.resume();
      }
    }
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: WriteCallback): void {
    this._writev([{ chunk, encoding }], cb);
  }

  override _writev(chunks: Chunk[], cb: WriteCallback): void {
    const bufs = chunks.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk));
    if (!this._secureEstablished) {
      // Written before the handshake finished: held until it does (node:tls does the same).
      this.#pendingWrite = { chunks: bufs, cb };
      return;
    }
    this.#encrypt(bufs, cb);
  }

  override _final(cb: WriteCallback): void {
    if (!this._secureEstablished) {
      this.#pendingFinal = cb;
      return;
    }
    const conn = this.#conn;
    if (conn === null) {
      cb();
      return;
    }
    const r = conn.shutdown();
    if (this.#link) {
      // close_notify and FIN go out natively; SHUTDOWN_DONE says when.
      this.#linkShutdownCallback = cb;
      return;
    }
    if (r.encrypted !== undefined) this.#sendEncrypted(r.encrypted, null);
    this._transport?.end(() => cb());
  }

  #onTransportEnd(): void {
    if (this.#inFlight) {
      this.#queuedEnd ??= 'end';
      return;
    }
    if (this.#peerEnded) return;
    if (!this._secureEstablished) {
      const message = this.#isServer ? 'socket hang up' : 'Client network socket disconnected before secure TLS connection was established';
      this.#fail(errors.connReset(message));
      return;
    }
    // A FIN without close_notify ends the readable side, as in node:tls.
    this.#peerEnded = true;
    this.push(null);
  }

  #onTransportClose(): void {
    if (this.#inFlight) {
      this.#queuedEnd = 'close';
      return;
    }
    if (!this._secureEstablished) {
      this.#fail(errors.connReset(this.#isServer ? 'socket hang up' : 'Client network socket disconnected before secure TLS connection was established'));
      return;
    }
    if (!this.#peerEnded) {
      this.#peerEnded = true;
      this.push(null);
    }
    this.destroy();
  }

  /** An error on this socket: before the handshake a server socket reports it to its server. */
  #fail(error: Error): void {
    if (this.destroyed) return;
    if (this.#isServer && !this._secureEstablished && this.#hooks !== null) {
      if (!this.#errorEmitted) {
        this.#errorEmitted = true;
        this.#hooks.onTLSError(error, this);
      }
      this.destroy();
      return;
    }
    this.destroy(error);
  }

  /** Server: fail the handshake if it is not done in time (ERR_TLS_HANDSHAKE_TIMEOUT). */
  _armHandshakeTimeout(ms: number): void {
    if (ms <= 0) return;
    const t = setTimeout(() => {
      if (!this._secureEstablished) this.#fail(errors.handshakeTimeout());
    }, ms);
    t.unref();
    this.once('secure', () => clearTimeout(t));
    this.once('close', () => clearTimeout(t));
  }

  override _destroy(error: Error | null, cb: (error: Error | null) => void): void {
    this.#clearTimer();
    if (this.#conn !== null) {
      if (this.#link) this.#linkBytes = this.#conn.bytes();
      // Native transport: this also closes the socket.
      this.#conn.destroy();
      this.#conn = null;
    }
    const linkCallbacks = this.#linkWriteCallbacks;
    this.#linkWriteCallbacks = [];
    const linkShutdown = this.#linkShutdownCallback;
    this.#linkShutdownCallback = null;
    this.#queued = [];
    const pending = this.#pendingWrite;
    this.#pendingWrite = null;
    const held = this.#heldWriteCallbacks;
    this.#heldWriteCallbacks = [];
    for (const h of this.#heldOutput) if (h.cb) held.push(h.cb);
    this.#heldOutput = [];
    const t = this._transport;
    if (t !== null && !t.destroyed) t.destroy();
    cb(error);
    // net.Socket leaves 'close' to its _destroy; so do we.
    process.nextTick(() => this.emit('close', error !== null && error !== undefined));
    if (pending !== null) pending.cb(errors.socketClosed());
    for (const h of held) h(errors.socketClosed());
    for (const h of linkCallbacks) h(errors.socketClosed());
    linkShutdown?.();
    this.#reneg.onClose(error);
  }

  // ---- timeouts: activity is encrypted or cleartext bytes moving ----

  override setTimeout(ms: number, callback?: () => void): this {
    this.#timeoutMs = ms;
    this.#clearTimer();
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    if (ms > 0) this.#touch();
    return this;
  }

  /** The idle timeout set with setTimeout(), in ms (0: none). */
  _idleTimeout(): number {
    return this.#timeoutMs;
  }

  #touch(): void {
    if (this.#timeoutMs <= 0) return;
    if (this.#timer !== null) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.emit('timeout');
    }, this.#timeoutMs);
    if (this.#unrefd) this.#timer.unref();
  }

  #unrefd = false;

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  // ---- the socket API, proxied to a net.Socket transport ----

  #netTransport(): net.Socket | null {
    return this._transport instanceof net.Socket ? this._transport : null;
  }

  override setNoDelay(noDelay?: boolean): this {
    if (this.#link) this.#conn?.setNoDelay(noDelay !== false);
    else this.#netTransport()?.setNoDelay(noDelay);
    return this;
  }

  override setKeepAlive(enable?: boolean, initialDelay?: number): this {
    // As net.Socket: the delay in ms, whole seconds to the kernel.
    if (this.#link) this.#conn?.setKeepAlive(enable === true, Math.floor((initialDelay ?? 0) / 1000));
    else this.#netTransport()?.setKeepAlive(enable, initialDelay);
    return this;
  }

  override ref(): this {
    this.#unrefd = false;
    this.#timer?.ref();
    if (this.#link) this.#conn?.ref();
    else this.#netTransport()?.ref();
    return this;
  }

  override unref(): this {
    this.#unrefd = true;
    this.#timer?.unref();
    if (this.#link) this.#conn?.unref();
    else this.#netTransport()?.unref();
    return this;
  }

  override address(): net.AddressInfo | Record<string, never> {
    if (this.#link) return this.#conn?.address(false) ?? {};
    const t = this.#netTransport();
    return t === null ? {} : t.address();
  }

  /** The native transport's peer or local address (undefined on the JS transport or once closed). */
  _linkAddress(peer: boolean): { address: string; family: string; port: number } | undefined {
    return this.#link ? this.#conn?.address(peer) : undefined;
  }

  /** Encrypted bytes written: the native transport counts them itself. */
  _bytesWritten(): number {
    if (!this.#link) return this._encryptedBytesWritten;
    return this.#conn !== null ? this.#conn.bytes()[1] : this.#linkBytes[1];
  }

  /** True on the native transport. */
  get _native(): boolean {
    return this.#link;
  }

  // ---- TLS information ----

  #requireConn(): NativeConnection {
    if (this.#conn === null) throw errors.socketClosed();
    return this.#conn;
  }

  getPeerCertificate(detailed?: boolean): PeerCertificate | Record<string, never> {
    if (this.#conn === null) return {};
    return this.#conn.getPeerCertificate(detailed === true) ?? {};
  }

  getCertificate(): PeerCertificate | Record<string, never> | null {
    if (this.#conn === null) return null;
    return this.#conn.getCertificate() ?? {};
  }

  getPeerX509Certificate(): X509Certificate | undefined {
    const der = this.#conn?.getPeerCertificateDer();
    return der ? new X509Certificate(der) : undefined;
  }

  getX509Certificate(): X509Certificate | undefined {
    const der = this.#conn?.getCertificateDer();
    return der ? new X509Certificate(der) : undefined;
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined {
    return this.#conn?.getCipher() ?? undefined;
  }

  getProtocol(): string | null {
    if (this.#conn === null) return null;
    return this.#conn.getProtocol();
  }

  getEphemeralKeyInfo(): { type?: string; name?: string; size?: number } | null {
    if (this.#conn === null) return null;
    return this.#conn.getEphemeralKeyInfo();
  }

  getFinished(): Buffer | undefined {
    return this.#conn?.getFinished();
  }

  getPeerFinished(): Buffer | undefined {
    return this.#conn?.getPeerFinished();
  }

  // Like node:tls, these answer null once the socket is closed.
  getSession(): Buffer | undefined | null {
    return this.#conn === null ? null : this.#conn.getSession();
  }

  getTLSTicket(): Buffer | undefined | null {
    return this.#conn === null ? null : this.#conn.getTLSTicket();
  }

  isSessionReused(): boolean | null {
    return this.#conn === null ? null : this.#conn.isSessionReused();
  }

  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    validateUint32(length, 'length', true);
    validateString(label, 'label');
    if (context !== undefined) validateBuffer(context, 'context');
    return this.#requireConn().exportKeyingMaterial(length, label, context);
  }

  /** Signature algorithms both sides accept, most preferred first ([] before the handshake, null once closed). */
  getSharedSigalgs(): string[] | null {
    return this.#conn === null ? null : this.#conn.getSharedSigalgs();
  }

  /** OpenSSL's protocol trace of this connection, on stderr. */
  enableTrace(): void {
    enableTrace(this.#conn);
  }

  /** TLS 1.2: start a renegotiation; callback(err) once it is done (lib/renegotiation.ts). */
  renegotiate(options: { rejectUnauthorized?: boolean; requestCert?: boolean }, callback?: (err: Error | null) => void): boolean | undefined {
    return this.#reneg.renegotiate(options, callback);
  }

  /** From now on a renegotiation the peer starts fails this socket (ERR_TLS_RENEGOTIATION_DISABLED). */
  disableRenegotiation(): void {
    this.#reneg.disable();
  }

  setMaxSendFragment(size: number): boolean {
    validateInteger(size, 'size', 512, 16384);
    return this.#conn?.setMaxSendFragment(size) ?? false;
  }
}

// net.Socket defines these as accessors; a TLSSocket reports its transport's.
function transportGetter(name: 'remoteAddress' | 'remoteFamily' | 'remotePort' | 'localAddress' | 'localPort') {
  const peer = name.startsWith('remote');
  const field = name === 'remoteAddress' || name === 'localAddress' ? 'address' : name === 'remoteFamily' ? 'family' : 'port';
  Object.defineProperty(TLSSocket.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: TLSSocket) {
      if (this._native) return this._linkAddress(peer)?.[field];
      const t = this._transport;
      return t instanceof net.Socket ? t[name] : undefined;
    },
  });
}
transportGetter('remoteAddress');
transportGetter('remoteFamily');
transportGetter('remotePort');
transportGetter('localAddress');
transportGetter('localPort');

// Encrypted bytes handed to the transport, TLS overhead included.
Object.defineProperty(TLSSocket.prototype, 'bytesWritten', {
  configurable: true,
  enumerable: false,
  get(this: TLSSocket) {
    return this._bytesWritten();
  },
});

Object.defineProperty(TLSSocket.prototype, 'timeout', {
  configurable: true,
  enumerable: false,
  get(this: TLSSocket) {
    const ms = this._idleTimeout();
    return ms > 0 ? ms : undefined;
  },
});

Object.defineProperty(TLSSocket.prototype, 'connecting', {
  configurable: true,
  enumerable: false,
  get(this: TLSSocket) {
    const t = this._transport;
    return t instanceof net.Socket ? t.connecting : false;
  },
  set() {
    // net.Socket's constructor assigns it; the transport's value is the truth.
  },
});
