// The driver of one TLSSocket: it owns the native Connection and the transport,
// acts on every result the Connection reports (in the order its bytes happened)
// and turns it into node:tls's events on the socket. The socket (tls_socket.ts)
// is the public face; policy (who is accepted, renegotiation, sessions, the
// callbacks that answer a paused handshake) is in lib/policy/.
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { CycleResult, NativeConnection, NativePause, NativeResumeAnswer } from '../../typings/native';
import { binding } from '../internal/binding';
import type { PeerCertificate } from '../internal/types';
import { connReset } from '../internal/errors';
import { handshakeSteps, type HandshakeSteps } from '../policy/handshake_steps';
import { guardedCallback, runSteps, type Guard } from '../policy/pause';
import { pskConnectionOptions } from '../policy/psk';
import { Renegotiation, type RenegotiationHost } from '../policy/renegotiation';
import { clientSessionReport, type ReportingSession, type SessionReport } from '../policy/session';
import { enableTrace, reportKeylogOnListener } from '../policy/trace';
import { verifyClient, verifyServer, type CertPolicy, type Verdict } from '../policy/verify';
import type { Cleartext } from './cleartext_chunks';
import { JsTransport } from './js_transport';
import { NativeTransport } from './native_transport';
import type { ServerSocketSetup, SocketConfig } from './options';
import type { Transport, TransportSink, WriteCallback } from './transport';
import { debug } from '../internal/observe';
import { Reader } from './reader';
import { emitReports } from './reports';
import { SocketTracing } from './tracing';
import { completeAtClose, Writer } from './writer';

const S = binding.status;

/** What the driver needs of its socket: the stream it feeds and the fields node:tls shows. */
export interface DriverHost extends EventEmitter {
  readonly destroyed: boolean;
  push(chunk: Buffer | null): boolean;
  read(size?: number): unknown;
  pause(): unknown;
  destroy(error?: Error): unknown;
  getPeerCertificate(detailed: true): PeerCertificate | Record<string, never>;
  authorized: boolean;
  authorizationError: string | null;
  servername: string | false | null;
  alpnProtocol: string | false | null;
  npnProtocol: string | false | null;
  _secureEstablished: boolean;
  /** Server: the TLS 1.3 early data received (TLSSocket.earlyData). */
  earlyData: Buffer | null;
}

/** The socket's idle timer (setTimeout): restarted by activity, stopped once a server socket is secure. */
export interface IdleHooks {
  touch(): void;
  clear(): void;
}

