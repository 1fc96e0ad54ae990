// The legacy API from the seeds: createSecurePair() and SecurePair.
//
// A SecurePair has two streams: `encrypted`, which the application pipes to
// and from the network, and `cleartext`, which behaves like a TLSSocket (it is
// one, over the other end of an in-memory duplex pair). `bytesWritten` on
// either counts the encrypted bytes sent toward the network, TLS overhead
// included, as CryptoStream#bytesWritten did.
//
// Errors: the cleartext TLSSocket reports its errors as any TLSSocket does
// ('error' on cleartext). The old API emitted a failed handshake's error on
// the pair itself, so a pair with an 'error' listener also gets errors from
// before 'secure'; an error nobody listens for is thrown as usual.
import { EventEmitter } from 'node:events';
import { deprecate } from 'node:util';
import { Duplex } from 'node:stream';
import { invalidArgType, tlsInvalidContext } from './internal/errors';
import { makeContext } from './context/factory';
import { SecureContext } from './context/secure_context';
import { socketConfig } from './socket/options';
import { TLSSocket, type TLSSocketOptions } from './socket/tls_socket';

type WriteCallback = (error?: Error | null) => void;

/**
 * One end of an in-memory duplex pair: what is written to one end is read
 * from the other. Delivery is asynchronous (next tick), so two TLS engines
 * piped together never call into each other on the same stack.
 */
class PairEnd extends Duplex {
  peer: PairEnd | null = null;
  /** Bytes this end has handed to its peer (read from the peer's readable side). */
  delivered = 0;
  #waiting: (() => void) | null = null;
  #eof = false;

  /** End of file on this end's readable side (once). */
  eof(): void {
    if (this.#eof || this.destroyed) return;
    this.#eof = true;
    this.push(null);
  }

  override _read(): void {
    const resume = this.#waiting;
    this.#waiting = null;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: WriteCallback): void {
    const peer = this.peer;
    process.nextTick(() => {
      if (peer === null || peer.destroyed || peer.#eof) {
        // The other end is gone: the bytes have nowhere to go, as on a closed socket.
        cb();
        return;
      }
      this.delivered += chunk.length;
      // Backpressure: the next write waits until the reader asks for more.
      if (peer.push(chunk)) cb();
      else peer.#waiting = () => cb();
    });
  }

  override _final(cb: WriteCallback): void {
    const peer = this.peer;
    process.nextTick(() => {
      peer?.eof();
      cb();
    });
  }

  override _destroy(error: Error | null, cb: (error: Error | null) => void): void {
    // A destroyed end is an end of file for the other one.
    const peer = this.peer;
    if (peer !== null) process.nextTick(() => peer.eof());
    const resume = this.#waiting;
    this.#waiting = null;
    resume?.();
    cb(error);
  }
}

function duplexPair(): [PairEnd, PairEnd] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export interface SecurePairOptions extends TLSSocketOptions {
  /** The server this pair belongs to (TLSSocket's `server` option). */
  server?: TLSSocketOptions['server'];
}

/** The encrypted side: pipe it to the network and the network to it. */
export type EncryptedStream = Duplex & { readonly bytesWritten: number };

export class SecurePair extends EventEmitter {
  readonly encrypted: EncryptedStream;
  readonly cleartext: TLSSocket;
  readonly credentials: SecureContext;
  readonly server: TLSSocketOptions['server'];
  #secure = false;

  constructor(
    context?: SecureContext | null,
    isServer?: boolean,
    requestCert?: boolean,
    rejectUnauthorized?: boolean,
    options?: SecurePairOptions | null,
  ) {
    super();
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw invalidArgType('options', 'object', options);
    }
    const opts: SecurePairOptions = options ?? {};
    let credentials: SecureContext;
    if (context instanceof SecureContext) credentials = context;
    else if (context === undefined || context === null) credentials = makeContext(opts);
    // As node:tls: anything else, options objects included, is refused.
    else throw tlsInvalidContext('context');
    this.credentials = credentials;
    this.server = opts.server;

    const [outer, inner] = duplexPair();
    Object.defineProperty(outer, 'bytesWritten', {
      configurable: true,
      enumerable: false,
      // What the encrypted side has put out for the network, TLS overhead included.
      get: () => inner.delivered,
    });
    this.encrypted = outer as PairEnd & EncryptedStream;

    const server = isServer === true;
    const tlsOptions = {
      ...opts,
      secureContext: credentials,
      isServer: server,
      requestCert: requestCert === true,
      // Like a net.Socket: the peer's end ends this side too, unless asked otherwise.
      allowHalfOpen: opts.allowHalfOpen === true,
      // A server rejects an unauthorized client only when asked to, as the old API did;
      // a client pair reports the server's authorization and never rejects.
      rejectUnauthorized: server ? rejectUnauthorized === true : false,
    };
    // The old API judged the peer (authorized, authorizationError), which a bare TLSSocket does not.
    const config = socketConfig<TLSSocket>(tlsOptions, null, null, true);
    this.cleartext = new TLSSocket(inner, tlsOptions, { config });

    const onSecure = (): void => {
      if (this.#secure) return;
      this.#secure = true;
      this.emit('secure');
    };
    this.cleartext.once('secure', onSecure);
    // The old API's client pair began its handshake at once.
    if (!server) this.cleartext._start();
    this.cleartext.on('error', (err: Error) => {
      const own = this.cleartext.listenerCount('error') > 1;
      // Before 'secure' the old API emitted on the pair; unheard errors still surface.
      if ((!this.#secure && this.listenerCount('error') > 0) || !own) this.emit('error', err);
    });
    // The network side ends when the TLS side is done with it.
    this.cleartext.once('close', () => outer.eof());
  }

  /** Destroys both streams. */
  destroy(): void {
    this.cleartext.destroy();
    this.encrypted.destroy();
  }
}

/**
 * createSecurePair([context][, isServer][, requestCert][, rejectUnauthorized][, options]):
 * a TLS engine with a cleartext and an encrypted stream (deprecated in Node, kept from the seeds).
 * It warns as node:tls's does (DEP0064, once per process).
 */
export const createSecurePair = deprecate(
  makeSecurePair,
  'tls.createSecurePair() is deprecated. Please use tls.TLSSocket instead.',
  'DEP0064',
);

function makeSecurePair(
  context?: SecureContext | null,
  isServer?: boolean,
  requestCert?: boolean,
  rejectUnauthorized?: boolean,
  options?: SecurePairOptions | null,
): SecurePair {
  return new SecurePair(context, isServer, requestCert, rejectUnauthorized, options);
}
