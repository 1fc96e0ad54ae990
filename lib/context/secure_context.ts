// createSecureContext(options) and the SecureContext class, in node:tls's shape:
// every option is validated here with node's codes and messages, then applied
// to the native SSL_CTX (native/secure_context.cc), so a bad value fails at
// createSecureContext and not at the first connection.
import { binding } from '../internal/binding';
import { callableClass } from '../internal/callable';
import { defaults } from './defaults';
import { defaultCipherString, defaultMaxVersion, defaultMinVersion } from './system_policy';
import {
  codedError,
  cryptoOperationFailed,
  customEngineNotSupported,
  invalidArgType,
  invalidArgValue,
  tlsInvalidProtocolMethod,
  tlsInvalidProtocolVersion,
  tlsProtocolVersionConflict,
} from '../internal/errors';
import {
  isArrayBufferView,
  validateInt32,
  validateInteger,
  validateObject,
  validateString,
} from '../internal/validators';
import { applyOpenSSLConfig, type OpenSSLConfig } from './openssl_config';
import { ticketKeyRing } from './ticket_keys';
import { addCACertificates, addDefaultRoots } from './trust';
import type { NativeError, NativeSecureContext } from '../../typings/native';

export { getCiphers, getRootCertificates, rootCertificates } from './ciphers';

type Bytes = string | Buffer | NodeJS.ArrayBufferView;

export interface KeyObject {
  pem: Bytes;
  passphrase?: string;
}

export interface PxfObject {
  buf: Bytes;
  passphrase?: string | Buffer;
}

export type SecureVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

export interface SecureContextOptions {
  ca?: Bytes | Bytes[];
  cert?: Bytes | Bytes[];
  key?: Bytes | Array<Bytes | KeyObject>;
  passphrase?: string;
  pfx?: Bytes | Array<Bytes | PxfObject>;
  crl?: Bytes | Bytes[];
  /** Trust a chain that ends at any CA of the store, not only at a root (node:tls's option). */
  allowPartialTrustChain?: boolean;
  /** OpenSSL cipher string; entries starting with TLS_ are TLS 1.3 suites. */
  ciphers?: string;
  /** TLS 1.3 suites; when given, they replace the TLS_ entries of `ciphers`. */
  ciphersuites?: string;
  /** Colon-separated groups, 'auto', or false to leave ECDHE out of TLS 1.2. */
  ecdhCurve?: string | false;
  /** DH parameters (PEM), or 'auto'. */
  dhparam?: Bytes;
  honorCipherOrder?: boolean;
  secureProtocol?: string;
  secureOptions?: number;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  sigalgs?: string;
  sessionIdContext?: string;
  sessionTimeout?: number;
  /** 48 bytes; or an array of 48-byte keys, the first issuing tickets, all accepted (rotation). */
  ticketKeys?: Buffer | NodeJS.ArrayBufferView | Array<Buffer | NodeJS.ArrayBufferView>;
  /**
   * A private key held by an OpenSSL ENGINE (node's names): the key's identifier
   * (for the pkcs11 engine a PKCS#11 URI) and the engine's id or the path of its
   * shared library. `passphrase` answers the engine's PIN prompt.
   */
  privateKeyIdentifier?: string;
  privateKeyEngine?: string;
  /** The ENGINE that supplies a client's certificate (SSL_CTX_set_client_cert_engine). */
  clientCertEngine?: string;
  /**
   * Beyond node:tls: the private key at this URI, through OpenSSL 3's OSSL_STORE and
   * the providers openssl.cnf loads ('pkcs11:...' with a PKCS#11 provider, a TPM key
   * file or 'handle:0x81000001' with tpm2-openssl, 'file:/path/key.pem'). The key stays
   * in its provider. `passphrase` answers its PIN or passphrase prompt. Instead of `key`.
   */
  privateKeyUri?: string;
  /**
   * Beyond node:tls: OpenSSL's SSL_CONF commands by their openssl.cnf names
   * ({ Groups: 'X25519', Options: '-SessionTicket', ... }), applied last, so they
   * override the options above. A refused command throws OpenSSL's error naming it.
   */
  opensslConfig?: OpenSSLConfig;
}

