// The native transport: the Connection owns the socket (TcpLink, on Node's own
// loop) and every encrypted byte stays in C++. JS hears of results through
// conn.onresult: cleartext, handshake events, and the link's own events (FIN,
// writes done, shutdown done, a failed read or write, handshake timeout).
//
// A server's connection arrives here from the native listener (lib/server/);
// a client's is taken over from the net.Socket that connect() made once it has
// connected (takeOver), so lookup and connection errors stay node's own.
import type * as net from 'node:net';
import type { CycleResult, NativeConnection, NativeResumeAnswer } from '../../typings/native';
import { binding } from '../internal/binding';
import { connReset, handshakeTimeout } from '../internal/errors';
import type { JsTransport } from './js_transport';
import type { Transport, TransportSink, WriteCallback } from './transport';

const S = binding.status;

export class NativeTransport implements Transport {
  readonly native = true;
  readonly stream = null;
  readonly connecting = false;
  readonly #conn: NativeConnection;
  readonly #sink: TransportSink;
  #closed = false;
  // Write callbacks waiting for WRITES_DONE; _final's waiting for SHUTDOWN_DONE.
  #writeCallbacks: WriteCallback[] = [];
  #shutdownCallback: WriteCallback | null = null;
  #peerFin = false;
  #ownFin = false;
  /** [read, written] once closed (the link is gone then). */
  #finalBytes: [number, number] = [0, 0];
  /** relay(): told when the pair's other end will write no more. */
  #onRelayEnd: (() => void) | null = null;
  /** The result the driver is acting on (a relay started meanwhile takes its cleartext). */
  #current: CycleResult | null = null;

