// Pre-shared keys (TLS-PSK): the user's pskCallback made into the function the
// native Connection calls from inside OpenSSL (native/connection_psk.cc).
//
// OpenSSL cannot wait for a PSK, so unlike every other callback this one runs
// synchronously, while the handshake is under way. Whatever the user's
// callback throws, and whatever its answer fails validation with, fails the
// handshake with that error (the server reports it as tlsClientError, the
// client as 'error'), exactly as node:tls does.
//
//  server: pskCallback(socket, identity) -> Buffer | TypedArray | DataView | { psk } | null
//  client: pskCallback(hint) -> { psk, identity } | null   (hint is null in TLS 1.3)
import type { NativeConnectionOptions, NativePskClientAnswer } from '../typings/native';
import { invalidArgType, invalidArgValue, isArrayBufferView, validateString } from './errors';
import type { TLSSocket } from './tls_socket';

/** OpenSSL's limits (PSK_MAX_PSK_LEN, PSK_MAX_IDENTITY_LEN). */
const kMaxPskBytes = 512;
const kMaxIdentityBytes = 256;

export type PskServerCallback = (
  this: TLSSocket,
  socket: TLSSocket,
  identity: string,
) => NodeJS.ArrayBufferView | { psk: NodeJS.ArrayBufferView } | null | undefined;

export type PskClientCallback = (
  this: TLSSocket,
  hint: string | null,
) => { psk: NodeJS.ArrayBufferView; identity: string } | null | undefined;

/** createServer()'s PSK options. */
export interface ServerPskOptions {
  pskCallback?: PskServerCallback | null;
  pskIdentityHint?: string | null;
}

/** connect()'s PSK option. */
export interface ClientPskOptions {
  pskCallback?: PskClientCallback | null;
}

/** A TLSSocket's: either role's. */
export interface PskOptions {
  pskCallback?: PskServerCallback | PskClientCallback | null;
  pskIdentityHint?: string | null;
}

function asBuffer(view: NodeJS.ArrayBufferView): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function checkKey(psk: unknown): Buffer {
  if (!isArrayBufferView(psk)) throw invalidArgType('psk', ['Buffer', 'TypedArray', 'DataView'], psk);
  if (psk.byteLength > kMaxPskBytes) {
    throw invalidArgValue('psk', psk, `Pre-shared key exceeds ${kMaxPskBytes} bytes`);
  }
  return asBuffer(psk);
}

/** createServer(): the PSK options are checked before any connection. */
export function validateServerPskOptions(options: ServerPskOptions): void {
  const { pskCallback, pskIdentityHint } = options;
  if (pskCallback !== undefined && pskCallback !== null && typeof pskCallback !== 'function') {
    throw invalidArgType('options.pskCallback', 'function', pskCallback);
  }
  if (pskIdentityHint !== undefined && pskIdentityHint !== null) {
    validateString(pskIdentityHint, 'options.pskIdentityHint');
  }
}

/**
 * The PSK part of a socket's native connection options. Throws (from the
 * TLSSocket constructor, so from connect()) when pskCallback is not a function.
 */
export function pskConnectionOptions(
  socket: TLSSocket,
  isServer: boolean,
  options: PskOptions,
): Pick<NativeConnectionOptions, 'pskCallback' | 'pskIdentityHint'> {
  const callback = options.pskCallback;
  // A falsy callback means no PSK, as in node:tls.
  if (!callback) return {};
  if (typeof callback !== 'function') throw invalidArgType('pskCallback', 'function', callback);
  if (!isServer) return { pskCallback: clientCallback(socket, callback as PskClientCallback) };
  const hint = options.pskIdentityHint;
  if (hint !== undefined && hint !== null) validateString(hint, 'options.pskIdentityHint');
  return {
    pskCallback: serverCallback(socket, callback as PskServerCallback),
    pskIdentityHint: hint ? hint : undefined,
  };
}

function serverCallback(socket: TLSSocket, user: PskServerCallback): (identity: string | null) => Buffer | null {
  return (identity) => {
    const ret: unknown = user.call(socket, socket, identity ?? '');
    if (ret === null || ret === undefined) return null;
    if (isArrayBufferView(ret)) return checkKey(ret);
    if (typeof ret !== 'object') throw invalidArgType('ret', ['Buffer', 'TypedArray', 'DataView', 'Object'], ret);
    return checkKey((ret as { psk?: unknown }).psk);
  };
}

function clientCallback(socket: TLSSocket, user: PskClientCallback): (hint: string | null) => NativePskClientAnswer | null {
  return (hint) => {
    const ret: unknown = user.call(socket, hint);
    if (ret === null || ret === undefined) return null;
    if (typeof ret !== 'object') throw invalidArgType('ret', 'object', ret);
    const { psk, identity } = ret as { psk?: unknown; identity?: unknown };
    const key = checkKey(psk);
    validateString(identity, 'identity');
    if (Buffer.byteLength(identity) > kMaxIdentityBytes) {
      throw invalidArgValue('identity', identity, `PSK identity exceeds ${kMaxIdentityBytes} bytes`);
    }
    return { psk: key, identity };
  };
}
