// The seam between TypeScript and the addon: exactly what native/addon.cc exports.
// TypeScript reaches the addon only through these types (see lib/binding.ts).

import type { PeerCertificate as NodePeerCertificate } from 'node:tls';

/**
 * An X509 certificate as the addon makes it: node:tls's PeerCertificate shape
 * (subject, issuer, raw, fingerprints, key fields, ...), so the public types are
 * node's (lib/types.ts). Only with detailed=true: `issuerCertificate`, the next
 * certificate up the chain; a self-signed root points at itself.
 */
export interface NativeCertificate extends NodePeerCertificate {
  issuerCertificate?: NativeCertificate;
}

/** An OpenSSL error made into a JS Error in native/errors.cc, with Node's properties. */
export interface NativeError extends Error {
  code: string;
  library?: string;
  reason?: string;
  opensslErrorStack?: string[];
}

export interface NativeCipher {
  name: string;
  standardName: string;
  version: string;
}

export interface NativeEphemeralKeyInfo {
  type?: 'DH' | 'ECDH';
  name?: string;
  size?: number;
}

/** Bits of CycleResult.status. */
export interface NativeStatusBits {
  /** The handshake completed during this call (once per handshake, renegotiations included). */
  HANDSHAKE_DONE: number;
  /** A handshake started on a connection that had already finished one (TLS 1.2 renegotiation). */
  RENEGOTIATION_STARTED: number;
  /** close_notify arrived from the peer: no more cleartext will come. */
  PEER_CLOSED: number;
  /** OpenSSL failed; `error` says why. The connection is dead. */
  ERROR: number;
  /** The handshake stopped for an answer from JS (see `pause`). */
  PAUSED: number;
  /** Our close_notify has been written (it is in `encrypted`). */
  SHUTDOWN_SENT: number;
  // The native transport's events (NativeLinkConnection.onresult, TcpListener.onconnection):
  /** The peer sent FIN. */
  TRANSPORT_END: number;
  /** A read or write on the socket failed (`transportError`, node's shape: 'read ECONNRESET'). */
  TRANSPORT_ERROR: number;
  /** Every write queued in libuv has reached the kernel. */
  WRITES_DONE: number;
  /** Our FIN went out after close_notify (shutdown()). */
  SHUTDOWN_DONE: number;
  /** The handshake did not finish within the listener's handshake timeout. */
  HANDSHAKE_TIMEOUT: number;
  /** This call's encrypted output waits in libuv's write queue (WRITES_DONE follows). */
  WRITE_QUEUED: number;
  /** This result's encrypted output waits until JS has seen it (flushOutput()): new sessions,
   *  a client's finished handshake, a server refusing its client's certificate. */
  OUTPUT_HELD: number;
  /** Cleartext written earlier is still queued inside (OpenSSL could not take it yet). */
  WRITE_PENDING: number;
  /** relay(): the other end of the pair will write no more (it shut down or closed). */
  RELAY_END: number;
}

/** What one native call on a Connection produced. */
export interface CycleResult {
  status: number;
  /** Decrypted application data, if any. */
  cleartext?: Buffer;
  /** Decrypted application data of more than one record, a Buffer per record (node:tls emits a chunk per record); `cleartext` is then absent. */
  records?: Buffer[];
  /** Bytes to hand to the transport, if any. */
  encrypted?: Buffer;
  /** Set when status has ERROR. */
  error?: NativeError;
  /** Set when status has PAUSED: what the handshake waits for (answer with resume()). */
  pause?: NativePause;
  /** Sessions OpenSSL made during this call (reportSessions). */
  sessions?: Array<{ id: Buffer; data: Buffer }>;
  /** NSS key log lines, each ending in a newline (reportKeylog). */
  keylog?: Buffer[];
  /** TLS 1.2 renegotiations the peer started during this call (not our own renegotiate()). */
  peerRenegotiations?: number;
  /** Client with requestOCSP: what the server stapled (null: nothing), once, before HANDSHAKE_DONE is reported. */
  ocspResponse?: Buffer | null;
  /** Server: TLS 1.3 early data (0-RTT) read during this call, before the handshake finished. */
  earlyData?: Buffer;
  /** Native transport, status TRANSPORT_ERROR: the failed socket call. */
  transportError?: Error & { errno: number; code: string; syscall: string };
}

