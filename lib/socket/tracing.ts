// One socket's debug lines and diagnostics channel messages (lib/internal/observe.ts):
// node:tls's NODE_DEBUG=tls lines at the same moments, and our handshake and
// error channels. Nothing here costs more than a flag test when nobody listens.
import type { NativeConnection } from '../../typings/native';
import { channels, debug, monotonicMs } from '../internal/observe';

export class SocketTracing {
  readonly #socket: object;
  readonly #isServer: boolean;
  readonly #role: 'server' | 'client';
  #startedAt: number;

  /** `startedAt`: when the handshake began, if before the socket was made (a native server connection). */
  constructor(socket: object, isServer: boolean, startedAt: number | undefined) {
    this.#socket = socket;
    this.#isServer = isServer;
    this.#role = isServer ? 'server' : 'client';
    // The clock is read only for someone listening (a BigInt a socket otherwise).
    this.#startedAt = startedAt ?? (channels.handshakeEnd.hasSubscribers ? monotonicMs() : 0);
    debug('%s _init', this.#role, 'handle?', true);
    if (isServer) this.#begin();
  }

  /** A client's ClientHello is on its way. */
  start(connecting: boolean, requestOCSP: boolean): void {
    debug('%s _start', this.#role, 'handle?', true, 'connecting?', connecting, 'requestOCSP?', requestOCSP);
    if (channels.handshakeEnd.hasSubscribers) this.#startedAt = monotonicMs();
    this.#begin();
  }

  #begin(): void {
    if (this.#isServer) debug('server onhandshakestart');
    if (channels.handshakeStart.hasSubscribers) {
      channels.handshakeStart.publish({ socket: this.#socket, server: this.#isServer });
    }
  }

  initRead(buffered: number | false): void {
    debug('%s initRead', this.#role, 'handle?', true, 'buffered?', buffered);
  }

  /**
   * The handshake is done (a client's, before connect() checks the server, as
   * node:tls prints it): its debug lines.
   */
  handshakeDone(conn: NativeConnection): void {
    if (!debug.enabled) return;
    debug('%s onhandshakedone', this.#role);
    const servername = conn.getServername() ?? false;
    debug('%s _finishInit', this.#role, 'handle?', true, 'alpn', conn.getALPNProtocol(), 'servername', servername);
  }

  /** The handshake is done and accepted: 'secure' is next. */
  secured(conn: NativeConnection): void {
    if (!channels.handshakeEnd.hasSubscribers) return;
    channels.handshakeEnd.publish({
      socket: this.#socket,
      server: this.#isServer,
      protocol: conn.getProtocol(),
      cipher: conn.getCipher()?.name,
      resumed: conn.isSessionReused(),
      // Unknown when nobody listened as the handshake began.
      durationMs: this.#startedAt > 0 ? Math.max(0, monotonicMs() - this.#startedAt) : undefined,
    });
  }

  clientChecked(authorized: boolean, rejectUnauthorized: boolean, authorizationError: string | null): void {
    if (authorized) debug('client emit secureConnect. authorized:', authorized);
    else {
      debug(
        'client emit secureConnect. rejectUnauthorized: %s, authorizationError: %s',
        rejectUnauthorized,
        authorizationError,
      );
    }
  }

  secureConnection(): void {
    debug('server emit secureConnection');
  }

  /**
   * A failure: the socket's 'error', or (`toServer`) its server's 'tlsClientError'
   * (node:tls prints no line for a server socket that closed before it was secure).
   */
  error(error: Error, toServer: boolean, closedEarly = false): void {
    if (!closedEarly) {
      if (toServer) debug('server emit tlsClientError:', error);
      else debug('%s onerror %s', this.#role, error);
    }
    // A socket's own error is published as it is destroyed with it (destroyed()).
    if (toServer) this.#publishError(error);
  }

  /** The socket is destroyed, with `error` if it failed. */
  destroyed(error: Error | null): void {
    if (error !== null) this.#publishError(error);
  }

  #publishError(error: Error): void {
    if (channels.error.hasSubscribers) channels.error.publish({ socket: this.#socket, server: this.#isServer, error });
  }
}
