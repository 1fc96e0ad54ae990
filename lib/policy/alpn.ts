// Application protocol negotiation: node:tls's ALPN options and the seeds' NPN.
//
//  ALPNProtocols  both sides: an array of names (strings or bytes), or a Buffer /
//                 Uint8Array already in wire format (each name after its length byte).
//                 The server picks the first of its own that the client offers; no
//                 common one is a fatal no_application_protocol alert.
//  ALPNCallback   server: ({ servername, protocols }) => one of protocols | undefined,
//                 called for a client that offers ALPN. It runs as a step of the
//                 ClientHello pause (lib/pause.ts) and its answer goes back with
//                 resume({ alpn }); undefined refuses with the alert, a name the client
//                 did not offer fails the socket (ERR_TLS_ALPN_CALLBACK_INVALID_RESULT).
//  NPNProtocols   both sides, TLS 1.2 only (the system OpenSSL still has NPN).
import { binding } from '../internal/binding';
import {
  alpnCallbackInvalidResult,
  alpnCallbackWithProtocols,
  invalidArgType,
  invalidArgValue,
  nodeError,
  npnUnsupported,
} from '../internal/errors';
import { isArrayBufferView } from '../internal/validators';
import type { ClientHelloStep } from './pause';
import type { NativeConnectionOptions } from '../../typings/native';

export type ProtocolName = string | NodeJS.ArrayBufferView;
export type ProtocolList = readonly ProtocolName[] | NodeJS.ArrayBufferView;

export interface ALPNCallbackInfo {
  /** The name the client asked for (SNI), false when it sent none. */
  servername: string | false;
  /** The client's protocols, in its order. */
  protocols: string[];
}

/**
 * A method's type, so its parameter is checked both ways: a callback typed
 * with @types/node's narrower info ({ servername: string }) is accepted too.
 */
export type ALPNCallback = { callback(info: ALPNCallbackInfo): string | undefined }['callback'];

/** The protocol options of connect(), createServer() and new TLSSocket(). */
export interface ProtocolOptions {
  ALPNProtocols?: ProtocolList | null;
  /** Server only. Mutually exclusive with ALPNProtocols. */
  ALPNCallback?: ALPNCallback | null;
  NPNProtocols?: ProtocolList | null;
}

const kMaxProtocolBytes = 255;

function viewBytes(view: NodeJS.ArrayBufferView): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** True when `wire` is a list of length-prefixed, non-empty names that fills it exactly. */
function isWireList(wire: Buffer): boolean {
  let i = 0;
  while (i < wire.length) {
    const n = wire[i] ?? 0;
    if (n === 0 || i + 1 + n > wire.length) return false;
    i += 1 + n;
  }
  return true;
}

/**
 * A protocol list option in wire format; undefined when not given (node:tls
 * ignores falsy values). Throws node's ERR_OUT_OF_RANGE for a name over 255
 * bytes, ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE for what OpenSSL would
 * refuse (node:tls aborts the process on some of these).
 */
export function toWireProtocols(protocols: unknown, name: string): Buffer | undefined {
  if (protocols === undefined || protocols === null || protocols === false) return undefined;
  if (isArrayBufferView(protocols)) {
    const wire = viewBytes(protocols);
    if (!isWireList(wire)) throw invalidArgValue(name, protocols, 'is not a protocol list in wire format');
    return wire;
  }
  if (!Array.isArray(protocols)) throw invalidArgType(name, ['Array', 'Buffer', 'TypedArray', 'DataView'], protocols);
  const parts: Buffer[] = [];
  protocols.forEach((protocol: unknown, i) => {
    let bytes: Buffer;
    if (typeof protocol === 'string') bytes = Buffer.from(protocol, 'utf8');
    else if (isArrayBufferView(protocol)) bytes = viewBytes(protocol);
    else throw invalidArgType(`${name}[${i}]`, ['string', 'Buffer', 'TypedArray', 'DataView'], protocol);
    if (bytes.length > kMaxProtocolBytes) {
      throw nodeError(
        RangeError,
        'ERR_OUT_OF_RANGE',
        `The byte length of the protocol at index ${i} exceeds the maximum length. It must be <= ${kMaxProtocolBytes}. Received ${bytes.length}`,
      );
    }
    if (bytes.length === 0) throw invalidArgValue(`${name}[${i}]`, protocol, 'must not be empty');
    parts.push(Buffer.from([bytes.length]), bytes);
  });
  return Buffer.concat(parts);
}

