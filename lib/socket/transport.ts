// The two ways a TLSSocket's encrypted bytes travel, behind one interface:
//  - the JS transport (js_transport.ts): any Duplex (a net.Socket, a STARTTLS
//    stream, one end of a pair); encrypted bytes pass through JS, one native
//    call per chunk each way;
//  - the native transport (native_transport.ts): C++ owns the socket on Node's
//    loop and every encrypted byte stays there; JS hears only of results.
// The socket's driver (driver.ts) is the same over both: it acts on the native
// Connection's results and tells its transport what to do with their bytes.
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { CycleResult, NativeResumeAnswer } from '../../typings/native';

export type WriteCallback = (error?: Error | null) => void;

/** What a transport tells its driver. */
export interface TransportSink {
  /** The handshake is done (a JS transport runs handshake steps on the pool before, if asked). */
  readonly secureEstablished: boolean;
  /** A native result to act on, in the order its bytes happened. */
  result(r: CycleResult): void;
  /** A result that is only a status and perhaps cleartext (most reads on the native transport). */
  bare(status: number, cleartext: Buffer | undefined): void;
  /** Bytes moved: the idle timeout starts again. */
  active(): void;
  /** The transport can carry bytes: `connected` when a net.Socket just connected, false when it was open already. */
  open(connected: boolean): void;
  /** The peer sent FIN. */
  end(): void;
  /** Both directions are closed. */
  close(): void;
  /** The transport failed. */
  error(err: Error): void;
}

export interface Transport {
  readonly native: boolean;
  /** The JS transport's stream; null on the native transport. */
  readonly stream: Duplex | null;
  /** False once the transport can carry nothing more (its stream destroyed, or closed). */
  readonly alive: boolean;
  /** A net.Socket still connecting. */
  readonly connecting: boolean;
  /** Encrypted bytes handed to the socket so far, TLS overhead included. */
  readonly bytesWritten: number;

  /** Runs `fn` (a native call that changes the Connection) now, or once a handshake step on the pool is back. */
  whenIdle(fn: () => void): void;
  /** Answers a handshake paused for JS (on the thread pool when the transport runs steps there). */
  resume(answer: NativeResumeAnswer): void;
  /**
   * What to do with a result of a call the driver made (or one received): its
   * encrypted bytes go to the peer (JS transport) or went already (native), and
   * `cb`, a write's callback, is called once they have been handed on.
   */
  deliver(r: CycleResult, cb: WriteCallback | null): void;
  /** JS has seen a result whose output had to wait for it (native transport: sessions, a client's Finished). */
  seen(r: CycleResult): void;
  /** Holds encrypted output back until the returned function is called (holds nest). */
  holdOutput(): () => void;
  /** After close_notify (in `r`): our FIN; `cb` once it is out. */
  shutdown(r: CycleResult, cb: WriteCallback): void;
  pauseReading(): void;
  resumeReading(): void;
  setNoDelay(noDelay: boolean): void;
  /** As net.Socket: the delay in ms. */
  setKeepAlive(enable: boolean, initialDelayMs: number): void;
  ref(): void;
  unref(): void;
  /** The local address as net.Socket#address() reports it. */
  address(): net.AddressInfo | Record<string, never>;
  /** The address fields as net.Socket reports them. */
  remote(
    name: 'remoteAddress' | 'remoteFamily' | 'remotePort' | 'localAddress' | 'localPort' | 'localFamily',
  ): string | number | undefined;
  /** Closes the transport; returns the write callbacks still waiting, to be failed by the driver. */
  destroy(): WriteCallback[];
}
