// A chunk handed straight to the stream's 'data' listeners when push() would do
// nothing else: the stream is flowing, holds nothing, is not inside a read() call,
// has no pipes, decoder or object mode, and someone listens. push() would emit
// 'data' at once too (Readable's addChunk), then schedule a read(0) on the next tick
// (maybeReadMore) that finds nothing; the native link reads on its own, so that tick
// buys nothing. Node's http server reads this way from node:tls's socket (its parser
// consumes the native stream); here the same chunk reaches its 'data' listener
// without the stream's bookkeeping. Anything else goes through push().
import type { Readable } from 'node:stream';

/** The parts of Readable's state the check reads (public fields of node's ReadableState). */
interface ReadableStateView {
  readonly flowing: boolean | null;
  readonly length: number;
  readonly sync: boolean;
  readonly ended: boolean;
  readonly destroyed: boolean;
  readonly objectMode: boolean;
  readonly decoder: unknown;
  readonly pipes: readonly unknown[];
  dataEmitted: boolean;
}

export type DirectHost = Pick<Readable, 'emit' | 'listenerCount'>;

function stateOf(host: DirectHost): ReadableStateView | undefined {
  return (host as unknown as { _readableState?: ReadableStateView })._readableState;
}

/** True when `chunk` went to the 'data' listeners; false when push() must take it. */
export function emitDirect(host: DirectHost, chunk: Buffer): boolean {
  const st = stateOf(host);
  if (
    st === undefined ||
    st.flowing !== true ||
    st.length !== 0 ||
    st.sync ||
    st.ended ||
    st.destroyed ||
    st.objectMode ||
    st.decoder !== null ||
    st.pipes.length !== 0 ||
    host.listenerCount('data') === 0
  ) {
    return false;
  }
  st.dataEmitted = true;
  host.emit('data', chunk);
  return true;
}