export class Driver<H extends DriverHost> {
  readonly #host: H;
  readonly #config: SocketConfig<H>;
  // A Server's, decided as the connection came in (its template config has none).
  readonly #setup: ServerSocketSetup<H> | null;
  readonly #idle: IdleHooks;
  #conn: NativeConnection | null;
  #transport: Transport;
  readonly #steps: HandshakeSteps;
  // Made when first needed: most connections never renegotiate.
  #reneg: Renegotiation | null = null;
  /** The reading side (a TLS socket made over this one takes its cleartext there). */
  readonly reader: Reader;
  readonly #tracing: SocketTracing;
  readonly #certPolicy: CertPolicy;
  #sessionReport: SessionReport | null = null;
  readonly #writer = new Writer({
    conn: () => this.#conn,
    transport: () => this.#transport,
    touch: () => this.#idle.touch(),
  });
  // Output held for newSession callbacks; a TLS 1.2 server's 'secure' waits for them.
  #holds = 0;
  #securePending = false;
  #unrefd = false;
  #peerEnded = false;
  #errorEmitted = false;
  // Server: 'secureConnection' was emitted (node's "control released"): errors are the socket's from then on.
  #released = false;
  // Client: the handshake was asked for (connect(), _start(), a write), and the transport can carry it.
  #startWanted: boolean;
  #transportOpen = false;
  #started = false;

  constructor(
    host: H,
    config: SocketConfig<H>,
    stream: Duplex | null,
    link: NativeConnection | undefined,
    idle: IdleHooks,
    serverSetup?: ServerSocketSetup<H>,
  ) {
    this.#host = host;
    this.#config = config;
    this.#idle = idle;
    this.#certPolicy = { requestCert: config.requestCert, rejectUnauthorized: config.rejectUnauthorized };
    // A client made by connect() starts once connected; one made directly waits to be used, as in node:tls.
    this.#startWanted = config.client !== null;
    const setup = serverSetup ?? config.setup;
    this.#setup = setup;
    const guard = (): Guard => (fn) => this.#guard(fn);
    this.#steps = config.isServer
      ? handshakeSteps(
          {
            SNICallback: config.SNICallback,
            ALPNCallback: config.ALPNCallback,
            server: setup?.server ?? null,
            socket: host,
          },
          guard,
        )
      : { clientHello: [], certificate: [] };
    const conn =
      link ??
      new binding.Connection(config.context.context, {
        isServer: config.isServer,
        requestCert: config.requestCert,
        rejectUnauthorized: config.rejectUnauthorized,
        servername: config.servername,
        session: config.session,
        pauseOnClientHello: this.#steps.clientHello.length > 0,
        pauseOnCertificate: this.#steps.certificate.length > 0,
        reportSessions: setup?.reportSessions ?? false,
        reportKeylog: setup?.reportKeylog ?? false,
        ...pskConnectionOptions(host, config.psk),
        alpnProtocols: config.alpnProtocols,
        npnProtocols: config.npnProtocols,
        requestOCSP: config.requestOCSP,
        maxEarlyData: config.maxEarlyData,
        earlyData: config.earlyData,
      });
    this.#conn = conn;
    this.#tracing = new SocketTracing(host, config.isServer, link?.startedAt());
    // A server's connection on the native transport reads from the start.
    if (link !== undefined && config.isServer) this.#tracing.initRead(0);
    if (config.enableTrace) enableTrace(conn);
    this.reader = new Reader(host, () => this.#transport, config.onread);
    // node:tls: until 'secureConnection' a server socket's errors go to its server ('tlsClientError').
    if (config.isServer && setup !== null) host.on('error', this.#onEarlyError);
    const sink = this.#sink();
    if (link !== undefined) {
      this.#transport = new NativeTransport(link, sink);
    } else {
      // PSK callbacks run JS inside OpenSSL: those handshakes stay on the main thread.
      // (On the native transport the link runs the steps on the pool itself, until JS adopts it.)
      const offload = config.isServer && setup?.offloadHandshake === true && config.psk === undefined;
      const lookup = (...args: unknown[]): void => void host.emit('lookup', ...args);
      this.#transport = new JsTransport(stream, conn, sink, offload, lookup);
    }
    // A listener added while a handshake step is on the pool switches its report on once it is back.
    reportKeylogOnListener(host, () => this.#transport.whenIdle(() => this.#conn?.setReportKeylog(true)));
    if (!config.isServer && config.verify) {
      const enable = (): void => this.#transport.whenIdle(() => this.#conn?.setReportSessions(true));
      this.#sessionReport = clientSessionReport(host, enable, this.reporting);
    } else if (config.isServer)
      if (setup?.sessionReport !== undefined) {
        this.#sessionReport = setup.sessionReport(() => this.holdOutput());
      }
  }

  /** The session a 'session' event is being emitted for (getSession() answers it then). */
  readonly reporting: ReportingSession = { session: null };

  get conn(): NativeConnection | null {
    return this.#conn;
  }

  get transport(): Transport {
    return this.#transport;
  }

  /** Native transport: the connection's first result, as the listener reported it. */
  linkStart(first: CycleResult): void {
    if (this.#transport instanceof NativeTransport) this.#transport.onResult(first);
  }

  /** The client-certificate policy in force (node:tls's _requestCert, _rejectUnauthorized). */
  get certPolicy(): Readonly<CertPolicy> {
    return this.#certPolicy;
  }

  /** Server: 'secureConnection' was emitted (node:tls's _controlReleased; a client's is always true). */
  get released(): boolean {
    return this.#released || !this.#config.isServer;
  }

  get renegotiation(): Renegotiation {
    this.#reneg ??= new Renegotiation(this.#renegotiationHost());
    return this.#reneg;
  }

  #sink(): TransportSink {
    const host = this.#host;
    return {
      get secureEstablished() {
        return host._secureEstablished;
      },
      result: (r) => this.handle(r),
      bare: (status, cleartext) => this.#handleBare(status, cleartext),
      active: () => this.#idle.touch(),
      open: (connected) => this.#open(connected),
      end: () => this.#onTransportEnd(),
      close: () => {
        if (!host.destroyed) this.#onTransportClose();
      },
      error: (err) => this.fail(err),
    };
  }

  #renegotiationHost(): RenegotiationHost {
    const host = this.#host;
    return {
      get destroyed() {
        return host.destroyed;
      },
      isServer: this.#config.isServer,
      certPolicy: this.#certPolicy,
      conn: () => this.#conn,
      handle: (r) => this.handle(r),
      authorizeClient: () => this.#authorizeClient(),
      announce: () => this.#announceSecure(),
      destroy: (error) => void host.destroy(error),
    };
  }

  readonly #onEarlyError = (error: Error): void => {
    const hooks = this.#setup?.hooks;
    if (this.#released || this.#errorEmitted || hooks === undefined) return;
    this.#errorEmitted = true;
    this.#tracing.error(error, true);
    hooks.onTLSError(error, this.#host);
  };

  /** A callback for user code answering a pause: once only, harmless after close. */
  #guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return guardedCallback(
      () => this.#host.destroyed || this.#conn === null,
      (err) => this.fail(err),
      fn,
    );
  }

  /** The transport can carry bytes: a client that connected may move to the native transport, then starts. */
  #open(connected: boolean): void {
    this.#transportOpen = true;
    // node:tls prints how much the socket it was given held already (none given: false).
    const given = this.#config.client === null || (this.#config.client.options as { socket?: unknown }).socket;
    this.#tracing.initRead(given ? (this.#transport.stream?.readableLength ?? 0) : false);
    const host = this.#host;
    if (connected) {
      const takeOver = this.#config.client?.takeOver ?? null;
      const js = this.#transport;
      if (takeOver !== null && js instanceof JsTransport && this.#conn !== null && !host.destroyed) {
        const native = NativeTransport.takeOver(this.#conn, js, this.#sink(), takeOver === 'pipe');
        if (native !== null) {
          this.#transport = native;
          if (this.#unrefd) native.unref();
          if (this.reader.paused) native.pauseReading();
        }
      }
      host.emit('connect');
    }
    if (this.#startWanted) this.start();
  }

  /** Client: begins the handshake (node:tls's _start()); once the transport is open if it is not yet. */
  start(): void {
    this.#startWanted = true;
    if (this.#config.isServer || this.#started || !this.#transportOpen) return;
    if (this.#host.destroyed || this.#conn === null) return;
    this.#started = true;
    this.#tracing.start(this.#transport.connecting, this.#config.requestOCSP);
    this.handle(this.#conn.start());
  }

  /**
   * A result with no bits but WRITES_DONE (the transport's), perhaps cleartext: of handle()'s
   * steps only the cleartext's and the writer's apply once the handshake is done (the
   * transport has just restarted the idle timer).
   */
  #handleBare(status: number, cleartext: Buffer | undefined): void {
    if (!this.#host._secureEstablished) {
      this.handle({ status, cleartext });
      return;
    }
    if (cleartext !== undefined && !this.#peerEnded) this.reader.deliver(cleartext);
    this.#writer.onResult(status);
  }

  /** Acts on one native result, in the order the bytes happened. */
  handle(r: CycleResult): void {
    const host = this.#host;
    const isServer = this.#config.isServer;
    const done = (r.status & S.HANDSHAKE_DONE) !== 0;
    if (done && this.#conn !== null) this.#tracing.handshakeDone(this.#conn);
    // As node:tls: emitted inside the handshake, before the peer is checked or Finished goes.
    if (!emitReports(r, host, this, this.#setup?.hooks)) return;
    // A client checks the server before its last flight goes out: one it rejects
    // never gets the Finished (as with node:tls, the server sees the connection drop).
    if (!isServer && done && !host._secureEstablished && this.#config.verify && !this.#verifyServer()) return;
    // A server decides on the client's certificate then too: one it refuses gets nothing
    // more (as with node:tls, which destroys the socket before its last flight goes out).
    if (isServer && done && !host._secureEstablished && this.#authorizeClient()?.reject !== undefined) {
      host.destroy();
      return;
    }
    // Before the encrypted bytes: newSession may hold them back.
    const afterSessions =
      r.sessions !== undefined && this.#sessionReport !== null ? this.#sessionReport(r.sessions) : null;
    this.#transport.seen(r);
    this.#transport.deliver(r, null);
    const renegotiated = done && host._secureEstablished;
    if (done && !host._secureEstablished && !this.#securePending) {
      // node:tls: a TLS 1.2 server is secure once newSession has been answered.
      if (this.#holds > 0 && this.#conn?.getProtocol() !== 'TLSv1.3') this.#securePending = true;
      else this.#onHandshakeDone();
    }
    if (renegotiated) this.renegotiation.onDone();
    afterSessions?.();
    if (host.destroyed) return;
    // Server: 0-RTT data, before the handshake finished; first in the stream too.
    if (r.earlyData !== undefined && !this.#peerEnded) {
      host.earlyData = host.earlyData === null ? r.earlyData : Buffer.concat([host.earlyData, r.earlyData]);
      this.#idle.touch();
      this.reader.deliver(r.earlyData);
      host.emit('earlyData', r.earlyData);
      if (host.destroyed) return;
    }
    if ((r.cleartext !== undefined || r.records !== undefined) && !this.#peerEnded) {
      this.#idle.touch();
      if (r.records !== undefined) this.reader.deliverRecords(r.records);
      else if (r.cleartext !== undefined) this.reader.deliver(r.cleartext);
    }
    if ((r.status & S.PEER_CLOSED) !== 0) this.#endReadable();
    if ((r.status & S.ERROR) !== 0) {
      this.fail(r.error ?? new Error('TLS failure'));
      return;
    }
    if ((r.status & S.PAUSED) !== 0 && r.pause !== undefined) this.#onPause(r.pause);
    this.#writer.onResult(r.status);
  }

  #onPause(pause: NativePause): void {
    const done = (err: Error | null, answer: NativeResumeAnswer): void => {
      if (this.#host.destroyed || this.#conn === null) return;
      if (err) this.fail(err);
      else this.#transport.resume(answer);
    };
    if (pause.kind === 'clientHello') {
      debug('server onclienthello', 'sessionid.len', pause.sessionId.length, 'ticket?', pause.tlsTicket);
      runSteps(this.#steps.clientHello, pause, done);
    } else {
      debug('server oncertcb emit OCSPRequest');
      runSteps(this.#steps.certificate, pause, done);
    }
  }

  #onHandshakeDone(): void {
    const host = this.#host;
    host._secureEstablished = true;
    const conn = this.#conn;
    if (conn === null) return;
    host.alpnProtocol = conn.getALPNProtocol();
    host.npnProtocol = conn.getNPNProtocol();
    // node:tls: the name the client asked for (a server), or sent (a client).
    if (this.#config.isServer || host.servername === null) host.servername = conn.getServername() ?? false;
    this.#tracing.secured(conn);
    // end() before the handshake: after the events, as node:tls does it.
    let final: WriteCallback | null;
    if (this.#config.isServer) {
      this.#idle.clear();
      host.emit('secure');
      final = this.#writer.release();
      if (host.destroyed) return;
      this.#released = true;
      host.removeListener('error', this.#onEarlyError);
      this.#tracing.secureConnection();
      this.#setup?.hooks.onSecure(host);
    } else {
      // Early data the server did not take (or that was never sent): as ordinary data, first.
      if (!conn.isEarlyDataAccepted()) this.#writer.writeUnsentEarly(this.#config.earlyData);
      // connect()'s client checked the server (#verifyServer) before its last flight went out.
      final = this.#writer.release();
      this.#announceSecure();
    }
    if (final !== null) this.final(final);
  }

  /**
   * A client's handshake is done: 'secure' (node:tls's _finishInit), and first, for a client
   * made by connect(), 'secureConnect' (connect() listens to 'secure' before anyone else). A
   * client made directly is not checked by node:tls: it only emits 'secure'.
   */
  #announceSecure(): void {
    const host = this.#host;
    if (!this.#config.isServer && this.#config.client !== null) {
      host.emit('secureConnect');
      if (host.destroyed) return;
    }
    host.emit('secure');
  }

  /** Server: the client's certificate decides `authorized`/`authorizationError` (handshake and renegotiation). */
  #authorizeClient(): Verdict | undefined {
    const conn = this.#conn;
    if (!this.#config.isServer || !this.#config.verify || conn === null) return undefined;
    const verdict = verifyClient(conn, this.#certPolicy);
    if (verdict !== undefined) this.#show(verdict);
    return verdict;
  }

  /** Client: the server's key size, certificate and identity; false when it is rejected (socket destroyed). */
  #verifyServer(): boolean {
    const conn = this.#conn;
    if (conn === null) return false;
    const client = this.#config.client;
    const verdict = verifyServer(conn, {
      rejectUnauthorized: this.#certPolicy.rejectUnauthorized,
      minDHSize: this.#config.minDHSize,
      hostname: client?.hostname ?? null,
      checkServerIdentity: client?.checkServerIdentity ?? (() => undefined),
      thisArg: client?.options,
      peerCertificate: () => this.#host.getPeerCertificate(true) as PeerCertificate,
    });
    this.#show(verdict);
    if (verdict.reject !== undefined) {
      this.#host.destroy(verdict.reject);
      return false;
    }
    this.#tracing.clientChecked(verdict.authorized, this.#certPolicy.rejectUnauthorized, verdict.authorizationError);
    return !this.#host.destroyed;
  }

  #show(verdict: Verdict): void {
    this.#host.authorized = verdict.authorized;
    this.#host.authorizationError = verdict.authorizationError;
  }

  /** The socket's writes (TLSSocket._completeWritesAtOnce sets how they complete). */
  get writer(): Writer {
    return this.#writer;
  }

  /**
   * Holds back encrypted output (and, before TLS 1.3, the 'secure' events) until
   * the returned function is called; holds nest. Used while newSession waits.
   */
  holdOutput(): () => void {
    this.#holds++;
    const release = this.#transport.holdOutput();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      release();
      if (this.#holds > 0 || this.#host.destroyed || !this.#transport.alive) return;
      if (this.#securePending) {
        this.#securePending = false;
        this.#onHandshakeDone();
      }
    };
  }

  // ---- writes (writer.ts) ----

  writev(cleartext: Cleartext, cb: WriteCallback): void {
    if (this.#host._secureEstablished) {
      this.#writer.write(cleartext, cb);
      return;
    }
    // A client made directly starts its handshake at its first write, as with node:tls.
    this.#writer.hold(cleartext, cb);
    this.start();
  }

  final(cb: WriteCallback): void {
    if (this.#host._secureEstablished) this.#writer.shutdown(cb);
    else this.#writer.holdFinal(cb);
  }

  // ---- reading ----

  /** The stream's _read(): reading starts again (reader.ts). */
  read(): void {
    this.reader.resume();
  }

  ref(): void {
    this.#unrefd = false;
    this.#transport.ref();
  }

  unref(): void {
    this.#unrefd = true;
    this.#transport.unref();
  }

  // ---- the end ----

  #hangUp(): Error {
    if (this.#config.isServer) return connReset('socket hang up');
    const error: Error & Partial<Record<'path' | 'host' | 'port' | 'localAddress', unknown>> = connReset(
      'Client network socket disconnected before secure TLS connection was established',
    );
    // connect()'s: where it was going, as node:tls puts it on the error.
    const target = this.#config.client?.target;
    if (target !== undefined) {
      error.path = target.path;
      error.host = target.host;
      error.port = target.port;
      error.localAddress = target.localAddress;
    }
    return error;
  }

  #onTransportEnd(): void {
    if (this.#peerEnded) return;
    if (!this.#host._secureEstablished) {
      this.fail(this.#hangUp(), true);
      return;
    }
    // A FIN without close_notify ends the readable side, as in node:tls.
    this.#endReadable();
  }

  /** No more cleartext comes (reader.ts). */
  #endReadable(): void {
    if (this.#peerEnded) return;
    this.#peerEnded = true;
    this.reader.end();
  }

  #onTransportClose(): void {
    if (!this.#host._secureEstablished) {
      this.fail(this.#hangUp(), true);
      return;
    }
    this.#endReadable();
    this.#host.destroy();
  }

  /** An error on this socket: before the handshake a server socket reports it to its server. */
  /** `closedEarly`: the peer went before the handshake was done (node:tls prints no debug line for it). */
  fail(error: Error, closedEarly = false): void {
    const host = this.#host;
    if (host.destroyed) return;
    const hooks = this.#setup?.hooks;
    if (this.#config.isServer && !host._secureEstablished && hooks !== undefined) {
      if (!this.#errorEmitted) {
        this.#errorEmitted = true;
        this.#tracing.error(error, true, closedEarly);
        hooks.onTLSError(error, host);
      }
      host.destroy();
      return;
    }
    this.#tracing.error(error, false);
    host.destroy(error);
  }

  /**
   * The socket's _destroy: frees the Connection (on the native transport that
   * closes the socket) and the transport; `done` completes the stream's destroy,
   * then every write still waiting completes as the socket closes (completeAtClose).
   */
  destroy(error: Error | null, done: () => void): void {
    this.#tracing.destroyed(error);
    const waiting = this.#writer.destroy();
    waiting.push(...this.#transport.destroy());
    this.#conn?.destroy();
    this.#conn = null;
    // A server's socket closed before 'secureConnection' with no error told yet (its
    // client was rejected, or the socket destroyed meanwhile): the server hears of
    // it as node:tls tells it, a 'socket hang up' just before the socket's 'close'.
    const hooks = this.#setup?.hooks;
    if (hooks !== undefined && this.#config.isServer && !this.#released && !this.#errorEmitted && !error) {
      this.#errorEmitted = true;
      const hangUp = connReset('socket hang up');
      const host = this.#host;
      const tracing = this.#tracing;
      process.nextTick(() => {
        tracing.error(hangUp, true, true);
        hooks.onTLSError(hangUp, host);
      });
    }
    done();
    completeAtClose(this.#host, waiting);
    this.#reneg?.onClose(error);
  }
}