const TLS1 = binding.protocolVersions['TLSv1'];
const TLS1_1 = binding.protocolVersions['TLSv1.1'];
const TLS1_2 = binding.protocolVersions['TLSv1.2'];
const TLS1_3 = binding.protocolVersions['TLSv1.3'];

/** The version bounds each native context was given; 0 = OpenSSL's lowest. */
const versionBounds = new WeakMap<NativeSecureContext, { min: number; max: number }>();

function toVersion(which: 'minimum' | 'maximum', value: unknown, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'string' && Object.hasOwn(binding.protocolVersions, v)) return binding.protocolVersions[v];
  throw tlsInvalidProtocolVersion(v, which);
}

/** secureProtocol -> [min, max], as node's method names mean them. */
function methodVersions(method: string, defaultMin: number): [number, number] {
  if (/^SSLv2_(server_|client_)?method$/.test(method)) {
    throw tlsInvalidProtocolMethod('SSLv2 methods disabled: SSLv2 is insecure and not supported');
  }
  if (/^SSLv3_(server_|client_)?method$/.test(method)) {
    throw tlsInvalidProtocolMethod('SSLv3 methods disabled: SSLv3 is insecure (POODLE) and not supported');
  }
  const match = /^(SSLv23|TLS|TLSv1|TLSv1_1|TLSv1_2)_(server_|client_)?method$/.exec(method);
  // The _server_/_client_ variants are accepted and act like the plain method:
  // the context may then serve both sides, where node's would refuse one.
  switch (match?.[1]) {
    case 'SSLv23':
      return [defaultMin, TLS1_2];
    case 'TLS':
      return [0, TLS1_3];
    case 'TLSv1':
      return [TLS1, TLS1];
    case 'TLSv1_1':
      return [TLS1_1, TLS1_1];
    case 'TLSv1_2':
      return [TLS1_2, TLS1_2];
    default:
      throw tlsInvalidProtocolMethod(`Unknown method: ${method}`);
  }
}

/**
 * node:tls's SecureContext: `.context` is the native context. The arguments are
 * node's (secureProtocol, secureOptions, minVersion, maxVersion); the other
 * options are applied by createSecureContext(). Exported as `SecureContext`,
 * callable without `new` as node's is.
 */
class TlsSecureContext {
  context: NativeSecureContext;

  constructor(secureProtocol?: unknown, secureOptions?: unknown, minVersion?: unknown, maxVersion?: unknown) {
    if (secureProtocol) {
      if (minVersion != null) throw tlsProtocolVersionConflict(minVersion, secureProtocol);
      if (maxVersion != null) throw tlsProtocolVersionConflict(maxVersion, secureProtocol);
    }
    let min = toVersion('minimum', minVersion, defaults.DEFAULT_MIN_VERSION);
    let max = toVersion('maximum', maxVersion, defaults.DEFAULT_MAX_VERSION);
    // Bounds not given: the stricter of node's defaults and the system's
    // openssl.cnf (lib/context/system_policy.ts).
    if (minVersion == null) min = defaultMinVersion(maxVersion != null ? max : undefined).value;
    if (maxVersion == null) max = defaultMaxVersion(minVersion != null ? min : undefined).value;
    if (typeof secureProtocol === 'string') [min, max] = methodVersions(secureProtocol, min);

    const context = new binding.SecureContext();
    context.setProtoVersions(min, max);
    versionBounds.set(context, { min, max });
    if (secureOptions) {
      validateInteger(secureOptions, 'secureOptions');
      context.setOptions(BigInt.asUintN(64, BigInt(secureOptions)));
    }
    this.context = context;
  }
}

