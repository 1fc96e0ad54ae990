// The client's implicit SecureContext, shared between connections whose options
// are the same. connect() with no `secureContext` makes one from its options on
// every call, as node:tls does; building it (SSL_CTX_new, parsing every `ca`
// certificate) costs a third of a client's handshake. A client context is never
// changed after it is made, and its sessions are not cached inside it
// (SSL_SESS_CACHE_NO_INTERNAL_STORE), so connections with equal options cannot
// tell a shared one from their own.
//
// The key is a SHA-256 over every input createSecureContext reads: the context
// options by content (a `ca` read from disk again hits) and the module defaults.
// Options of any other shape, those with side effects (dhparam's warning) and
// NPN clients (their context gets NPN's callback) are not cached; a failure is never cached, so bad options throw every time.
import { createHash, type Hash } from 'node:crypto';
import { defaults } from './defaults';
import { isArrayBufferView } from '../internal/validators';
import { makeContext, contextFactoryReplaced } from './factory';
import { createSecureContext, type SecureContext, type SecureContextOptions } from './secure_context';

/** Every option createSecureContext and the SecureContext constructor read. */
const CONTEXT_OPTIONS = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'pfx',
  'crl',
  'allowPartialTrustChain',
  'ciphers',
  'ciphersuites',
  'ecdhCurve',
  'honorCipherOrder',
  'secureProtocol',
  'secureOptions',
  'minVersion',
  'maxVersion',
  'sigalgs',
  'sessionIdContext',
  'sessionTimeout',
  'ticketKeys',
  'privateKeyIdentifier',
  'privateKeyEngine',
  'clientCertEngine',
] as const;

/** Contexts kept; the least recently used goes first. */
const kCapacity = 32;
const cache = new Map<string, SecureContext>();
let stats = { hits: 0, misses: 0, uncached: 0 };

/** Feeds one option value into the hash; false when its shape is not one we key on. */
function feed(hash: Hash, value: unknown, depth: number): boolean {
  if (value === undefined) hash.update('u;');
  else if (value === null) hash.update('n;');
  else if (typeof value === 'boolean') hash.update(value ? 't;' : 'f;');
  else if (typeof value === 'number') hash.update(`d${value};`);
  else if (typeof value === 'string')
    hash
      .update(`s${Buffer.byteLength(value)}:`)
      .update(value)
      .update(';');
  else if (isArrayBufferView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    hash.update(`b${bytes.length}:`).update(bytes).update(';');
  } else if (Array.isArray(value) && depth === 0) {
    hash.update(`a${value.length}[`);
    for (const item of value) if (!feed(hash, item, 1)) return false;
    hash.update(']');
  } else if (typeof value === 'object' && depth === 1 && Object.getPrototypeOf(value) === Object.prototype) {
    // { pem, passphrase } (key) and { buf, passphrase } (pfx): only those fields count.
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'pem' && k !== 'buf' && k !== 'passphrase') return false;
    hash.update('o{');
    for (const k of ['pem', 'buf', 'passphrase']) {
      hash.update(`${k}=`);
      if (!feed(hash, o[k], 2)) return false;
    }
    hash.update('}');
  } else {
    return false;
  }
  return true;
}

function cacheKey(options: SecureContextOptions & Record<string, unknown>): string | null {
  // An NPN client installs its select callback on the context (every client of it would offer NPN).
  if (options.dhparam != null || options.NPNProtocols != null) return null;
  // Beyond node's options: not keyed on, so never shared.
  if (options.opensslConfig != null || options.privateKeyUri != null) return null;
  const hash = createHash('sha256');
  for (const name of CONTEXT_OPTIONS) {
    hash.update(`${name}=`);
    if (!feed(hash, options[name], 0)) return null;
  }
  hash.update(defaults.DEFAULT_CIPHERS).update('|').update(defaults.DEFAULT_ECDH_CURVE).update('|');
  hash.update(defaults.DEFAULT_MIN_VERSION).update('|').update(defaults.DEFAULT_MAX_VERSION);
  return hash.digest('base64');
}

/** The SecureContext for a client's options: a shared one when the same options made one before. */
export function clientSecureContext(options: SecureContextOptions): SecureContext {
  // A replaced tls.createSecureContext is called for every connection, as node:tls calls it.
  if (contextFactoryReplaced()) return makeContext(options);
  const key = cacheKey(options as SecureContextOptions & Record<string, unknown>);
  if (key === null) {
    stats.uncached++;
    return createSecureContext(options);
  }
  const found = cache.get(key);
  if (found !== undefined) {
    stats.hits++;
    cache.delete(key);
    cache.set(key, found);
    return found;
  }
  stats.misses++;
  const made = createSecureContext(options);
  cache.set(key, made);
  if (cache.size > kCapacity) cache.delete(cache.keys().next().value as string);
  return made;
}

/** For the tests: forget every context kept. */
export function clearContextCache(): void {
  cache.clear();
}

/** For the tests: what the cache did since the last call. */
export function takeContextCacheStats(): { hits: number; misses: number; uncached: number } {
  const taken = stats;
  stats = { hits: 0, misses: 0, uncached: 0 };
  return taken;
}