/** The handshake stopped at the ClientHello (SNI, ALPN, session lookup). */
export interface NativeClientHelloPause {
  kind: 'clientHello';
  servername: string;
  sessionId: Buffer;
  /** The ClientHello carries a (non-empty) TLS 1.2 session ticket. */
  tlsTicket: boolean;
  /** The client's ALPN list, wire format (empty when it sent none). */
  alpn: Buffer;
}

/** The handshake stopped when the server's certificate was chosen (OCSP stapling). */
export interface NativeCertificatePause {
  kind: 'certificate';
  servername: string;
  certificate: Buffer | null;
  issuer: Buffer | null;
}

export type NativePause = NativeClientHelloPause | NativeCertificatePause;

/** JS's answer to a pause. */
export interface NativeResumeAnswer {
  /** clientHello: switch to this context (SNI). */
  context?: NativeSecureContext;
  /** clientHello: the session found for the client's session id; resumes if valid. */
  session?: Buffer | null;
  /** clientHello: the ALPNCallback's choice (one protocol of the client's list, its bytes),
   *  or false to refuse with a fatal no_application_protocol alert. */
  alpn?: Buffer | false;
  /** certificate: the OCSP response to staple (none: nothing is stapled). */
  ocspResponse?: Buffer;
}

export interface NativeSecureContext {
  /** Version bounds as TLS1_x_VERSION numbers; 0 means the library's lowest/highest. */
  setProtoVersions(min: number, max: number): void;
  setOptions(options: bigint): void;
  /** Private key in PEM; passphrase for an encrypted key. */
  setKey(key: Buffer | string, passphrase?: string): void;
  /** Certificate chain in PEM: the first is ours, the rest its chain. */
  setCert(cert: Buffer | string): void;
  /** One or more PEM CA certificates to trust (replaces the default store on first use). */
  addCACert(ca: Buffer | string): void;
  /** Trust the system OpenSSL's default verify paths. */
  addRootCerts(): void;
  /** allowPartialTrustChain: intermediate CAs in the store are trust anchors (X509_V_FLAG_PARTIAL_CHAIN). */
  setAllowPartialTrustChain(): void;
  addCRL(crl: Buffer | string): void;
  /** PKCS#12: key, certificate and its CA certificates. */
  loadPKCS12(pfx: Buffer, passphrase?: string | Buffer): void;
  /** TLS 1.2 cipher list (OpenSSL format). */
  setCiphers(ciphers: string): void;
  /** TLS 1.3 cipher suites. */
  setCipherSuites(suites: string): void;
  /** Colon-separated groups, or 'auto' for OpenSSL's default list. */
  setECDHCurve(curve: string): void;
  /** DH parameters in PEM, or 'auto' for OpenSSL's built-in choice. Returns the DH size in bits. */
  setDHParam(dh: Buffer | string): number;
  setSigalgs(sigalgs: string): void;
  setSessionIdContext(context: Buffer): void;
  setSessionTimeout(seconds: number): void;
  /** 48 bytes per key: name (16), HMAC key (16), AES key (16). The first key
   *  issues tickets; any later ones are still accepted (a rotation's previous keys). */
  setTicketKeys(keys: Buffer): void;
  /** Every key, 48 bytes each, the issuing one first. */
  getTicketKeys(): Buffer;
  /** Build each certificate's chain from the trust store now, once, instead of at every handshake. */
  buildChains(): void;
  /** Our own certificate, DER, or null when none is set. */
  getCertificateDer(): Buffer | null;
  /** SSL_CONF commands ([name, value], openssl.cnf names) in order; a refused one throws
   *  OpenSSL's error with `command` and `value` set. */
  applyConfig(commands: Array<[string, string]>): void;
  /** Release the SSL_CTX now (also done by the finalizer). */
  close(): void;
  /**
   * privateKeyEngine + privateKeyIdentifier: the private key `identifier` (a PKCS#11 URI
   * for the pkcs11 engine) from the OpenSSL ENGINE `engine` (an id, or the path of its
   * shared library), initialised and held by this context; `passphrase` answers the
   * engine's PIN prompt (never the terminal). Throws OpenSSL's reasons, else node's
   * ERR_CRYPTO_ENGINE_UNKNOWN / ERR_CRYPTO_OPERATION_FAILED ("Failure to initialize engine");
   * ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED when the OpenSSL has no ENGINE support.
   */
  setEngineKey(identifier: string, engine: string, passphrase?: string): void;
  /** privateKeyUri: the first private key at `uri` through OSSL_STORE (pkcs11:, file:, a
   *  provider's scheme), its PIN or passphrase prompt answered with `passphrase`. Throws
   *  OpenSSL's reasons, or ERR_CRYPTO_OPERATION_FAILED when the store holds no private key. */
  setKeyFromUri(uri: string, passphrase?: string): void;
  /** clientCertEngine (SSL_CTX_set_client_cert_engine); once per context (ERR_INVALID_STATE). */
  setClientCertEngine(engine: string): void;
}

