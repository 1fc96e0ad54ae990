// TLS 1.2 renegotiation on a TLSSocket: renegotiate(options, cb),
// disableRenegotiation(), and the limiter on renegotiations the peer starts.
//
// The native Connection reports every renegotiation the peer starts
// (CycleResult.peerRenegotiations) and every one that completes
// (HANDSHAKE_DONE after the first handshake); the policy is here:
//  - a server allows at most CLIENT_RENEG_LIMIT of them within the last
//    CLIENT_RENEG_WINDOW seconds (both read from lib/defaults.ts at each one,
//    so `tls.CLIENT_RENEG_LIMIT = 1` takes effect at once); the one past the
//    limit fails the socket with ERR_TLS_SESSION_ATTACK;
//  - after disableRenegotiation() any renegotiation the peer starts fails the
//    socket with ERR_TLS_RENEGOTIATION_DISABLED (on either side: node:tls
//    checks only on the server, its documentation says any socket).
// TLS 1.3 has no renegotiation (its key updates and tickets are not reported).
import { defaults } from './defaults';
import { nodeError, validateFunction, validateObject, type NodeError } from './errors';
import * as errors from './tls_errors';
import type { CycleResult, NativeConnection } from '../typings/native';
import type { TLSSocket } from './tls_socket';

export function sessionAttack(): NodeError {
  return nodeError(Error, 'ERR_TLS_SESSION_ATTACK', 'TLS session renegotiation attack detected');
}

export function renegotiationDisabled(): NodeError {
  return nodeError(Error, 'ERR_TLS_RENEGOTIATION_DISABLED', 'TLS session renegotiation disabled for this socket');
}

export interface RenegotiateOptions {
  rejectUnauthorized?: boolean;
  requestCert?: boolean;
}

type Callback = (err: Error | null) => void;

/** One TLSSocket's renegotiation state; the socket hands it its private parts. */
export class Renegotiation {
  readonly #socket: TLSSocket;
  readonly #conn: () => NativeConnection | null;
  readonly #handle: (r: CycleResult) => void;
  #disabled = false;
  /** When the peer started each renegotiation still inside the window (ms). */
  #starts: number[] = [];
  /** renegotiate() callbacks waiting for the handshake to complete. */
  #callbacks: Callback[] = [];

  constructor(socket: TLSSocket, conn: () => NativeConnection | null, handle: (r: CycleResult) => void) {
    this.#socket = socket;
    this.#conn = conn;
    this.#handle = handle;
  }

  disable(): void {
    this.#disabled = true;
  }

  /** socket.renegotiate(options, callback): true once started, false (and callback(err) soon) if not. */
  renegotiate(options: unknown, callback?: unknown): boolean | undefined {
    validateObject(options, 'options');
    if (callback !== undefined) validateFunction(callback, 'callback');
    const cb = callback as Callback | undefined;
    const socket = this.#socket;
    const conn = this.#conn();
    if (socket.destroyed || conn === null) return undefined;

    const tlsOptions = socket._tlsOptions;
    const opts = options as RenegotiateOptions;
    let requestCert = tlsOptions.requestCert === true;
    let rejectUnauthorized = tlsOptions.rejectUnauthorized !== false;
    if (opts.requestCert !== undefined) requestCert = !!opts.requestCert;
    if (opts.rejectUnauthorized !== undefined) rejectUnauthorized = !!opts.rejectUnauthorized;

    let result: CycleResult;
    try {
      result = conn.renegotiate({ requestCert, rejectUnauthorized });
    } catch (err) {
      if (cb !== undefined) process.nextTick(cb, err as Error);
      return false;
    }
    tlsOptions.requestCert = requestCert;
    tlsOptions.rejectUnauthorized = rejectUnauthorized;
    if (cb !== undefined) this.#callbacks.push(cb);
    this.#handle(result);
    return true;
  }

  /** The peer started `count` renegotiations: the error to fail the socket with, if any. */
  onPeerStart(count: number, now = Date.now()): Error | undefined {
    if (this.#disabled) return renegotiationDisabled();
    // The limiter guards servers against clients (node:tls's CLIENT_RENEG_*).
    if (this.#socket._tlsOptions.isServer !== true) return undefined;
    const windowMs = Number(defaults.CLIENT_RENEG_WINDOW) * 1000;
    const limit = Number(defaults.CLIENT_RENEG_LIMIT);
    this.#starts = this.#starts.filter((t) => now - t < windowMs);
    for (let i = 0; i < count; i++) this.#starts.push(now);
    if (this.#starts.length > limit) return sessionAttack();
    return undefined;
  }

  /**
   * A renegotiation completed. A server that asked for the client's
   * certificate decides again (authorized, authorizationError; rejection
   * destroys the socket, and the callbacks get the verify error).
   */
  onDone(): void {
    const socket = this.#socket;
    const conn = this.#conn();
    if (conn === null || socket.destroyed) return;
    const tlsOptions = socket._tlsOptions;
    if (tlsOptions.isServer === true && tlsOptions.requestCert === true) {
      const v = conn.verifyError();
      if (v === null) {
        socket.authorized = true;
        socket.authorizationError = null;
      } else {
        socket.authorized = false;
        socket.authorizationError = v[0];
        if (tlsOptions.rejectUnauthorized !== false) {
          this.#settle(errors.verifyError(v[0], v[1]));
          socket.destroy();
          return;
        }
      }
    }
    // node:tls emits these again after each renegotiation.
    if (tlsOptions.isServer !== true) socket.emit('secureConnect');
    if (socket.destroyed) return;
    socket.emit('secure');
    this.#settle(null);
  }

  /** The socket is closing: callbacks still waiting get its error (or ERR_SOCKET_CLOSED). */
  onClose(error: Error | null | undefined): void {
    if (this.#callbacks.length > 0) this.#settle(error ?? errors.socketClosed());
  }

  #settle(err: Error | null): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const cb of callbacks) cb(err);
  }
}
