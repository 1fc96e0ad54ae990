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
import { defaults } from '../context/defaults';
import { renegotiationDisabled, sessionAttack, socketClosed } from '../internal/errors';
import { debug } from '../internal/observe';
import { validateFunction, validateObject } from '../internal/validators';
import type { CycleResult, NativeConnection } from '../../typings/native';
import type { CertPolicy, Verdict } from './verify';

export interface RenegotiateOptions {
  rejectUnauthorized?: boolean;
  requestCert?: boolean;
}

type Callback = (err: Error | null) => void;

/** What renegotiation needs of its socket. */
export interface RenegotiationHost {
  readonly destroyed: boolean;
  readonly isServer: boolean;
  /** The client-certificate policy in force; renegotiate() changes it. */
  readonly certPolicy: CertPolicy;
  conn(): NativeConnection | null;
  /** Acts on a native result as the socket does with every other. */
  handle(r: CycleResult): void;
  /** Server: decides again on the client's certificate (lib/policy/verify.ts) and records it on the socket. */
  authorizeClient(): Verdict | undefined;
  /** Emits what a completed handshake emits ('secure'; 'secureConnect' first on connect()'s clients). */
  announce(): void;
  destroy(error?: Error): void;
}

/** One TLSSocket's renegotiation state. */
export class Renegotiation {
  readonly #host: RenegotiationHost;
  #disabled = false;
  /** When the peer started each renegotiation still inside the window (ms). */
  #starts: number[] = [];
  /** renegotiate() callbacks waiting for the handshake to complete. */
  #callbacks: Callback[] = [];

  constructor(host: RenegotiationHost) {
    this.#host = host;
  }

  disable(): void {
    this.#disabled = true;
  }

  /** socket.renegotiate(options, callback): true once started, false (and callback(err) soon) if not. */
  renegotiate(options: unknown, callback?: unknown): boolean | undefined {
    validateObject(options, 'options');
    if (callback !== undefined) validateFunction(callback, 'callback');
    const cb = callback as Callback | undefined;
    const host = this.#host;
    debug('%s renegotiate()', host.isServer ? 'server' : 'client', 'destroyed?', host.destroyed);
    const conn = host.conn();
    if (host.destroyed || conn === null) return undefined;

    const opts = options as RenegotiateOptions;
    const policy = host.certPolicy;
    const requestCert = opts.requestCert !== undefined ? !!opts.requestCert : policy.requestCert;
    const rejectUnauthorized =
      opts.rejectUnauthorized !== undefined ? !!opts.rejectUnauthorized : policy.rejectUnauthorized;

    let result: CycleResult;
    try {
      result = conn.renegotiate({ requestCert, rejectUnauthorized });
    } catch (err) {
      if (cb !== undefined) process.nextTick(cb, err);
      return false;
    }
    policy.requestCert = requestCert;
    policy.rejectUnauthorized = rejectUnauthorized;
    if (cb !== undefined) this.#callbacks.push(cb);
    host.handle(result);
    return true;
  }

  /** The peer started `count` renegotiations: the error to fail the socket with, if any. */
  onPeerStart(count: number, now = Date.now()): Error | undefined {
    if (this.#disabled) return renegotiationDisabled();
    // The limiter guards servers against clients (node:tls's CLIENT_RENEG_*).
    if (!this.#host.isServer) return undefined;
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
    const host = this.#host;
    if (host.conn() === null || host.destroyed) return;
    const verdict = host.authorizeClient();
    if (verdict?.reject !== undefined) {
      this.#settle(verdict.reject);
      host.destroy();
      return;
    }
    // node:tls emits these again after each renegotiation.
    host.announce();
    if (host.destroyed) return;
    this.#settle(null);
  }

  /** The socket is closing: callbacks still waiting get its error (or ERR_SOCKET_CLOSED). */
  onClose(error: Error | null | undefined): void {
    if (this.#callbacks.length > 0) this.#settle(error ?? socketClosed());
  }

  #settle(err: Error | null): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const cb of callbacks) cb(err);
  }
}
