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
import type { NativeConnectionOptions, NativePskClientAnswer } from '../../typings/native';
import { invalidArgType, invalidArgValue } from '../internal/errors';
import { isArrayBufferView, validateString } from '../internal/validators';

/** OpenSSL's limits (PSK_MAX_PSK_LEN, PSK_MAX_IDENTITY_LEN). */
const kMaxPskBytes = 512;
const kMaxIdentityBytes = 256;

// S is the socket type the callbacks are given (TLSSocket, lib/socket/).
export type PskServerCallback<S> = (
  this: S,
  socket: S,
  identity: string,
) => NodeJS.ArrayBufferView | { psk: NodeJS.ArrayBufferView } | null | undefined;

export type PskClientCallback<S> = (
  this: S,
  hint: string | null,
) => { psk: NodeJS.ArrayBufferView; identity: string } | null | undefined;

/** createServer()'s PSK options. */
export interface ServerPskOptions<S> {
  pskCallback?: PskServerCallback<S> | null;
  pskIdentityHint?: string | null;
}

/** connect()'s PSK option. */
export interface ClientPskOptions<S> {
  pskCallback?: PskClientCallback<S> | null;
}

/** A TLSSocket's: either role's. */
export interface PskOptions<S> {
  pskCallback?: PskServerCallback<S> | PskClientCallback<S> | null;
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
export function validateServerPskOptions<S>(options: ServerPskOptions<S>): void {
  const { pskCallback, pskIdentityHint } = options;
  // Falsy values mean none, as node:tls checks them.
  if (pskCallback && typeof pskCallback !== 'function') {
    throw invalidArgType('options.pskCallback', 'function', pskCallback);
  }
  if (pskIdentityHint) validateString(pskIdentityHint, 'options.pskIdentityHint');
}

/** A socket's PSK settings, validated: the callback of its role and the server's hint. */
export type PskConfig<S> =
  | { isServer: true; callback: PskServerCallback<S>; hint: string | undefined }
  | { isServer: false; callback: PskClientCallback<S> };

/**
 * A socket's PSK options, checked once as its options are normalized (so
 * connect() throws): undefined when there is no callback (a falsy one means
 * none, as in node:tls).
 */
export function pskConfig<S>(isServer: boolean, options: PskOptions<S>): PskConfig<S> | undefined {
  const callback = options.pskCallback;
  if (!callback) return undefined;
  if (typeof callback !== 'function') throw invalidArgType('pskCallback', 'function', callback);
  if (!isServer) return { isServer: false, callback: callback as PskClientCallback<S> };
  const hint = options.pskIdentityHint;
  if (hint !== undefined && hint !== null) validateString(hint, 'options.pskIdentityHint');
  return { isServer: true, callback: callback as PskServerCallback<S>, hint: hint ? hint : undefined };
}

/** The PSK part of a socket's native connection options: the callbacks bound to `socket`. */
export function pskConnectionOptions<S>(
  socket: S,
  psk: PskConfig<S> | undefined,
): Pick<NativeConnectionOptions, 'pskCallback' | 'pskIdentityHint'> {
  if (psk === undefined) return {};
  if (!psk.isServer) return { pskCallback: clientCallback(socket, psk.callback) };
  return { pskCallback: serverCallback(socket, psk.callback), pskIdentityHint: psk.hint };
}

function serverCallback<S>(socket: S, user: PskServerCallback<S>): (identity: string | null) => Buffer | null {
  return (identity) => {
    const ret: unknown = user.call(socket, socket, identity ?? '');
    if (ret === null || ret === undefined) return null;
    if (isArrayBufferView(ret)) return checkKey(ret);
    if (typeof ret !== 'object') throw invalidArgType('ret', ['Buffer', 'TypedArray', 'DataView', 'Object'], ret);
    return checkKey((ret as { psk?: unknown }).psk);
  };
}

function clientCallback<S>(
  socket: S,
  user: PskClientCallback<S>,
): (hint: string | null) => NativePskClientAnswer | null {
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