/** A client's PSK: at most 512 bytes of key, an identity of at most 256 bytes (UTF-8). */
export interface NativePskClientAnswer {
  psk: Buffer;
  identity: string;
}

export interface NativeConnectionOptions {
  isServer: boolean;
  /** Server: ask for a client certificate. */
  requestCert?: boolean;
  /** Server with requestCert: fail the handshake when the client sends none. */
  rejectUnauthorized?: boolean;
  /** Client: the SNI host name to send. */
  servername?: string;
  /** Client: a serialized session (i2d_SSL_SESSION) to resume. */
  session?: Buffer;
  /** Server: stop at the ClientHello for JS (SNICallback, resumeSession, ALPNCallback). */
  pauseOnClientHello?: boolean;
  /** Server: stop once the certificate is chosen (OCSPRequest). */
  pauseOnCertificate?: boolean;
  /** Report sessions as OpenSSL makes them (newSession, 'session'). */
  reportSessions?: boolean;
  /** Report NSS key log lines ('keylog'). */
  reportKeylog?: boolean;
  /** ALPN, wire format (validated by lib/alpn.ts). Client: offered; server: chosen from,
   *  our order first, no overlap a fatal no_application_protocol alert. */
  alpnProtocols?: Buffer;
  /** NPN (TLS 1.2), wire format. Server: advertised; client: selected from.
   *  Throws ERR_TLS_NPN_UNSUPPORTED when the system OpenSSL has no NPN (features.npn). */
  npnProtocols?: Buffer;
  /** Client: ask for the server's OCSP response (CycleResult.ocspResponse reports it). */
  requestOCSP?: boolean;
  /**
   * PSK (TLS 1.2 PSK suites; TLS 1.3 through OpenSSL's compatibility mode). Called
   * synchronously from inside OpenSSL, the one exception to "no JS inside OpenSSL":
   * server: (identity) => key or null; client: (hint, null in TLS 1.3) => answer or null.
   * A throw fails the handshake with what was thrown; destroy() meanwhile is deferred,
   * and other calls on this connection throw ERR_INVALID_STATE until it returns.
   */
  pskCallback?: (hintOrIdentity: string | null) => Buffer | NativePskClientAnswer | null | undefined;
  /** Server: TLS 1.3 early data accepted from a resuming client, bytes (0 or absent: none). */
  maxEarlyData?: number;
  /** Client: sent as early data with `session` when its ticket allows that much. */
  earlyData?: Buffer;
  /** Server: the PSK identity hint (TLS 1.2); longer than 256 bytes fails the connection
   *  with ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED. */
  pskIdentityHint?: string;
}

