// Text forms of ConnectionFacts: the block `connect` prints, and the one line `serve`
// logs per connection.
import type { ChainEntry } from './chain';
import type { ConnectionFacts } from './facts';
import type { OcspStatus } from './ocsp_status';

function cipherText(f: ConnectionFacts): string {
  if (f.cipher === null) return '(none)';
  return f.cipher.standardName === f.cipher.name ? f.cipher.name : `${f.cipher.name} (${f.cipher.standardName})`;
}

function groupText(f: ConnectionFacts): string {
  const g = f.group;
  if (g === null) return '(not reported)';
  return `${g.name ?? '?'}${g.type !== undefined ? ` (${g.type}${g.size !== undefined ? `, ${g.size} bits` : ''})` : ''}`;
}

function ocspText(ocsp: OcspStatus | null | undefined): string {
  if (ocsp === undefined || ocsp === null) return 'no stapled response';
  if (ocsp.responseStatus !== 'successful') return `stapled, response status ${ocsp.responseStatus}`;
  const when =
    ocsp.thisUpdate !== undefined
      ? `, this update ${ocsp.thisUpdate}${ocsp.nextUpdate !== undefined ? `, next ${ocsp.nextUpdate}` : ''}`
      : '';
  return `${ocsp.certStatus ?? 'no status'} (stapled, signature not checked here${when})`;
}

function chainLines(chain: ChainEntry[]): string[] {
  if (chain.length === 0) return ['  (no certificate)'];
  return chain.flatMap((c, i) => [
    `  ${i} ${c.subject}`,
    `    issuer   ${c.issuer}`,
    ...(c.subjectaltname !== undefined ? [`    names    ${c.subjectaltname}`] : []),
    `    valid    ${c.validFrom} to ${c.validTo} (${c.validity})`,
    `    sha256   ${c.fingerprint256}`,
  ]);
}

/** What `connect` prints on stderr once the handshake is done. */
export function connectionBlock(
  target: string,
  f: ConnectionFacts,
  ocsp: OcspStatus | null,
  insecure: boolean,
): string {
  const verify = f.authorized
    ? 'ok'
    : `FAILED: ${f.authorizationError ?? 'unknown'}${insecure ? ' (--insecure: carrying on)' : ''}`;
  return [
    `Connected to ${target} (${f.remote})`,
    `Protocol  ${f.protocol ?? '(none)'}`,
    `Cipher    ${cipherText(f)}`,
    `Group     ${groupText(f)}`,
    `ALPN      ${f.alpn === false || f.alpn === null ? '(none)' : f.alpn}`,
    `Session   ${f.resumed ? 'resumed' : 'new'}`,
    `OCSP      ${ocspText(ocsp)}`,
    `Verify    ${verify}`,
    'Chain',
    ...chainLines(f.chain),
    '---',
    '',
  ].join('\n');
}

/** One log line per connection that `serve` accepted. */
export function connectionLine(f: ConnectionFacts): string {
  const leaf = f.chain[0];
  const client =
    leaf === undefined
      ? 'none'
      : `"${leaf.subject}" (${f.authorized ? 'verified' : `not verified: ${f.authorizationError ?? 'unknown'}`})`;
  const parts = [
    f.remote,
    f.protocol ?? '-',
    f.cipher?.standardName ?? '-',
    `alpn=${f.alpn === false || f.alpn === null ? '-' : f.alpn}`,
    `sni=${f.servername === false || f.servername === null ? '-' : f.servername}`,
    `resumed=${f.resumed ? 'yes' : 'no'}`,
    `client-cert=${client}`,
  ];
  return `${new Date().toISOString()} ${parts.join(' ')}`;
}