  constructor(conn: NativeConnection, sink: TransportSink) {
    this.#conn = conn;
    this.#sink = sink;
    // A result that is only a status and perhaps cleartext comes as those two (no object made natively).
    conn.onresult = (r, cleartext) => (typeof r === 'number' ? this.#onBare(r, cleartext) : this.onResult(r));
  }

  /**
   * A client's socket, connected by node, becomes the Connection's: it takes a
   * duplicate of the descriptor and node's socket goes. Null (the JS transport
   * stays) when that cannot be done.
   */
  static takeOver(conn: NativeConnection, js: JsTransport, sink: TransportSink, pipe: boolean): NativeTransport | null {
    const stream = js.stream;
    const fd = (stream as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
    if (stream.destroyed || typeof fd !== 'number' || fd < 0) return null;
    try {
      conn.attachSocket(fd, pipe);
    } catch {
      return null;
    }
    js.detach();
    const transport = new NativeTransport(conn, sink);
    stream.destroy();
    return transport;
  }

  get alive(): boolean {
    return !this.#closed;
  }

  get bytesWritten(): number {
    return this.#closed ? this.#finalBytes[1] : this.#conn.bytes()[1];
  }

  /** What the link brings: the socket's bytes, decrypted, and its events (the first one from the listener). */
  onResult(r: CycleResult): void {
    if (this.#closed) return;
    const st = r.status;
    const sink = this.#sink;
    if ((st & S.TRANSPORT_ERROR) !== 0) {
      sink.error(r.transportError ?? connReset('socket hang up'));
      return;
    }
    sink.active();
    const outer = this.#current;
    this.#current = r;
    try {
      sink.result(r);
    } finally {
      this.#current = outer;
    }
    if (this.#closed) return;
    if ((st & S.WRITES_DONE) !== 0) this.#writesDone();
    if ((st & S.HANDSHAKE_TIMEOUT) !== 0 && !sink.secureEstablished) {
      sink.error(handshakeTimeout());
      return;
    }
    if ((st & S.SHUTDOWN_DONE) !== 0) {
      this.#ownFin = true;
      const cb = this.#shutdownCallback;
      this.#shutdownCallback = null;
      cb?.();
    }
    if ((st & S.TRANSPORT_END) !== 0) {
      this.#peerFin = true;
      sink.end();
    }
    if ((st & S.RELAY_END) !== 0) this.#onRelayEnd?.();
    // Both directions are done: the socket is, as a stream's 'close' says.
    if (this.#peerFin && this.#ownFin && !this.#closed) sink.close();
  }

  /** Most reads: cleartext, perhaps with earlier writes done; anything more goes through onResult. */
  #onBare(status: number, cleartext: Buffer | undefined): void {
    if ((status & ~S.WRITES_DONE) !== 0) {
      this.onResult({ status, cleartext });
      return;
    }
    if (this.#closed) return;
    const sink = this.#sink;
    sink.active();
    sink.bare(status, cleartext);
    if (!this.#closed && status !== 0) this.#writesDone();
  }

  /** Every write queued in libuv reached the kernel: their callbacks. */
  #writesDone(): void {
    const cbs = this.#writeCallbacks;
    this.#writeCallbacks = [];
    for (const cb of cbs) cb();
  }

  /**
   * The cleartext goes over a socketpair from now on (conn.relay(): `first` goes
   * ahead of what comes next). `ownFd`: the relay's end of a pair made already (the
   * connection's from now on, closed if this throws), or null for a new pair, whose
   * other end's descriptor is returned. `onEnd`: that end will write no more.
   */
  relay(ownFd: number | null, first: Buffer[], onEnd: () => void): number {
    // Started while the driver acts on a result ('secureConnection'): its early data and
    // cleartext, which the driver hands the stream after the handshake's events, go first
    // too. (The early data stays in the result: socket.earlyData and 'earlyData' still have it.)
    const r = this.#current;
    // (A new array: the result's own records stay as they are if the relay fails.)
    const late = [
      ...(r?.earlyData !== undefined ? [r.earlyData] : []),
      ...(r?.records ?? (r?.cleartext !== undefined ? [r.cleartext] : [])),
    ];
    let fd: number;
    if (ownFd === null) {
      fd = this.#conn.relay(null, ...first, ...late);
    } else {
      this.#conn.relay(ownFd, ...first, ...late);
      fd = ownFd;
    }
    if (r !== null) {
      delete r.records;
      delete r.cleartext;
    }
    this.#onRelayEnd = onEnd;
    return fd;
  }

  whenIdle(fn: () => void): void {
    // Adopted by JS, a connection runs no step on the pool: nothing to wait for.
    fn();
  }

  resume(answer: NativeResumeAnswer): void {
    // The link ran the handshake's pool steps before JS adopted it; from here they run on this thread.
    this.#sink.result(this.#conn.resume(answer));
  }

  deliver(r: CycleResult, cb: WriteCallback | null): void {
    if (cb === null) return;
    // The bytes went to the socket already; queued in libuv, the callback waits for WRITES_DONE.
    if ((r.status & S.WRITE_QUEUED) !== 0) this.#writeCallbacks.push(cb);
    else cb();
  }

  seen(r: CycleResult): void {
    // The link holds a result's output until JS has seen it (OUTPUT_HELD): new sessions
    // (newSession may hold them longer), a client's finished handshake (the server is
    // checked first), a server's refusal of its client (destroyed before it goes).
    if ((r.status & S.OUTPUT_HELD) !== 0) this.#conn.flushOutput();
  }

  holdOutput(): () => void {
    this.#conn.holdOutput();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (!this.#closed) this.#conn.releaseOutput();
    };
  }

  shutdown(_r: CycleResult, cb: WriteCallback): void {
    // close_notify and FIN go out natively; SHUTDOWN_DONE says when.
    this.#shutdownCallback = cb;
  }

  pauseReading(): void {
    if (!this.#closed) this.#conn.readStop();
  }

  resumeReading(): void {
    if (!this.#closed && !this.#peerFin) this.#conn.readStart();
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.#closed) this.#conn.setNoDelay(noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    // As net.Socket: the delay in ms, whole seconds to the kernel.
    if (!this.#closed) this.#conn.setKeepAlive(enable, Math.floor(initialDelayMs / 1000));
  }

  ref(): void {
    if (!this.#closed) this.#conn.ref();
  }

  unref(): void {
    if (!this.#closed) this.#conn.unref();
  }

  address(): net.AddressInfo | Record<string, never> {
    return this.#closed ? {} : (this.#conn.address(false) ?? {});
  }

  remote(
    name: 'remoteAddress' | 'remoteFamily' | 'remotePort' | 'localAddress' | 'localPort' | 'localFamily',
  ): string | number | undefined {
    if (this.#closed) return undefined;
    const a = this.#conn.address(name.startsWith('remote'));
    if (a === undefined) return undefined;
    if (name === 'remoteFamily' || name === 'localFamily') return a.family;
    return name === 'remotePort' || name === 'localPort' ? a.port : a.address;
  }

  /** Before the Connection is destroyed (which closes the socket). */
  destroy(): WriteCallback[] {
    if (this.#closed) return [];
    this.#finalBytes = this.#conn.bytes();
    this.#closed = true;
    const waiting = this.#writeCallbacks;
    this.#writeCallbacks = [];
    const shutdown = this.#shutdownCallback;
    this.#shutdownCallback = null;
    // A shutdown that was under way is over: its callback, without an error.
    if (shutdown !== null) waiting.push(() => shutdown());
    return waiting;
  }
}
