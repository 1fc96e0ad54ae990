// The JS transport: encrypted bytes travel over a Duplex (a net.Socket, or any
// stream: STARTTLS, a SecurePair's in-memory end). One native call per chunk
// received; each result's encrypted bytes are written to the stream.
//
// offloadHandshake (servers): while the handshake is not done, each chunk goes
// to conn.receiveAsync(), whose handshake step runs on libuv's thread pool.
// While a step is in flight nothing else may touch the Connection: input, 'end'
// and 'close' wait here and are acted on when it is back.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { CycleResult, NativeConnection, NativeResumeAnswer } from '../../typings/native';
import { socketClosed } from '../internal/errors';
import { takeOverReads, type TakenReads } from './read_takeover';
import type { Transport, TransportSink, WriteCallback } from './transport';

type Listener = Parameters<Duplex['on']>[1];

/** A stream's chunk as bytes (a Duplex with an encoding set reads strings). */
const asBuffer = (chunk: Buffer | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

export class JsTransport implements Transport {
  readonly native = false;
  readonly stream: Duplex;
  readonly #conn: NativeConnection;
  readonly #sink: TransportSink;
  readonly #offload: boolean;
  #listeners: Array<[string, Listener]> = [];
  #closed = false;
  #bytesWritten = 0;
  // newSession: output held back while a callback is outstanding.
  #holds = 0;
  #held: Array<{ data: Buffer; cb: WriteCallback | null }> = [];
  // offloadHandshake: a step in flight, and what came meanwhile.
  #inFlight = false;
  #queued: Buffer[] = [];
  #queuedEnd: 'end' | 'close' | null = null;
  // Native calls that may not run while the step has the engine (the report switches).
  #afterStep: Array<() => void> = [];
  // A socket made without one (new TLSSocket(null)) owns a net.Socket that waits for connect().
  readonly #owned: boolean;
  #open = false;
  // A connected net.Socket given to us: its reads are ours alone, as with node:tls (read_takeover.ts).
  #taken: TakenReads | null = null;
  #early: Buffer[] = [];
  #earlyEnd = false;

  /** `lookup`: forwards a connecting net.Socket's 'lookup' (node:tls's socket is the one that emits it). */
  constructor(
    stream: Duplex | null,
    conn: NativeConnection,
    sink: TransportSink,
    offload: boolean,
    lookup: (...args: unknown[]) => void,
  ) {
    this.#owned = stream === null;
    stream ??= new net.Socket();
    this.stream = stream;
    this.#conn = conn;
    this.#sink = sink;
    this.#offload = offload;
    const receive = (chunk: Buffer | string): void => this.#receive(asBuffer(chunk));
    // Taken over: what comes before the transport opens waits behind what the stream holds.
    const take = (chunk: Buffer): void => (this.#open ? receive(chunk) : void this.#early.push(chunk));
    const end = (): void => (this.#open ? this.#onEnd('end') : void (this.#earlyEnd = true));
    if (!this.#owned) this.#taken = takeOverReads(stream, { data: take, end });
    const listeners: Array<[string, Listener]> = [
      ['error', (err: Error) => sink.error(err)],
      ['close', () => this.#onEnd('close')],
    ];
    // A stream not taken over is read through its events.
    if (this.#taken === null) listeners.unshift(['data', receive], ['end', () => this.#onEnd('end')]);
    const connecting = this.#owned || (stream instanceof net.Socket && stream.connecting);
    if (connecting) listeners.push(['lookup', lookup]);
    for (const [event, fn] of listeners) stream.on(event, fn);
    this.#listeners = listeners;
    const open = (connected: boolean): void => {
      this.#open = true;
      sink.open(connected);
      if (this.#taken !== null) this.#startTaken();
    };
    if (connecting) stream.once('connect', () => open(true));
    // A stream that is open already (an accepted socket, any Duplex): start once the caller has set up.
    else process.nextTick(() => open(false));
  }

  /** A taken-over stream: what it held already is received first (as node:tls does), then it reads for us. */
  #startTaken(): void {
    const stream = this.stream;
    if (this.#closed) return;
    if (stream.readableLength > 0) {
      let chunk: Buffer | string | null;
      while (!this.#closed && (chunk = stream.read() as Buffer | string | null) !== null)
        this.#receive(asBuffer(chunk));
    }
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) this.#receive(chunk);
    if (this.#earlyEnd) this.#onEnd('end');
    else this.#taken?.resume();
  }

  /** The socket made for new TLSSocket(null) connects (TLSSocket#connect, as node:tls's connect() does). */
  connect(args: unknown[]): void {
    if (!(this.stream instanceof net.Socket)) throw new TypeError('connect() needs a net.Socket transport');
    (this.stream.connect as (...a: unknown[]) => unknown).apply(this.stream, args);
  }

  get alive(): boolean {
    return !this.stream.destroyed;
  }

  get connecting(): boolean {
    // As node:tls: a socket made without a transport is connecting until it has connected.
    if (this.#owned && !this.#open) return !this.stream.destroyed;
    return this.stream instanceof net.Socket ? this.stream.connecting : false;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** The native transport takes the socket over: this one stops listening to it. */
  detach(): void {
    for (const [event, fn] of this.#listeners) this.stream.removeListener(event, fn);
    this.#listeners = [];
    this.#closed = true;
  }

  #receive(chunk: Buffer): void {
    if (this.#closed) return;
    this.#sink.active();
    if (this.#inFlight) {
      this.#queued.push(chunk);
      return;
    }
    if (this.#offload && !this.#sink.secureEstablished) this.#step(this.#conn.receiveAsync(chunk, this.#stepDone));
    else this.#sink.result(this.#conn.receive(chunk));
  }

  #onEnd(kind: 'end' | 'close'): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      if (kind === 'close' || this.#queuedEnd === null) this.#queuedEnd = kind;
      return;
    }
    if (kind === 'end') this.#sink.end();
    else this.#sink.close();
  }

  whenIdle(fn: () => void): void {
    if (this.#inFlight) this.#afterStep.push(fn);
    else fn();
  }

  resume(answer: NativeResumeAnswer): void {
    if (this.#offload && !this.#sink.secureEstablished) this.#step(this.#conn.resumeAsync(answer, this.#stepDone));
    else this.#sink.result(this.#conn.resume(answer));
  }

  /** A handshake step: its result now, or (undefined) later through #stepDone. */
  #step(r: CycleResult | undefined): void {
    if (r === undefined) this.#inFlight = true;
    else this.#sink.result(r);
  }

  /** A handshake step is back from the thread pool: its result, then what waited. */
  readonly #stepDone = (r: CycleResult): void => {
    this.#inFlight = false;
    if (this.#closed) return;
    const waiting = this.#afterStep;
    this.#afterStep = [];
    for (const fn of waiting) fn();
    this.#sink.result(r);
    while (!this.#inFlight && !this.#closed && this.#queued.length > 0) this.#receive(this.#queued.shift() as Buffer);
    const end = this.#queuedEnd;
    if (!this.#inFlight && !this.#closed && end !== null) {
      this.#queuedEnd = null;
      this.#onEnd(end);
    }
  };

  deliver(r: CycleResult, cb: WriteCallback | null): void {
    if (r.encrypted !== undefined) this.#send(r.encrypted, cb);
    else cb?.();
  }

  seen(): void {
    // Nothing waits: the driver sends a result's bytes after it has seen them.
  }

  #send(data: Buffer, cb: WriteCallback | null): void {
    if (this.#holds > 0) {
      this.#held.push({ data, cb });
      return;
    }
    this.#bytesWritten += data.length;
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) {
      cb?.(socketClosed());
      return;
    }
    if (cb) stream.write(data, cb);
    else stream.write(data);
  }

  holdOutput(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      // A stream already gone: its 'close' is on the way and fails the socket.
      if (this.#holds > 0 || this.#closed || this.stream.destroyed) return;
      const held = this.#held;
      this.#held = [];
      for (const { data, cb } of held) this.#send(data, cb);
    };
  }

  shutdown(r: CycleResult, cb: WriteCallback): void {
    if (r.encrypted !== undefined) this.#send(r.encrypted, null);
    this.stream.end(() => cb());
  }

  pauseReading(): void {
    if (this.#taken !== null) this.#taken.pause();
    else this.stream.pause();
  }

  resumeReading(): void {
    if (this.#taken !== null) this.#taken.resume();
    else this.stream.resume();
  }

  #net(): net.Socket | null {
    return this.stream instanceof net.Socket ? this.stream : null;
  }

  setNoDelay(noDelay: boolean): void {
    this.#net()?.setNoDelay(noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.#net()?.setKeepAlive(enable, initialDelayMs);
  }

  ref(): void {
    this.#net()?.ref();
  }

  unref(): void {
    this.#net()?.unref();
  }

  address(): net.AddressInfo | Record<string, never> {
    const s = this.#net();
    return s === null ? {} : s.address();
  }

  remote(
    name: 'remoteAddress' | 'remoteFamily' | 'remotePort' | 'localAddress' | 'localPort' | 'localFamily',
  ): string | number | undefined {
    return this.#net()?.[name];
  }

  destroy(): WriteCallback[] {
    this.#closed = true;
    this.#queued = [];
    const waiting = this.#held.flatMap((h) => (h.cb ? [h.cb] : []));
    this.#held = [];
    if (!this.stream.destroyed) this.stream.destroy();
    return waiting;
  }
}
