// Server: a net.Server whose connections become TLSSockets.
import * as net from 'node:net';
import { invalidArgType } from './errors';
import { createSecureContext, SecureContext, type SecureContextOptions } from './secure_context';
import { SniContexts, type SNICallback } from './sni';
import { clusterTicketKeys } from './cluster_keys';
import { defaultSessionIdContext, newSessionReport, resumeSessionStep, ticketKeyRing } from './session';
import { TLSSocket, type ServerHooks } from './tls_socket';
import { validateServerPskOptions, type ServerPskOptions } from './psk';
import { toWireProtocols, validateServerProtocolOptions, type ProtocolOptions } from './alpn';
import { ocspRequestStep } from './ocsp';

export interface TlsServerOptions extends SecureContextOptions, ServerPskOptions, ProtocolOptions {
  /** OpenSSL's protocol trace of every connection, on stderr. */
  enableTrace?: boolean;
  handshakeTimeout?: number;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  secureContext?: SecureContext;
  SNICallback?: SNICallback;
  /**
   * Run the expensive handshake steps on the libuv thread pool, so the main thread
   * serves other sockets meanwhile (not for pskCallback servers). Default: see
   * kDefaultOffloadHandshake; env OPENSSL_TLS_OFFLOAD=1 or 0 overrides both.
   */
  offloadHandshake?: boolean;
}

// Measured with `npm run bench` (docs/benchmarks.md, "one process, 2 cores").
const kDefaultOffloadHandshake = false;

function offloadHandshakeOption(value: unknown): boolean {
  const forced = process.env.OPENSSL_TLS_OFFLOAD;
  if (forced === '1') return true;
  if (forced === '0') return false;
  if (value === undefined) return kDefaultOffloadHandshake;
  if (typeof value !== 'boolean') throw invalidArgType('options.offloadHandshake', 'boolean', value);
  return value;
}

const kDefaultHandshakeTimeout = 120 * 1000;

/** node:tls's defaults for a server's own context (the session id context: lib/session.ts). */
function withSessionDefaults(options: TlsServerOptions): TlsServerOptions {
  // node:tls servers also prefer their own cipher (and signature algorithm) order unless told otherwise.
  if (options.honorCipherOrder === undefined) options = { ...options, honorCipherOrder: true };
  return options.sessionIdContext ? options : { ...options, sessionIdContext: defaultSessionIdContext() };
}


export class Server extends net.Server {
  _contexts: SecureContext;
  /** The ALPNProtocols option in wire format, as node:tls keeps it. */
  ALPNProtocols: Buffer | undefined;
  _tlsOptions: TlsServerOptions;
  #handshakeTimeout: number;
  #offloadHandshake: boolean;
  #allowHalfOpen: boolean;
  readonly #hooks: ServerHooks;
  readonly #sniContexts = new SniContexts();
  // Cluster ticket keys (lib/cluster_keys.ts): listen() waits for them.
  #keysWait: Promise<void> | null = null;
  #clusterKey: Buffer | null = null;
  #ownTicketKeys = false;

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
    validateServerPskOptions(opts);
    validateServerProtocolOptions(opts);
    this.ALPNProtocols = toWireProtocols(opts.ALPNProtocols, 'options.ALPNProtocols');
    const timeout = opts.handshakeTimeout ?? kDefaultHandshakeTimeout;
    if (typeof timeout !== 'number') throw invalidArgType('options.handshakeTimeout', 'number', timeout);
    this.#handshakeTimeout = timeout;
    this.#offloadHandshake = offloadHandshakeOption(opts.offloadHandshake);
    this._contexts = opts.secureContext ?? createSecureContext(withSessionDefaults(opts));
    this.#ownTicketKeys = opts.ticketKeys != null || opts.secureContext !== undefined;
    const shared = this.#ownTicketKeys ? null : clusterTicketKeys();
    if (shared !== null) {
      this.#keysWait = shared.then((keys) => {
        this.#keysWait = null;
        this.#clusterKey = keys;
        if (keys !== null && !this.#ownTicketKeys) this._contexts.context.setTicketKeys(keys);
      });
    }
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
    const newSession = this.listenerCount('newSession') > 0;
    const resumeSession = this.listenerCount('resumeSession') > 0;
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
        pskCallback: o.pskCallback,
        pskIdentityHint: o.pskIdentityHint,
        ALPNProtocols: this.ALPNProtocols,
        ALPNCallback: o.ALPNCallback,
        NPNProtocols: o.NPNProtocols,
        enableTrace: Boolean(o.enableTrace),
      },
      {
        hooks: this.#hooks,
        clientHelloSteps: resumeSession ? [resumeSessionStep(this, () => socket._guard)] : [],
        // OCSPRequest: the handshake stops only if the client asks for a status too.
        certificateSteps: this.listenerCount('OCSPRequest') > 0 ? [ocspRequestStep(this, () => socket._guard)] : [],
        reportSessions: newSession,
        sessionReport: newSession ? (s) => newSessionReport(this, s) : undefined,
        reportKeylog: this.listenerCount('keylog') > 0,
        offloadHandshake: this.#offloadHandshake,
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
    this._contexts = createSecureContext(withSessionDefaults(options));
    this._tlsOptions = { ...this._tlsOptions, ...options };
    // As in node:tls the new context has new keys, unless given; the cluster's stay shared.
    this.#ownTicketKeys = options.ticketKeys != null;
    if (!this.#ownTicketKeys && this.#clusterKey !== null) this._contexts.context.setTicketKeys(this.#clusterKey);
  }

  /** The key that issues session tickets: 48 bytes (name, HMAC key, AES key). */
  getTicketKeys(): Buffer {
    return this._contexts.context.getTicketKeys().subarray(0, 48);
  }

  /**
   * Keys for new connections: 48 bytes, or an array of 48-byte keys of which
   * the first issues tickets and all are accepted (rotation; see docs/sessions.md).
   */
  setTicketKeys(keys: Buffer | NodeJS.ArrayBufferView | Array<Buffer | NodeJS.ArrayBufferView>): void {
    this._contexts.context.setTicketKeys(ticketKeyRing(keys, 'keys'));
    this.#ownTicketKeys = true;
  }

  /** In a cluster worker, listening waits until the shared ticket keys are in (lib/cluster_keys.ts). */
  override listen(...args: unknown[]): this {
    const listen = net.Server.prototype.listen as (...a: unknown[]) => unknown;
    const wait = this.#keysWait;
    if (wait === null) {
      listen.apply(this, args);
      return this;
    }
    void wait.then(() => {
      try {
        listen.apply(this, args);
      } catch (err) {
        this.emit('error', err);
      }
    });
    return this;
  }
}

export function createServer(
  options?: TlsServerOptions | ((socket: TLSSocket) => void),
  listener?: (socket: TLSSocket) => void,
): Server {
  return new Server(options, listener);
}
