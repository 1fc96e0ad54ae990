// Server: a net.Server whose connections become TLSSockets.
import * as net from 'node:net';
import { invalidArgType } from './errors';
import { createSecureContext, SecureContext, type SecureContextOptions } from './secure_context';
import { SniContexts, type SNICallback } from './sni';
import { TLSSocket, type ServerHooks } from './tls_socket';

export interface TlsServerOptions extends SecureContextOptions {
  handshakeTimeout?: number;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  secureContext?: SecureContext;
  SNICallback?: SNICallback;
}

const kDefaultHandshakeTimeout = 120 * 1000;


export class Server extends net.Server {
  _contexts: SecureContext;
  _tlsOptions: TlsServerOptions;
  #handshakeTimeout: number;
  #allowHalfOpen: boolean;
  readonly #hooks: ServerHooks;
  readonly #sniContexts = new SniContexts();

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
    if (opts.SNICallback !== undefined && typeof opts.SNICallback !== 'function') {
      throw invalidArgType('options.SNICallback', 'function', opts.SNICallback);
    }
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
      onKeylog: (line, socket) => this.emit('keylog', line, socket),
    };
    if (listener !== undefined) this.on('secureConnection', listener);
    this.on('connection', (raw: net.Socket) => this.#wrap(raw));
  }

  #wrap(raw: net.Socket): void {
    const o = this._tlsOptions;
    // Decided now: a listener added later affects only later connections.
    const sni = o.SNICallback ?? (this.#sniContexts.size > 0 ? this.#sniContexts.callback : undefined);
    const socket = new TLSSocket(
      raw,
      {
        isServer: true,
        server: this,
        secureContext: this._contexts,
        requestCert: o.requestCert === true,
        rejectUnauthorized: o.rejectUnauthorized !== false,
        allowHalfOpen: this.#allowHalfOpen,
        SNICallback: sni,
      },
      {
        hooks: this.#hooks,
        clientHelloSteps: [],
        certificateSteps: [],
        reportSessions: false,
        reportKeylog: this.listenerCount('keylog') > 0,
      },
    );
    socket._armHandshakeTimeout(this.#handshakeTimeout);
  }

  /** Serve `hostname` (wildcards: '*.example.com') with this context; later additions win. */
  addContext(hostname: string, context: SecureContext | SecureContextOptions): void {
    this.#sniContexts.add(hostname, context);
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
