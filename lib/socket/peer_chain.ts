// getPeerX509Certificate(): the peer's certificate as node's X509Certificate,
// its issuerCertificate linked through the chain the peer sent, as node:tls
// links it (an issuer the peer did not send is not looked up: undefined).
import { X509Certificate } from 'node:crypto';

/** The first certificate of `chain` (DER, the peer's own first), linked to its issuers in the chain. */
export function linkedPeerChain(chain: Buffer[]): X509Certificate | undefined {
  const certs = chain.map((der) => new X509Certificate(der));
  const leaf = certs[0];
  if (leaf === undefined) return undefined;
  const linked = new Set<X509Certificate>([leaf]);
  for (let current = leaf; ;) {
    const issuer = certs.find((c) => !linked.has(c) && current.checkIssued(c));
    if (issuer === undefined) break;
    // node's getter answers from the native object's own link, which one made from DER lacks.
    Object.defineProperty(current, 'issuerCertificate', { value: issuer, enumerable: false, configurable: true });
    linked.add(issuer);
    current = issuer;
  }
  return leaf;
}
