// A peer's certificate chain as the CLI prints it: one entry per certificate, leaf
// first, from getPeerCertificate(true)'s issuerCertificate links.
import type { DetailedPeerCertificate as PeerCertificate } from '../index';

export interface ChainEntry {
  subject: string;
  issuer: string;
  subjectaltname?: string;
  validFrom: string;
  validTo: string;
  /** Against the clock now. */
  validity: 'valid' | 'expired' | 'not yet valid';
  serialNumber: string;
  fingerprint256: string;
}

/** 'CN=localhost, O=Example' from node's subject/issuer object. */
export function distinguishedName(name: Partial<Record<string, string | string[]>> | undefined): string {
  if (name === undefined) return '';
  return Object.entries(name)
    .flatMap(([key, value]) =>
      (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`),
    )
    .join(', ');
}

function validity(cert: PeerCertificate, now: number): ChainEntry['validity'] {
  if (Date.parse(cert.valid_from) > now) return 'not yet valid';
  if (Date.parse(cert.valid_to) < now) return 'expired';
  return 'valid';
}

/** The chain from the leaf up; a self-signed root (its own issuer) ends it. */
export function chainOf(leaf: PeerCertificate | object, now = Date.now()): ChainEntry[] {
  const entries: ChainEntry[] = [];
  const seen = new Set<PeerCertificate>();
  let cert = 'raw' in leaf ? leaf : undefined;
  while (cert !== undefined && !seen.has(cert)) {
    seen.add(cert);
    entries.push({
      subject: distinguishedName(cert.subject),
      issuer: distinguishedName(cert.issuer),
      ...(cert.subjectaltname === undefined ? {} : { subjectaltname: cert.subjectaltname }),
      validFrom: cert.valid_from,
      validTo: cert.valid_to,
      validity: validity(cert, now),
      serialNumber: cert.serialNumber,
      fingerprint256: cert.fingerprint256,
    });
    cert = cert.issuerCertificate;
  }
  return entries;
}