export type SecureContext = TlsSecureContext;
export const SecureContext = callableClass(TlsSecureContext, 'SecureContext');

/** tls.createSecureContext(options). */
export function createSecureContext(options?: SecureContextOptions): SecureContext {
  const opts: unknown = options || {};
  validateObject(opts, 'options');
  const context = new SecureContext(opts.secureProtocol, opts.secureOptions, opts.minVersion, opts.maxVersion);
  // node ORs this into secureOptions as a 32-bit number; as a separate call the
  // high option bits survive.
  if (opts.honorCipherOrder) context.context.setOptions(binding.sslOptions.SSL_OP_CIPHER_SERVER_PREFERENCE);
  configureSecureContext(context, opts);
  return context;
}

// ---------------------------------------------------------------------------

function toBuffer(value: Bytes): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function validateKeyOrCert(name: string, value: unknown): asserts value is Bytes {
  if (typeof value !== 'string' && !isArrayBufferView(value)) {
    throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView'], value);
  }
}

/** value[key] for any value, without tripping over null or primitives. */
function field(value: unknown, key: string): unknown {
  return value !== null && value !== undefined ? (value as Record<string, unknown>)[key] : undefined;
}

function isOpenSSLError(error: unknown): error is NativeError {
  return error instanceof Error && typeof (error as Partial<NativeError>).reason === 'string';
}

/**
 * Applies every option but the four the SecureContext constructor takes (and
 * honorCipherOrder) to `context`, in node's order, except that the cipher list
 * goes first: it may carry @SECLEVEL, which decides whether the certificate,
 * key and DH parameters that follow are strong enough.
 */
