// A TLSSocket made over a connected net.Socket takes that socket's reads over, as
// node:tls's TLSWrap takes over its handle's: from then on the bytes received
// (and the peer's FIN) go to the TLS socket only, and the net.Socket's own 'data'
// and 'end' listeners hear nothing more (a STARTTLS client's line reader, or the
// first TLS socket of a TLS-in-TLS tunnel, no longer sees the inner records).
// Any other Duplex is read through its 'data' and 'end' events, as node's
// JSStreamSocket reads one.
//  - One of our TLSSockets hands its cleartext over through kTakeOverReads.
//  - A net.Socket with a handle (node's own TCP, pipe or TLS socket): its handle's
//    reads reach the stream through push(), which this socket's push now answers.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/** Where the reads go once taken over. */
export interface ReadConsumer {
  data(chunk: Buffer): void;
  /** The stream's readable side ended (the peer's FIN, or close_notify). */
  end(): void;
}

/** A stream whose reads were taken over: reading stops and starts at the consumer's word. */
export interface TakenReads {
  pause(): void;
  resume(): void;
}

/** Implemented by TLSSocket: its cleartext goes to `consumer` from now on. */
export const kTakeOverReads = Symbol('openssl-tls.takeOverReads');

interface TakeOverable {
  [kTakeOverReads](consumer: ReadConsumer): TakenReads;
}

/** The parts of node's stream handle (TCPWrap, PipeWrap, TLSWrap) used here. */
interface StreamHandle {
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}

/** The socket's handle, if it is one that can start and stop reading (null once closed). */
function handleOf(stream: net.Socket): StreamHandle | null {
  const handle = (stream as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (handle === null || typeof handle !== 'object') return null;
  return typeof handle.readStart === 'function' && typeof handle.readStop === 'function'
    ? (handle as StreamHandle)
    : null;
}

/**
 * Takes `stream`'s reads over for `consumer`, or answers null (read it through
 * its events) for a stream that is not a net.Socket with a handle. What the
 * stream had buffered already is left there, for the caller to read first.
 */
export function takeOverReads(stream: Duplex, consumer: ReadConsumer): TakenReads | null {
  if (kTakeOverReads in stream) return (stream as unknown as TakeOverable)[kTakeOverReads](consumer);
  if (!(stream instanceof net.Socket) || handleOf(stream) === null) return null;
  let ended = false;
  // node's net.Socket hands each read to push() (a Buffer), and the handle's end as push(null).
  stream.push = (chunk: Buffer | null): boolean => {
    if (chunk !== null) consumer.data(chunk);
    else if (!ended) {
      ended = true;
      consumer.end();
    }
    return true;
  };
  return {
    pause: () => {
      const handle = handleOf(stream);
      if (handle?.reading !== true) return;
      handle.reading = false;
      handle.readStop();
    },
    resume: () => {
      const handle = handleOf(stream);
      if (ended || stream.connecting || handle === null || handle.reading === true) return;
      handle.reading = true;
      handle.readStart();
    },
  };
}
