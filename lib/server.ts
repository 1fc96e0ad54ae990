// Server: a net.Server whose connections become TLSSockets.
import * as net from 'node:net';
import { createSecureContext, SecureContext, type SecureContextOptions } from './secure_context';
import { TLSSocket, type ServerHooks } from './tls_socket';

export interface TlsServerOptions extends SecureContextOptions {
  handshakeTimeout?: number;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  secureContext?: SecureContext;
}

const kDefaultHandshakeTimeout = 120 * 1000;

function invalidArgType(name: string, expected: string, actual: unknown): TypeError {
  const received = actual === null ? 'null' : typeof actual === 'function' ? 'function' : `type ${typeof actual} (${String(actual)})`;
  return Object.assign(new TypeError(`The "${name}" property must be of type ${expected}. Received ${received}`), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
}

export class Server extends net.Server {
  _contexts: SecureContext;
  _tlsOptions: TlsServerOptions;
  #handshakeTimeout: number;
  #allowHalfOpen: boolean;
  readonly #hooks: ServerHooks;

  constructor(options?: TlsServerOptions | ((socket: TLSSocket) => void), listener?: (socket: TLSSocket) => void) {
    let opts: TlsServerOptions;
    if (typeof options === 'function') {
      listener = options;
      opts = {};
    } else if (options === undefined || options === null) {
      opts = {};
    } else if (typeof options === 'object') {
      opts = options;
    } else {
      throw invalidArgType('options', 'object', options);
    }
    // The transport always half-closes; TLS-level half-close is the TLSSocket's.
    super({ allowHalfOpen: true, pauseOnConnect: opts.pauseOnConnect === true });
    this.#allowHalfOpen = opts.allowHalfOpen === true;
    this._tlsOptions = opts;
    const timeout = opts.handshakeTimeout ?? kDefaultHandshakeTimeout;
    if (typeof timeout !== 'number') throw invalidArgType('options.handshakeTimeout', 'number', timeout);
    this.#handshakeTimeout = timeout;
    this._contexts = opts.secureContext ?? createSecureContext(opts);
    this.#hooks = {
      onTLSError: (error, socket) => {
        this.emit('tlsClientError', error, socket);
        // The seeds' name for the same event.
        this.emit('clientError', error, socket);
      },
      onSecure: (socket) => this.emit('secureConnection', socket),
    };
    if (listener !== undefined) this.on('secureConnection', listener);
    this.on('connection', (raw: net.Socket) => this.#wrap(raw));
  }

  #wrap(raw: net.Socket): void {
    const o = this._tlsOptions;
    const socket = new TLSSocket(raw, {
      isServer: true,
      server: this,
      secureContext: this._contexts,
      requestCert: o.requestCert === true,
      rejectUnauthorized: o.rejectUnauthorized !== false,
      allowHalfOpen: this.#allowHalfOpen,
    });
    socket._setServerHooks(this.#hooks);
    socket._armHandshakeTimeout(this.#handshakeTimeout);
  }

  /** New connections use a context made from these options. */
  setSecureContext(options: TlsServerOptions): void {
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'object', options);
    this._contexts = createSecureContext(options);
    this._tlsOptions = { ...this._tlsOptions, ...options };
  }
}

export function createServer(
  options?: TlsServerOptions | ((socket: TLSSocket) => void),
  listener?: (socket: TLSSocket) => void,
): Server {
  return new Server(options, listener);
}
