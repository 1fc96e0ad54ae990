// openssl-tls: node:tls over the system OpenSSL. The module's public surface.
import { binding, addonPath } from './internal/binding';
import { writableExports } from './internal/exports';
import { identityCheck } from './policy/check_server_identity';
import { installClusterPrimary } from './context/cluster_keys';
import { connect } from './connect';
import { defaults } from './context/defaults';
import { contextFactory } from './context/factory';
import {
  createSecureContext as makeSecureContext,
  getCiphers,
  rootCertificates,
  SecureContext,
} from './context/secure_context';
import { createServer, Server } from './server/server';
import { systemDefaults } from './context/system_policy';
import { setEngine } from './context/engines';
import { providers } from './context/providers';
import { TLSSocket } from './socket/tls_socket';
import { createSecurePair as makeSecurePair } from './secure_pair';
import type * as nodeTlsTypes from 'node:tls';

export type { ConnectionOptions } from './connect';
export type { SecureContextOptions } from './context/secure_context';
export type { ProviderInfo } from './context/providers';
export type { DefaultSource, EffectiveDefault, SystemDefaults } from './context/system_policy';
export type { TlsServerOptions } from './server/server';
export type { TLSSocketOptions } from './socket/tls_socket';
// node:tls's certificate types; TLSSocket's node:tls signatures (lib/types.ts).
export type { DetailedPeerCertificate, PeerCertificate } from './types';
// The legacy API from the seeds (lib/secure_pair.ts).
export { SecurePair } from './secure_pair';
export type { SecurePairOptions } from './secure_pair';
// ALPN/NPN helpers and types (lib/alpn.ts); convertALPNProtocols is node:tls's export.
export { convertALPNProtocols } from './policy/alpn';
export type { ALPNCallback, ALPNCallbackInfo, ProtocolList } from './policy/alpn';
export { connect, createServer, getCiphers, rootCertificates, SecureContext, Server, TLSSocket };

/**
 * The legacy createSecurePair() (lib/secure_pair.ts). Its `encrypted` is a
 * Duplex, as in node:tls, where @types/node says TLSSocket: the second type
 * only keeps the module assignable to node's.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- node's type of the same deprecated function
export const createSecurePair = makeSecurePair as typeof makeSecurePair & typeof nodeTlsTypes.createSecurePair;

// A cluster primary hands its workers one shared session ticket key (lib/cluster_keys.ts).
installClusterPrimary();

/** The OpenSSL this module runs on (the system's), and where its files are. */
export const versions = { openssl: binding.versions.openssl };
export const opensslDir: string = binding.opensslDir;
/** Beyond node:tls: the system OpenSSL's TLS policy (openssl.cnf) and where each default comes from. */
export { systemDefaults };
/** node's crypto.setEngine, for the system OpenSSL this module runs on. */
export { setEngine };
/** Beyond node:tls: the OpenSSL providers loaded (openssl.cnf's); privateKeyUri reaches their keys. */
export { providers };
/** The addon file that was loaded. */
export const addon: string = addonPath;

// Settable like node:tls's: createSecureContext and the renegotiation limiter
// read them at the moment they need them. Each is an ordinary property first,
// so that cjs-module-lexer (how node names a CommonJS module's exports for ESM's
// `import { DEFAULT_CIPHERS } from 'openssl-tls'`) sees `module.exports.NAME =`;
// then an accessor over lib/context/defaults.ts replaces it.
export declare let DEFAULT_CIPHERS: string;
export declare let DEFAULT_ECDH_CURVE: string;
export declare let DEFAULT_MIN_VERSION: nodeTlsTypes.SecureVersion;
export declare let DEFAULT_MAX_VERSION: nodeTlsTypes.SecureVersion;
export declare let CLIENT_RENEG_LIMIT: number;
export declare let CLIENT_RENEG_WINDOW: number;
/** node:tls's createSecureContext; settable, as in node:tls (connect(), Server and the rest call it). */
export declare let createSecureContext: typeof makeSecureContext;
/** RFC 6125 host name check with node's messages; settable, as in node:tls (connect() reads it). */
export declare let checkServerIdentity: typeof nodeTlsTypes.checkServerIdentity;
(module.exports as Record<string, unknown>).DEFAULT_CIPHERS = undefined;
(module.exports as Record<string, unknown>).DEFAULT_ECDH_CURVE = undefined;
(module.exports as Record<string, unknown>).DEFAULT_MIN_VERSION = undefined;
(module.exports as Record<string, unknown>).DEFAULT_MAX_VERSION = undefined;
(module.exports as Record<string, unknown>).CLIENT_RENEG_LIMIT = undefined;
(module.exports as Record<string, unknown>).CLIENT_RENEG_WINDOW = undefined;
(module.exports as Record<string, unknown>).checkServerIdentity = undefined;
(module.exports as Record<string, unknown>).createSecureContext = undefined;

/** Makes export `name` an accessor. (A name given as a literal would hide the export from cjs-module-lexer.) */
function settable<T>(name: string, get: () => T, set: (value: T) => void): void {
  // module.exports, not exports: a loader (tsx) may hand the module a new object.
  Object.defineProperty(module.exports, name, { enumerable: true, configurable: true, get, set });
}

settable(
  'checkServerIdentity',
  () => identityCheck.current,
  (fn) => {
    identityCheck.current = fn;
  },
);
for (const name of [
  'DEFAULT_CIPHERS',
  'DEFAULT_ECDH_CURVE',
  'DEFAULT_MIN_VERSION',
  'DEFAULT_MAX_VERSION',
  'CLIENT_RENEG_LIMIT',
  'CLIENT_RENEG_WINDOW',
] as const) {
  settable<never>(
    name,
    () => defaults[name] as never,
    (value) => {
      defaults[name] = value;
    },
  );
}

// node:tls's callers use the exported createSecureContext: replacing it reaches them (lib/context/factory.ts).
settable(
  'createSecureContext',
  () => contextFactory.current,
  (fn) => {
    contextFactory.current = fn;
  },
);

// The rest are plain writable properties, as node:tls's are (a program or an APM agent may
// wrap connect or createServer by assignment); rootCertificates stays a fixed getter, as there.
writableExports(module.exports as Record<string, unknown>, ['rootCertificates']);
