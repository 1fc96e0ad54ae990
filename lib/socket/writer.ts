// A socket's writes: cleartext to the Connection, encrypted bytes to the
// transport, and each write's callback at the time node:tls calls it.
//  - before the handshake is done, a write (and end()) waits here;
//  - cleartext OpenSSL cannot take yet (a renegotiation under way) stays queued
//    natively; its callback waits for the result that reports it gone;
//  - a write whose bytes are out completes on the next turn of the loop, as
//    node:tls's do, so writableLength counts it meanwhile and write() returns
//    false at the high-water mark.
import type { EventEmitter } from 'node:events';
import type { CycleResult, NativeConnection } from '../../typings/native';
import { binding } from '../internal/binding';
import { socketClosed, writeCancelled } from '../internal/errors';
import type { Cleartext } from './cleartext_chunks';
import type { Transport, WriteCallback } from './transport';

const S = binding.status;

// Writes completed this turn, every socket's, called in order on the next (one setImmediate).
let completed: WriteCallback[] = [];
let completing = false;

function completeAll(): void {
  completing = false;
  const cbs = completed;
  completed = [];
  for (const cb of cbs) cb();
}

function completeNextTurn(cb: WriteCallback): void {
  completed.push(cb);
  if (completing) return;
  completing = true;
  setImmediate(completeAll);
}

/** What the writer needs of its driver. */
export interface WriterHost {
  conn(): NativeConnection | null;
  transport(): Transport;
  /** Bytes moved: the idle timeout starts again. */
  touch(): void;
}

export class Writer {
  readonly #host: WriterHost;
  #pending: { cleartext: Cleartext; cb: WriteCallback } | null = null;
  #pendingFinal: WriteCallback | null = null;
  #heldCallbacks: WriteCallback[] = [];
  #atOnce = false;

  constructor(host: WriterHost) {
    this.#host = host;
  }

  /**
   * A write whose bytes are out completes at once (Writable then calls back on the next
   * tick) instead of on the next turn of the loop. For a socket only node's http2 writes
   * to (through its JSStreamSocket, which waits a turn of its own before the session may
   * write again): nobody else can write to it or read its writableLength.
   */
  completeAtOnce(): void {
    this.#atOnce = true;
  }

  /** Written before the handshake finished: held until it does (node:tls does the same). */
  hold(cleartext: Cleartext, cb: WriteCallback): void {
    this.#pending = { cleartext, cb };
  }

  /** end() before the handshake finished. */
  holdFinal(cb: WriteCallback): void {
    this.#pendingFinal = cb;
  }

  /** The handshake is done: the held write goes; returns end()'s callback if it waited too. */
  release(): WriteCallback | null {
    const w = this.#pending;
    this.#pending = null;
    if (w !== null) this.write(w.cleartext, w.cb);
    const final = this.#pendingFinal;
    this.#pendingFinal = null;
    return final;
  }

  write(cleartext: Cleartext, cb: WriteCallback): void {
    const conn = this.#host.conn();
    if (conn === null) {
      cb(socketClosed());
      return;
    }
    this.#host.touch();
    const out = conn.write(cleartext.utf8, ...cleartext.chunks);
    // On the native transport a write that reports only its status returns that number
    // (never with ERROR); no result object is made for it unless one is handed on.
    const status = typeof out === 'number' ? out : out.status;
    if (typeof out !== 'number' && (status & S.ERROR) !== 0) {
      cb(out.error);
      return;
    }
    const transport = this.#host.transport();
    // Native, the bytes are with the kernel already unless libuv queued them.
    if (transport.native && (status & (S.WRITE_PENDING | S.WRITE_QUEUED)) === 0) {
      if (this.#atOnce) cb();
      else completeNextTurn(cb);
      return;
    }
    const r: CycleResult = typeof out === 'number' ? { status } : out;
    if ((status & S.WRITE_PENDING) !== 0) {
      // OpenSSL holds part of it (renegotiation under way): answer once it is out.
      transport.deliver(r, null);
      this.#heldCallbacks.push(cb);
      return;
    }
    transport.deliver(r, (err) => {
      if (err) cb(err);
      else completeNextTurn(cb);
    });
  }

  /** A client's early data the server did not take: written as ordinary data, before anything else. */
  writeUnsentEarly(early: Buffer | undefined): void {
    if (early !== undefined && early.length > 0) this.write({ chunks: [early], utf8: false }, () => {});
  }

  /** close_notify, then the transport's end; `cb` once it is out. */
  shutdown(cb: WriteCallback): void {
    const conn = this.#host.conn();
    if (conn === null) {
      cb();
      return;
    }
    this.#host.transport().shutdown(conn.shutdown(), cb);
  }

  /** A result without WRITE_PENDING: cleartext queued natively went out with its bytes. */
  onResult(status: number): void {
    if ((status & S.WRITE_PENDING) !== 0 || this.#heldCallbacks.length === 0) return;
    const cbs = this.#heldCallbacks;
    this.#heldCallbacks = [];
    for (const cb of cbs) cb();
  }

  /** The socket is destroyed: the callbacks still waiting (see completeAtClose). */
  destroy(): WriteCallback[] {
    const waiting: WriteCallback[] = [];
    if (this.#pending !== null) waiting.push(this.#pending.cb);
    this.#pending = null;
    waiting.push(...this.#heldCallbacks);
    this.#heldCallbacks = [];
    return waiting;
  }
}

/**
 * The callbacks of writes still waiting when `socket` was destroyed, completed as node:tls
 * completes them: after 'error' and before the program hears 'close', with no error once
 * the socket is destroyed (ECANCELED if an 'error' listener undid the destroy).
 */
export function completeAtClose(socket: EventEmitter & { destroyed: boolean }, waiting: WriteCallback[]): void {
  if (waiting.length === 0) return;
  socket.prependOnceListener('close', () => {
    for (const cb of waiting) cb(socket.destroyed ? null : writeCancelled());
  });
}