export function configureSecureContext(
  secureContext: SecureContext,
  options: Record<string, unknown>,
  name = 'options',
): void {
  const context = secureContext.context;
  const bounds = versionBounds.get(context) ?? { min: TLS1_2, max: TLS1_3 };
  const {
    ca,
    cert,
    ciphers,
    ciphersuites,
    clientCertEngine,
    crl,
    dhparam,
    key,
    passphrase,
    pfx,
    privateKeyEngine,
    privateKeyIdentifier,
    privateKeyUri,
    sessionIdContext,
    sessionTimeout,
    sigalgs,
    ticketKeys,
    opensslConfig,
  } = options;
  const ecdhCurve = options.ecdhCurve === undefined ? defaults.DEFAULT_ECDH_CURVE : options.ecdhCurve;

  // Ciphers. As in node, the TLS_ entries of the list are TLS 1.3 suites and
  // the rest the TLS 1.2 list; a list with no TLS_ entries keeps OpenSSL's
  // default TLS 1.3 suites, and one with only TLS_ entries means TLS 1.3 only.
  if (ciphers != null) validateString(ciphers, `${name}.ciphers`);
  // No ciphers given: node's defaults, cut to what the system's openssl.cnf allows.
  const entries = ((ciphers as string | undefined) || defaultCipherString()).split(':');
  let cipherList = entries.filter((c) => c.length > 0 && !c.startsWith('TLS_')).join(':');
  let cipherSuites = entries.filter((c) => c.length > 0 && c.startsWith('TLS_')).join(':');
  const explicitSuites = ciphersuites != null;
  if (explicitSuites) {
    validateString(ciphersuites, `${name}.ciphersuites`);
    cipherSuites = ciphersuites;
  }
  if (cipherList === '' && cipherSuites === '') throw invalidArgValue(`${name}.ciphers`, entries);
  if (cipherList !== '') {
    // ecdhCurve: false (node's old docs: "false to disable ECDH") leaves the
    // ECDHE key exchange out of TLS 1.2; TLS 1.3 always needs a group.
    if (ecdhCurve === false) cipherList += ':!kECDHE';
    // TLS 1.0 and 1.1 sign their handshake with MD5+SHA1, which the system
    // OpenSSL's default security level (2) forbids. Whoever asks for them as a
    // minimum wants them to work, so the level drops to 0 (as node's tests do
    // with 'DEFAULT:@SECLEVEL=0'), unless the cipher string sets its own level.
    if ((bounds.min === TLS1 || bounds.min === TLS1_1) && !/@SECLEVEL=/i.test(cipherList)) {
      cipherList += ':@SECLEVEL=0';
    }
  }
  if (cipherSuites !== '' || explicitSuites) context.setCipherSuites(cipherSuites);
  context.setCiphers(cipherList);
  const maxAbove12 = bounds.max === 0 || bounds.max > TLS1_2;
  if (cipherList === '' && bounds.min < TLS1_3 && maxAbove12) {
    bounds.min = TLS1_3;
    context.setProtoVersions(bounds.min, bounds.max);
  } else if (explicitSuites && cipherSuites === '' && bounds.min < TLS1_3 && maxAbove12) {
    bounds.max = TLS1_2;
    context.setProtoVersions(bounds.min, bounds.max);
  }

  // Trust: the given CAs replace the default store (lib/context/trust.ts).
  if (ca) {
    for (const value of Array.isArray(ca) ? ca : [ca]) {
      validateKeyOrCert(`${name}.ca`, value);
      addCACertificates(context, toBuffer(value));
    }
  } else {
    addDefaultRoots(context);
  }
  // node:tls: a CA given (or in the store) need not be a root to anchor a chain.
  if (options.allowPartialTrustChain) context.setAllowPartialTrustChain();

  // Certificates before keys: OpenSSL checks a key against the certificate of
  // its type that is already there (node reports a mismatch from the key).
  if (cert) {
    for (const value of Array.isArray(cert) ? cert : [cert]) {
      validateKeyOrCert(`${name}.cert`, value);
      context.setCert(toBuffer(value));
    }
  }

  if (key) {
    const setKey = (pem: unknown, pass: unknown): void => {
      validateKeyOrCert(`${name}.key`, pem);
      let passphrase: string | undefined;
      if (pass != null) {
        validateString(pass, `${name}.passphrase`);
        passphrase = pass;
      }
      context.setKey(toBuffer(pem), passphrase);
    };
    if (Array.isArray(key)) {
      for (const value of key as unknown[]) {
        const pem = field(value, 'pem') !== undefined ? field(value, 'pem') : value;
        const pass = field(value, 'passphrase') !== undefined ? field(value, 'passphrase') : passphrase;
        setKey(pem, pass);
      }
    } else {
      setKey(key, passphrase);
    }
  }

  if (sigalgs != null) {
    validateString(sigalgs, `${name}.sigalgs`);
    if (sigalgs === '') throw invalidArgValue(`${name}.sigalgs`, sigalgs);
    context.setSigalgs(sigalgs);
  }

  // An ENGINE's key, checked as node:tls checks it (native/core/engine_keys.*).
  if (privateKeyIdentifier != null) {
    if (privateKeyEngine == null) throw invalidArgValue(`${name}.privateKeyEngine`, privateKeyEngine);
    if (key) throw invalidArgValue(`${name}.privateKeyIdentifier`, privateKeyIdentifier);
    if (typeof privateKeyIdentifier === 'string' && typeof privateKeyEngine === 'string') {
      if (!binding.features.engine) throw customEngineNotSupported();
      context.setEngineKey(
        privateKeyIdentifier,
        privateKeyEngine,
        typeof passphrase === 'string' ? passphrase : undefined,
      );
    } else if (typeof privateKeyIdentifier !== 'string') {
      throw invalidArgType(`${name}.privateKeyIdentifier`, ['string', 'null', 'undefined'], privateKeyIdentifier);
    } else {
      throw invalidArgType(`${name}.privateKeyEngine`, ['string', 'null', 'undefined'], privateKeyEngine);
    }
  }

  // A key held by a provider, by URI (native/core/store_keys.*).
  if (privateKeyUri != null) {
    validateString(privateKeyUri, `${name}.privateKeyUri`);
    if (key || privateKeyIdentifier != null) throw invalidArgValue(`${name}.privateKeyUri`, privateKeyUri);
    try {
      context.setKeyFromUri(privateKeyUri, typeof passphrase === 'string' ? passphrase : undefined);
    } catch (error) {
      // OpenSSL's own words (its reasons stay in opensslErrorStack), naming the URI.
      if (isOpenSSLError(error)) error.message += ` (${name}.privateKeyUri: '${privateKeyUri}')`;
      throw error;
    }
  }

  if (ecdhCurve !== false) {
    validateString(ecdhCurve, `${name}.ecdhCurve`);
    context.setECDHCurve(ecdhCurve);
  }

  if (dhparam != null) {
    validateKeyOrCert(`${name}.dhparam`, dhparam);
    const bits = context.setDHParam(dhparam === 'auto' ? 'auto' : toBuffer(dhparam));
    if (bits > 0 && bits < 2048) process.emitWarning('DH parameter is less than 2048 bits', 'SecurityWarning');
  }

  if (crl != null) {
    for (const value of Array.isArray(crl) ? crl : [crl]) {
      validateKeyOrCert(`${name}.crl`, value);
      context.addCRL(toBuffer(value));
    }
  }

  if (sessionIdContext != null) {
    validateString(sessionIdContext, `${name}.sessionIdContext`);
    context.setSessionIdContext(Buffer.from(sessionIdContext, 'utf8'));
  }

  if (pfx != null) {
    const items: Array<[unknown, unknown]> = Array.isArray(pfx)
      ? (pfx as unknown[]).map((v) => [field(v, 'buf') || v, field(v, 'passphrase') || passphrase])
      : [[pfx, passphrase || undefined]];
    for (const [raw, pass] of items) loadPfx(context, raw, pass);
  }

  if (typeof clientCertEngine === 'string') {
    if (!binding.features.engine) throw customEngineNotSupported();
    context.setClientCertEngine(clientCertEngine);
  } else if (clientCertEngine != null) {
    throw invalidArgType(`${name}.clientCertEngine`, ['string', 'null', 'undefined'], clientCertEngine);
  }

  if (ticketKeys != null) {
    // 48 bytes, or (an extension) an array of keys: see lib/session.ts.
    context.setTicketKeys(ticketKeyRing(ticketKeys, `${name}.ticketKeys`));
  }

  if (sessionTimeout != null) {
    validateInt32(sessionTimeout, `${name}.sessionTimeout`, 0);
    context.setSessionTimeout(sessionTimeout);
  }

  // The escape hatch goes after node's options: its commands override them.
  if (opensslConfig != null) applyOpenSSLConfig(context, opensslConfig, `${name}.opensslConfig`);

  // Last: the certificates and the trust store are complete now.
  context.buildChains();
}

/** One PKCS#12 bundle, with node's errors: OpenSSL's reason as the message, no code. */
function loadPfx(context: NativeSecureContext, raw: unknown, pass: unknown): void {
  let der: Buffer;
  if (typeof raw === 'string' || isArrayBufferView(raw)) der = toBuffer(raw);
  else throw cryptoOperationFailed('Unable to load PFX certificate');
  let passBytes: string | Buffer | undefined;
  if (pass != null) {
    if (typeof pass === 'string') passBytes = pass;
    else if (isArrayBufferView(pass)) passBytes = toBuffer(pass);
    else throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', 'Pass phrase must be a buffer');
  }
  try {
    context.loadPKCS12(der, passBytes);
  } catch (error) {
    if (!isOpenSSLError(error)) throw error;
    const shaped = new Error(error.reason);
    Object.defineProperty(shaped, 'opensslErrorStack', {
      value: [error.message, ...(error.opensslErrorStack ?? [])],
      enumerable: false,
      writable: true,
      configurable: true,
    });
    throw shaped;
  }
}
