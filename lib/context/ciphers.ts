// What the system OpenSSL offers: tls.getCiphers() and tls.rootCertificates.
import { binding } from '../internal/binding';

let ciphers: string[] | undefined;

/**
 * The cipher names a fresh TLS context of the system OpenSSL offers (its default
 * TLS 1.2 list plus every TLS 1.3 suite), lower case, without duplicates, sorted:
 * node:tls's shape. A new array on every call, so callers may change it.
 */
export function getCiphers(): string[] {
  if (ciphers === undefined) {
    ciphers = [...new Set(binding.getCiphers().map((name) => name.toLowerCase()))].sort();
  }
  return ciphers.slice();
}

let roots: readonly string[] | undefined;

/** The system trust store as PEM strings, frozen; read on first use. */
export function getRootCertificates(): readonly string[] {
  if (roots === undefined) roots = Object.freeze(binding.getRootCertificates());
  return roots;
}

// tls.rootCertificates: a property computed on first read, as in node:tls.
// Defined on module.exports (not `exports`) so that it also holds when a
// loader such as tsx replaces the exports object.
export declare const rootCertificates: readonly string[];
Object.defineProperty(module.exports, 'rootCertificates', {
  enumerable: true,
  configurable: true,
  get: getRootCertificates,
});
