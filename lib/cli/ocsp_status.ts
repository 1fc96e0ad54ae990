// What a stapled OCSP response says, read from its DER (RFC 6960) far enough for the
// CLI: the response status and the first certificate's status. Its signature is not
// checked here: the CLI reports, it does not decide.
export interface OcspStatus {
  /** 'successful', 'malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'. */
  responseStatus: string;
  /** 'good', 'revoked' or 'unknown' for the first SingleResponse; absent without one. */
  certStatus?: string;
  thisUpdate?: string;
  nextUpdate?: string;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function tlv(der: Buffer, at: number): Tlv {
  const tag = der[at];
  let len = der[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] ?? 0);
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/** The TLVs directly inside a constructed one. */
function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const t = tlv(der, at);
    out.push(t);
    at = t.end;
  }
  return out;
}

const RESPONSE_STATUS = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  '4',
  'sigRequired',
  'unauthorized',
];
const CERT_STATUS: Record<number, string> = { 0x80: 'good', 0xa1: 'revoked', 0x82: 'unknown' };

function time(der: Buffer, t: Tlv): string {
  // GeneralizedTime YYYYMMDDHHMMSSZ as ISO 8601.
  const s = der.toString('latin1', t.start, t.end);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : s;
}

/** Reads an OCSPResponse; throws on DER it cannot follow. */
export function ocspStatus(der: Buffer): OcspStatus {
  const top = children(der, tlv(der, 0));
  const status = top[0];
  if (status === undefined || status.tag !== 0x0a) throw new Error('not an OCSP response');
  const result: OcspStatus = { responseStatus: RESPONSE_STATUS[der[status.start] ?? 99] ?? String(der[status.start]) };
  const bytes = top[1];
  if (bytes === undefined) return result;
  // [0] { SEQUENCE { responseType OID, response OCTET STRING { BasicOCSPResponse } } }
  const responseBytes = children(der, children(der, bytes)[0] ?? bytes);
  const octets = responseBytes[1];
  if (octets === undefined) return result;
  const basic = tlv(der, octets.start);
  const tbs = children(der, basic)[0];
  if (tbs === undefined) return result;
  // ResponseData: [0] version?, responderID ([1] or [2]), producedAt, responses, [1] extensions?
  const fields = children(der, tbs).filter((t) => t.tag !== 0xa0);
  const responses = fields[2];
  if (responses === undefined) return result;
  const single = children(der, responses)[0];
  if (single === undefined) return result;
  const [, certStatus, thisUpdate, next] = children(der, single);
  if (certStatus !== undefined) result.certStatus = CERT_STATUS[certStatus.tag] ?? `tag ${certStatus.tag}`;
  if (thisUpdate !== undefined) result.thisUpdate = time(der, thisUpdate);
  if (next !== undefined && next.tag === 0xa0) {
    const inner = children(der, next)[0];
    if (inner !== undefined) result.nextUpdate = time(der, inner);
  }
  return result;
}
