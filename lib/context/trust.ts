// What a context trusts, as node:tls decides it: the `ca` option's certificates,
// or else the default store (here the system OpenSSL's) plus the certificates
// of the file NODE_EXTRA_CA_CERTS names.
import { readFileSync } from 'node:fs';
import * as nodeTls from 'node:tls';
import type { NativeSecureContext } from '../../typings/native';
import { binding } from '../internal/binding';
import { getRootCertificates } from './ciphers';

// node's own, taken at load: openssl-tls/register later puts ours in node:tls's place.
const nodeCreateSecureContext = nodeTls.createSecureContext;

// The PEM blocks PEM_read_bio_X509_AUX reads (other blocks are skipped).
const kCertificateBlock = /-----BEGIN ((?:TRUSTED |X509 )?)CERTIFICATE-----[\s\S]*?-----END \1CERTIFICATE-----/g;

function certificateBlocks(pem: Buffer): Buffer[] {
  return Array.from(pem.toString('latin1').matchAll(kCertificateBlock), (m) => Buffer.from(m[0], 'latin1'));
}

/** A PEM certificate's base64 body, the same however it is wrapped. */
function pemBody(pem: string): string {
  return pem.replace(/-----[^-]*-----|\s/g, '');
}

/**
 * Adds one `ca` value as node:tls does: its PEM certificates in order, up to
 * the first that does not parse; anything else in it (a key, text, DER) adds
 * nothing and is no error.
 */
export function addCACertificates(context: NativeSecureContext, pem: Buffer): void {
  try {
    context.addCACert(pem);
    return;
  } catch {
    // Not all of it is certificates: take them one at a time, as node does.
  }
  for (const block of certificateBlocks(pem)) {
    try {
      context.addCACert(block);
    } catch {
      return;
    }
  }
}

// node reads the variable once, as the process starts.
const extraFile = process.env.NODE_EXTRA_CA_CERTS;
let extraCertificates: Buffer | null | undefined;

/**
 * NODE_EXTRA_CA_CERTS's certificates (PEM), read on first use; null when there
 * are none. Like node, the certificates before the first broken one count.
 */
function extraRoots(): Buffer | null {
  if (extraCertificates !== undefined) return extraCertificates;
  extraCertificates = null;
  if (!extraFile) return null;
  let failed = false;
  const good: Buffer[] = [];
  try {
    // Certificates the system store has already need no store of this context's own
    // (NODE_EXTRA_CA_CERTS often names the system bundle itself).
    const system = new Set(getRootCertificates().map(pemBody));
    const scratch = new binding.SecureContext();
    for (const block of certificateBlocks(readFileSync(extraFile))) {
      try {
        scratch.addCACert(block);
      } catch {
        failed = true;
        break;
      }
      if (!system.has(pemBody(block.toString('latin1')))) good.push(block);
    }
    scratch.close();
  } catch {
    failed = true;
  }
  if (good.length > 0) extraCertificates = Buffer.concat(good.flatMap((block) => [block, Buffer.from('\n')]));
  // node warns on stderr ("Warning: Ignoring extra certs from `FILE`, load
  // failed: ..."), once, when its own default store is made: node 20 does it
  // as it starts, later versions when node:tls first needs the store. Asking
  // node:tls for a default context gets its own warning out, with its own
  // words, exactly once, whichever node this is.
  if (failed) {
    try {
      nodeCreateSecureContext();
    } catch {
      // Only the warning was wanted.
    }
  }
  return extraCertificates;
}

/** The default trust store: the system OpenSSL's roots, and NODE_EXTRA_CA_CERTS's certificates. */
export function addDefaultRoots(context: NativeSecureContext): void {
  context.addRootCerts();
  const extra = extraRoots();
  // The addon cannot add to its shared system store: these go into a copy this
  // context owns, and (addCACert) are also named in a server's CertificateRequest.
  if (extra !== null) context.addCACert(extra);
}