/** node:tls's exported helper: sets out.ALPNProtocols to the wire form of an array or buffer. */
export function convertALPNProtocols(protocols: unknown, out: { ALPNProtocols?: Buffer }): void {
  if (!Array.isArray(protocols) && !isArrayBufferView(protocols)) return;
  const wire = toWireProtocols(protocols, 'protocols');
  if (wire !== undefined) out.ALPNProtocols = wire;
}

/** The names of a wire-format list, with their bytes. */
function splitWire(wire: Buffer): Array<{ name: string; bytes: Buffer }> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  let i = 0;
  while (i < wire.length) {
    const n = wire[i] ?? 0;
    const bytes = wire.subarray(i + 1, i + 1 + n);
    // node:tls hands the callback ASCII-decoded names.
    out.push({ name: bytes.toString('ascii'), bytes });
    i += 1 + n;
  }
  return out;
}

/** The server's checks, made when it is created (createServer). */
export function validateServerProtocolOptions(options: ProtocolOptions): void {
  const { ALPNCallback } = options;
  if (ALPNCallback !== undefined && ALPNCallback !== null && typeof ALPNCallback !== 'function') {
    throw invalidArgType('options.ALPNCallback', 'function', ALPNCallback);
  }
  if (ALPNCallback && options.ALPNProtocols !== undefined && options.ALPNProtocols !== null) {
    throw alpnCallbackWithProtocols();
  }
  toWireProtocols(options.ALPNProtocols, 'options.ALPNProtocols');
  if (toWireProtocols(options.NPNProtocols, 'options.NPNProtocols') !== undefined && !binding.features.npn) {
    throw npnUnsupported();
  }
}

/** The protocol part of a socket's native connection options (throws on bad values). */
export function protocolConnectionOptions(
  options: ProtocolOptions,
): Pick<NativeConnectionOptions, 'alpnProtocols' | 'npnProtocols'> {
  const alpnProtocols = toWireProtocols(options.ALPNProtocols, 'options.ALPNProtocols');
  const npnProtocols = toWireProtocols(options.NPNProtocols, 'options.NPNProtocols');
  if (npnProtocols !== undefined && !binding.features.npn) throw npnUnsupported();
  return { alpnProtocols, npnProtocols };
}

/**
 * The ALPNCallback step of a ClientHello pause. Not called when the client
 * offers no ALPN (as in node:tls). A throw, or a name the client did not
 * offer, fails the socket with that error.
 */
export function alpnStep(callback: ALPNCallback, self: unknown): ClientHelloStep {
  return (hello, answer, next) => {
    if (hello.alpn.length === 0) {
      next();
      return;
    }
    const offered = splitWire(hello.alpn);
    const protocols = offered.map((p) => p.name);
    let chosen: unknown;
    try {
      // node:tls calls it with `this` the server's socket (so this.setKeyCert() can switch certificates).
      chosen = callback.call(self, { servername: hello.servername === '' ? false : hello.servername, protocols });
    } catch (err) {
      next(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (chosen === undefined) {
      answer.alpn = false;
      next();
      return;
    }
    const i = protocols.indexOf(chosen as string);
    const match = offered[i];
    if (typeof chosen !== 'string' || match === undefined) {
      // node:tls prints the value as a template string does.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      next(alpnCallbackInvalidResult(String(chosen), protocols));
      return;
    }
    answer.alpn = match.bytes;
    next();
  };
}