export interface NativeConnection {
  /** Begin the handshake (a client produces its ClientHello). */
  start(): CycleResult;
  /** One chunk of encrypted bytes from the transport. */
  receive(data: Buffer): CycleResult;
  /**
   * Encrypt cleartext: Buffers, and strings the addon encodes (UTF-8 when `utf8`, else
   * latin1). What OpenSSL cannot take yet (handshake or renegotiation under way) is
   * queued inside and retried on every later call; WRITE_PENDING says so. On the
   * native transport, a result that is only its status is that number.
   */
  write(utf8: boolean, ...chunks: (Buffer | string)[]): CycleResult | number;
  /** Send close_notify. */
  shutdown(): CycleResult;
  /** Continue a handshake that stopped with PAUSED, with JS's answer. */
  resume(answer: NativeResumeAnswer): CycleResult;
  /**
   * Server (offloadHandshake): as receive(), but a handshake step runs on the thread
   * pool and its result comes to `done` later; answers undefined then, or the result
   * at once when no handshake step is due. While a step is in flight every other
   * method throws ERR_INVALID_STATE, except destroy() (deferred until it is back).
   */
  receiveAsync(data: Buffer, done: (result: CycleResult) => void): CycleResult | undefined;
  /** As resume(), with the next handshake step on the thread pool (see receiveAsync). */
  resumeAsync(answer: NativeResumeAnswer, done: (result: CycleResult) => void): CycleResult | undefined;
  /**
   * Start a TLS 1.2 renegotiation (HelloRequest from a server, ClientHello from a client).
   * Server: requestCert (with rejectUnauthorized) changes the verify mode first, and the
   * client is asked for a full handshake so it sends its certificate. Throws the OpenSSL
   * error on TLS 1.3 (ERR_SSL_WRONG_SSL_VERSION), ERR_TLS_RENEGOTIATE before the handshake.
   * HANDSHAKE_DONE in a later result says it completed.
   */
  renegotiate(options: { requestCert?: boolean; rejectUnauthorized?: boolean }): CycleResult;
  /** Free the SSL now; later calls throw. Safe to call more than once. */
  destroy(): void;

  isHandshakeDone(): boolean;
  /** [OpenSSL verify code name, message] or null when verification passed. */
  verifyError(): [string, string] | null;
  getPeerCertificate(detailed: boolean): NativeCertificate | null;
  getCertificate(): NativeCertificate | null;
  getPeerCertificateDer(): Buffer | null;
  getCertificateDer(): Buffer | null;
  getCipher(): NativeCipher | null;
  getProtocol(): string | null;
  getEphemeralKeyInfo(): NativeEphemeralKeyInfo;
  getFinished(): Buffer | undefined;
  getPeerFinished(): Buffer | undefined;
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer;
  setMaxSendFragment(size: number): boolean;
  getServername(): string | null;
  /** Client: the SNI name to send (before the handshake starts). */
  setServername(name: string): void;
  /** Client: a serialized session to resume (bytes that are no session are ignored, as in node:tls). */
  setSession(session: Buffer): void;
  /** Server: answer with this context's certificate, key and chain (a client's call does nothing). */
  setKeyCert(context: NativeSecureContext): void;
  /** The certificates the peer sent, its own first (DER); [] when it sent none. */
  getPeerCertificateChainDer(): Buffer[];
  getSession(): Buffer | undefined;
  isSessionReused(): boolean;
  /** TLS 1.3 early data was sent and the server accepted it (either side); false otherwise. */
  isEarlyDataAccepted(): boolean;
  /** Client: the ticket of the current session, if it has one. */
  getTLSTicket(): Buffer | undefined;
  /** Turn reporting of new sessions (CycleResult.sessions) on or off for later calls. */
  setReportSessions(on: boolean): void;
  /** The negotiated ALPN protocol, false when none. */
  getALPNProtocol(): string | false;
  /** The negotiated NPN protocol, false when none (a client also when none of its protocols was advertised). */
  getNPNProtocol(): string | false;
  /** Report NSS key log lines from now on (a client's 'keylog' listener comes after connect()). */
  setReportKeylog(on: boolean): void;
  /** OpenSSL's protocol trace (SSL_trace) on stderr. Throws ERR_TLS_TRACE_UNSUPPORTED without it. */
  enableTrace(): void;
  /** Shared signature algorithms, node:tls's names ('ECDSA+SHA256', 'RSA-PSS+SHA256', 'Ed25519+UNDEF'). */
  getSharedSigalgs(): string[];

  /**
   * A client's native transport: a duplicate of `fd`, a socket node connected (TCP,
   * or a Unix domain socket when `pipe`), becomes this connection's socket (node's
   * own then closes). Results from then on come through `onresult`. Throws the uv
   * error (syscall 'open') when it cannot.
   */
  attachSocket(fd: number, pipe: boolean): void;

