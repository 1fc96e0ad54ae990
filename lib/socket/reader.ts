// A socket's reading side: cleartext to the stream, a chunk per record as
// node:tls emits them, or into the caller's buffer (net.Socket's onread); and
// reading stopped while the stream wants no more, started again at _read().
// Also where the readable side ends (push(null)): a TLS socket made over this one
// takes the cleartext and the end (read_takeover.ts), and http2 over this socket
// defers the end until its session has read what came before it
// (cleartext_relay.ts, http2_server.ts).
import type { OnRead } from './options';
import type { Transport } from './transport';
import { emitDirect, type DirectHost } from './direct_data';
import type { ReadConsumer, TakenReads } from './read_takeover';

/** What the reader needs of its socket. */
export interface ReaderHost extends DirectHost {
  readonly destroyed: boolean;
  push(chunk: Buffer | null): boolean;
  read(size: number): unknown;
  pause(): unknown;
  on(event: 'pause' | 'resume', listener: () => void): unknown;
}

export class Reader {
  readonly #host: ReaderHost;
  readonly #transport: () => Transport;
  #onread: OnRead | undefined;
  #paused = false;
  // A TLS socket made over this one takes the cleartext (read_takeover.ts), and says when to pause.
  #consumer: ReadConsumer | null = null;
  #consumerPaused = false;
  // Decides when the end, once it comes, goes on (http2: after the session has read what came before it).
  #endGate: ((proceed: () => void) => void) | null = null;

  constructor(host: ReaderHost, transport: () => Transport, onread: OnRead | undefined) {
    this.#host = host;
    this.#transport = transport;
    this.#onread = onread;
    // onread: nothing is pushed, so the stream never asks to read again; its 'pause'
    // and 'resume' stop and start reading, as net.Socket's do.
    if (onread !== undefined) {
      host.on('pause', () => this.pause());
      host.on('resume', () => this.resume());
    }
  }

  /** Reading is stopped (the stream's buffer is full, or onread's callback said so). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Decrypted cleartext of one record (or of early data). */
  deliver(cleartext: Buffer): void {
    if (this.#onread !== undefined) this.#copyOut(this.#onread, cleartext);
    else if (!this.#push(cleartext)) this.pause();
  }

  /**
   * Several records' cleartext, each its own chunk, as node:tls emits them (a peer's
   * setMaxSendFragment shows through).
   */
  deliverRecords(records: Buffer[]): void {
    const onread = this.#onread;
    if (onread !== undefined) {
      for (const record of records) this.#copyOut(onread, record);
      return;
    }
    let wanted = true;
    for (const record of records) wanted = this.#push(record) && wanted;
    if (!wanted) this.pause();
  }

  /** One chunk to the stream; false when it wants no more. */
  #push(chunk: Buffer): boolean {
    if (this.#consumer !== null) {
      this.#consumer.data(chunk);
      return !this.#consumerPaused;
    }
    return emitDirect(this.#host, chunk) || this.#host.push(chunk);
  }

  /**
   * No more cleartext comes. As net.Socket does, read(0) lets 'end' be emitted
   * when nothing unread is buffered, even if nobody reads (then, without
   * allowHalfOpen, the stream ends its side and closes).
   */
  end(): void {
    const gate = this.#endGate;
    if (gate !== null) {
      this.#endGate = null;
      gate(() => {
        if (!this.#host.destroyed) this.end();
      });
      return;
    }
    if (this.#consumer !== null) {
      this.#consumer.end();
      return;
    }
    this.#host.push(null);
    this.#host.read(0);
  }

  /** When the end comes, `gate` is called with what ends the stream, to call when it is time. */
  deferEnd(gate: (proceed: () => void) => void): void {
    this.#endGate = gate;
  }

  /** From now on the cleartext goes to `consumer`, not to the stream. */
  consume(consumer: ReadConsumer): TakenReads {
    this.#consumer = consumer;
    // (Not into the onread buffer either: the consumer has the cleartext.)
    this.#onread = undefined;
    return {
      pause: () => {
        this.#consumerPaused = true;
        this.pause();
      },
      resume: () => {
        this.#consumerPaused = false;
        this.resume();
      },
    };
  }

  /** net.Socket's onread: the cleartext copied into the user's buffer, a piece at a time. */
  #copyOut(onread: OnRead, cleartext: Buffer): void {
    const next = (): Uint8Array => (typeof onread.buffer === 'function' ? onread.buffer() : onread.buffer);
    for (let offset = 0; offset < cleartext.length;) {
      const buffer = next();
      const n = cleartext.copy(buffer, 0, offset);
      offset += n;
      // As net.Socket: false pauses the socket (socket.resume() goes on).
      if (onread.callback.call(this.#host, n, buffer) === false) this.#host.pause();
      if (n === 0) break;
    }
    // node:tls asks for one buffer more, for the read that finds nothing left.
    if (typeof onread.buffer === 'function') next();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#transport().pauseReading();
  }

  /** The stream's _read(): reading starts again (unless a consumer wants none). */
  resume(): void {
    if (!this.#paused || this.#consumerPaused) return;
    this.#paused = false;
    this.#transport().resumeReading();
  }
}
