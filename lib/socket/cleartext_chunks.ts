// What a write hands the addon (conn.write): Buffers as they are, and strings
// the addon encodes itself, in one encoding a call (latin1, as node's HTTP
// headers come, or UTF-8), so a string written becomes no Buffer in JS. Empty
// strings are left out. A string in any other encoding, or in the second of two
// encodings in one call, becomes a Buffer here.

/** A write's cleartext: chunks for conn.write, and whether its strings are UTF-8 (else latin1). */
export interface Cleartext {
  chunks: (Buffer | string)[];
  utf8: boolean;
}

const NONE = 0;
const LATIN1 = 1;
const UTF8 = 2;

function stringKind(encoding: string): number {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return UTF8;
    case 'latin1':
    case 'binary':
      return LATIN1;
    default:
      return NONE;
  }
}

/** One chunk as Writable hands it to _write() and _writev(). */
export interface WriteChunk {
  chunk: Buffer | string;
  encoding: BufferEncoding;
}

/** The chunk of _write(). */
export function oneChunk(chunk: Buffer | string, encoding: BufferEncoding): Cleartext {
  return manyChunks([{ chunk, encoding }]);
}

// More chunks than this go to the addon as one Buffer: conn.write takes them as
// arguments, and a call with a few hundred thousand overflows the stack. (node's
// TLSWrap copies every batch of several chunks into one buffer too.)
const MAX_ARGUMENTS = 4096;

/** The chunks of _writev(), in order. */
export function manyChunks(list: readonly WriteChunk[]): Cleartext {
  if (list.length > MAX_ARGUMENTS) return joined(list);
  const chunks: (Buffer | string)[] = [];
  let kind = NONE;
  for (const { chunk, encoding } of list) {
    if (typeof chunk !== 'string') {
      chunks.push(chunk);
      continue;
    }
    if (chunk.length === 0) continue;
    const k = stringKind(encoding);
    if (k !== NONE && (kind === NONE || kind === k)) {
      kind = k;
      chunks.push(chunk);
    } else {
      chunks.push(Buffer.from(chunk, encoding));
    }
  }
  return { chunks, utf8: kind === UTF8 };
}

/** A batch too long for one call's arguments, as one Buffer. */
function joined(list: readonly WriteChunk[]): Cleartext {
  const buffers = list.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk));
  return { chunks: [Buffer.concat(buffers)], utf8: false };
}