  // ---- The native transport only (a Connection made by a TcpListener, or one
  // given attachSocket()). Its results carry no `encrypted`: the bytes went to the socket. ----
  /**
   * What the socket brought, or a transport event; set by JS. A result that is only a
   * status and perhaps cleartext comes as (status, cleartext), no object.
   */
  onresult?: (result: CycleResult | number, cleartext?: Buffer) => void;
  /** No-ops once relay() has been called: the relay starts and stops reading. */
  readStart(): void;
  readStop(): void;
  /**
   * From now on the cleartext goes over a Unix socketpair instead of to `onresult`:
   * what the socket brings is decrypted into one end, what that end reads is encrypted
   * and sent (backpressure both ways; the peer's end shuts the pair's writing down;
   * the other end's EOF comes as RELAY_END). `chunks` (cleartext already received and
   * not consumed) go first. `fd`: the relay's end of a pair made by binding.socketPair()
   * (the connection's from this call on, closed if it throws; returns undefined), or
   * null for a new pair, whose other end's descriptor is returned (the caller's to own).
   * Throws ERR_INVALID_STATE before the handshake is done or when relayed already.
   */
  relay(fd: number, ...chunks: Buffer[]): undefined;
  relay(fd: null, ...chunks: Buffer[]): number;
  /** newSession: hold encrypted output back until as many releaseOutput() calls. */
  holdOutput(): void;
  releaseOutput(): void;
  /** Sends the output of a result that reported sessions, once JS has seen them (and maybe held it). */
  flushOutput(): void;
  /** The socket's peer (true) or local (false) address; undefined once closed. */
  address(peer: boolean): { address: string; family: 'IPv4' | 'IPv6'; port: number } | undefined;
  setNoDelay(on: boolean): number;
  setKeepAlive(on: boolean, delaySeconds: number): number;
  ref(): void;
  unref(): void;
  /** When the socket was accepted or taken over: ms on the monotonic clock process.hrtime reads (undefined without one). */
  startedAt(): number | undefined;
  /** [encrypted bytes read, encrypted bytes written] on the socket. */
  bytes(): [number, number];
}

/** Per-connection settings of a TcpListener, decided as each connection is accepted. */
export interface NativeListenerOptions {
  pauseOnClientHello: boolean;
  pauseOnCertificate: boolean;
  reportSessions: boolean;
  reportKeylog: boolean;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  alpnProtocols?: Buffer;
  npnProtocols?: Buffer;
  /** TLS 1.3 early data accepted, bytes (0: none). */
  maxEarlyData?: number;
  /** 'connection' listeners want raw sockets: each accepted socket goes to `onraw` as a descriptor. */
  rawConnections: boolean;
  /** net.Server's options for each accepted socket (keepAliveInitialDelay in seconds). */
  noDelay: boolean;
  keepAlive: boolean;
  keepAliveInitialDelay: number;
  /** Handshake steps on libuv's thread pool until JS first hears of the connection. */
  offloadHandshake: boolean;
}

/**
 * A server's listening socket on the native transport, over a duplicate of the
 * descriptor net.Server bound; as net.Server's `_handle` it answers close(),
 * getsockname(), ref(), unref() and fd.
 */
export interface NativeTcpListener {
  readonly fd: number;
  setContext(context: NativeSecureContext): void;
  setOptions(options: NativeListenerOptions): void;
  /** 0: none. */
  setHandshakeTimeout(ms: number): void;
  /** server.maxConnections (-1: none) and the connections JS holds now. */
  setLimit(max: number, jsConnections: number): void;
  /** Set by JS: an accepted socket's descriptor (a copy) when rawConnections is on. */
  onraw?: (fd: number) => void;
  /** Set by JS: a connection closed at once for maxConnections (node's 'drop' data). */
  ondrop?: (info: Record<string, string | number>) => void;
  close(callback?: () => void): void;
  getsockname(out: Record<string, unknown>): number;
  ref(): void;
  unref(): void;
  /** Connections accepted whose handshake JS has not heard of yet. */
  pending(): number;
  /** Closes those connections (no event: JS never heard of them). */
  closePending(): void;
}

export interface NativeBinding {
  versions: { openssl: string; opensslNumber: number; opensslHeaders: string };
  /** OPENSSLDIR of the OpenSSL this addon runs on. */
  opensslDir: string;
  status: NativeStatusBits;
  /** TLS1_x_VERSION numbers by Node's names ('TLSv1', ... 'TLSv1.3'). */
  protocolVersions: Record<string, number>;
  /** SSL_OP_* numbers this OpenSSL defines. */
  sslOptions: Record<string, bigint>;
  SecureContext: new () => NativeSecureContext;
  Connection: new (context: NativeSecureContext, options: NativeConnectionOptions) => NativeConnection;
  /** (fd of a listening TCP socket, backlog, onconnection(connection, its first result)) */
  TcpListener: new (
    fd: number,
    backlog: number,
    onconnection: (connection: NativeConnection, result: CycleResult) => void,
  ) => NativeTcpListener;
  /** Every cipher name the system OpenSSL offers (TLS 1.2 and 1.3), OpenSSL spelling. */
  getCiphers(): string[];
  /** The default trust store's certificates as PEM strings. */
  getRootCertificates(): string[];
  /** Node's certificate object for DER bytes (no chain). */
  certificateToObject(der: Buffer): NativeCertificate;
  /**
   * True only when tls.checkServerIdentity(host, <this certificate>) certainly returns
   * undefined, decided from its DNS names without a certificate object; false means
   * "no match or unsure" (IP hosts, CN fallback, unusual names): ask checkServerIdentity.
   */
  certificateNamesHost(der: Buffer, host: string): boolean;
  /** The ticket a serialized session (i2d_SSL_SESSION) carries; undefined when none (or not a session). */
  sessionTicket(session: Buffer): Buffer | undefined;
  /** Optional features of the system OpenSSL. */
  features: {
    npn: boolean;
    sslTrace: boolean;
    ocsp: boolean;
    engine: boolean;
    /** Linked with a static copy of the system's libssl.a/libcrypto.a (the ASan build), not libssl.so.3. */
    staticOpenSSL: boolean;
  };
  /** Entries that were on this thread's OpenSSL error queue (and empties it); always 0 between calls. */
  errorQueueLength(): number;
  /** Handshake steps run on libuv's thread pool so far in this process (offloadHandshake). */
  poolHandshakeSteps(): number;
  /** The system configuration's TLS defaults (openssl.cnf's ssl_conf system_default section). */
  systemDefaults(): NativeSystemDefaults;
  /** The TLS 1.2 (and older) cipher names an OpenSSL cipher string selects; throws OpenSSL's error. */
  cipherNames(ciphers: string): string[];
  /** crypto.setEngine's native half: the engine (id or path) becomes the default for the
   *  ENGINE_METHOD_* `flags`; false when OpenSSL refuses; throws as setEngineKey for a missing one. */
  setEngine(id: string, flags: number): boolean;
  /** The providers loaded in the default library context (openssl.cnf's, the default one). */
  providers(): Array<{ name: string; version: string; buildinfo: string }>;
  /** A Unix socketpair (both ends close-on-exec): one end for a Connection's relay(fd), one for a net.Socket. */
  socketPair(): [number, number];
}

/** native/core/system_config.h: what openssl.cnf sets for every SSL_CTX. */
export interface NativeSystemDefaults {
  /** The file OpenSSL reads (OPENSSL_CONF, or OPENSSLDIR/openssl.cnf). */
  configFile: string;
  /** The section ssl_conf names system_default; null: none. */
  section: string | null;
  /** Its SSL_CONF commands in file order, [name, value]. */
  commands: Array<[string, string]>;
  /** A fresh SSL_CTX's bounds (TLS1_x_VERSION; 0: none), security level and options. */
  minVersion: number;
  maxVersion: number;
  securityLevel: number;
  options: bigint;
  /** A fresh SSL_CTX's TLS 1.2 ciphers and TLS 1.3 suites, in order. */
  ciphers: string[];
  ciphersuites: string[];
}
