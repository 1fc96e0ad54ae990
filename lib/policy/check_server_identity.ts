// tls.checkServerIdentity: does a certificate name the host we meant to reach?
// RFC 6125 as Node applies it: IP hosts match only IP SANs; DNS hosts match DNS
// SANs, or the subject CN when the certificate has no DNS SAN at all.
import * as net from 'node:net';
import type { PeerCertificate } from '../internal/types';

export interface AltnameError extends Error {
  code: 'ERR_TLS_CERT_ALTNAME_INVALID';
  reason: string;
  host: string;
  cert: PeerCertificate;
}

/** Returns undefined when `cert` is valid for `hostname`, else Node's ERR_TLS_CERT_ALTNAME_INVALID. */
export function checkServerIdentity(hostname: string, cert: PeerCertificate): AltnameError | undefined {
  // '' + x, not `${x}`: like Node, an object hostname is read through valueOf() first.
  const host = withoutTrailingDot('' + hostname);
  const altNames = cert.subjectaltname;
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const entry of altNames ? splitAltNames(altNames) : []) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice('DNS:'.length));
    else if (entry.startsWith('IP Address:')) ips.push(canonicalIp(entry.slice('IP Address:'.length)));
  }

  const cn = cert.subject?.CN;
  let reason: string;
  if (net.isIP(host) !== 0) {
    if (ips.includes(canonicalIp(host))) return undefined;
    reason = `IP: ${host} is not in the cert's list: ${ips.join(', ')}`;
  } else if (dnsNames.length > 0) {
    const labels = hostLabels(host);
    if (dnsNames.some((name) => nameMatches(labels, name))) return undefined;
    reason = `Host: ${host}. is not in the cert's altnames: ${altNames}`;
  } else if (cn) {
    const labels = hostLabels(host);
    const names = Array.isArray(cn) ? cn : [cn];
    if (names.some((name) => nameMatches(labels, name))) return undefined;
    reason = `Host: ${host}. is not cert's CN: ${String(cn)}`;
  } else {
    reason = 'Cert does not contain a DNS name';
  }
  const error = new Error(`Hostname/IP does not match certificate's altnames: ${reason}`) as AltnameError;
  error.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  error.reason = reason;
  error.host = host;
  error.cert = cert;
  return withNodeErrorFormat(error);
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Only A-Z: Unicode case folding would let 'K' (Kelvin) or 'İ' match ASCII patterns. */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

// Node strips one trailing dot from the host when it reads it and one more when it
// compares, but only one from each name in the certificate; we do the same.
function hostLabels(host: string): string[] {
  return lowerAscii(withoutTrailingDot(host)).split('.');
}

/**
 * One certificate name against the host's labels. A '*' may appear once, in the
 * left-most label only, and only when at least three labels follow from it
 * ('*.example.com', 'f*.example.com', not '*.com'); it matches any run of the
 * host's first label, even an empty one. Labels holding 'xn--' are compared as is.
 */
function nameMatches(host: string[], certName: string): boolean {
  const name = lowerAscii(withoutTrailingDot(certName));
  if (/[^\x21-\x7f]/.test(name)) return false; // no spaces, controls or raw Unicode
  const labels = name.split('.');
  if (labels.includes('') || labels.length !== host.length) return false;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== host[i]) return false;

  const [first, hostFirst] = [labels[0], host[0]];
  const parts = first.split('*');
  if (parts.length === 1 || first.includes('xn--')) return first === hostFirst;
  if (parts.length > 2 || labels.length < 3) return false;
  const [prefix, suffix] = parts;
  return (
    hostFirst.length >= prefix.length + suffix.length && hostFirst.startsWith(prefix) && hostFirst.endsWith(suffix)
  );
}

/**
 * Splits Node's subjectaltname text ("DNS:a.com, IP Address:127.0.0.1") at ', '.
 * Node writes a value holding a comma or other special characters as a JSON string
 * ('DNS:"a\u002cb.com"'); a quoted run may sit anywhere in an entry and is decoded in place.
 */
function splitAltNames(text: string): string[] {
  const entries: string[] = [];
  let entry = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith(', ', i)) {
      entries.push(entry);
      entry = '';
      i += 2;
    } else if (text[i] === '"') {
      const end = closingQuote(text, i);
      entry += decodeJsonString(text.slice(i, end + 1));
      i = end + 1;
    } else {
      entry += text[i];
      i++;
    }
  }
  entries.push(entry);
  return entries;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw altnameFormatError();
}

function decodeJsonString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw altnameFormatError();
  }
}

function altnameFormatError(): Error {
  const error = new SyntaxError('Invalid subject alternative name string') as SyntaxError & { code: string };
  error.code = 'ERR_TLS_CERT_ALTNAME_FORMAT';
  return withNodeErrorFormat(error);
}

/**
 * An address as inet_pton + inet_ntop would print it ('::ffff:1.2.3.4', 'fe80::1'
 * without its zone), or '' when it is not an address. SocketAddress parses with
 * libuv, as Node's own check does.
 */
function canonicalIp(address: string): string {
  for (const family of ['ipv4', 'ipv6'] as const) {
    try {
      return new net.SocketAddress({ address, family }).address;
    } catch {
      // not this family
    }
  }
  return '';
}

/** Node prints its coded errors as "Error [CODE]: message" in stack and toString(). */
function withNodeErrorFormat<E extends Error & { code: string }>(error: E): E {
  const { name, code } = error;
  error.name = `${name} [${code}]`;
  // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator
  void error.stack; // V8 writes the stack's first line on first access
  Reflect.deleteProperty(error, 'name');
  Object.defineProperty(error, 'toString', {
    value(this: Error) {
      return `${this.name} [${code}]: ${this.message}`;
    },
    writable: true,
    configurable: true,
  });
  return error;
}

/**
 * What connect() uses when the options name no checkServerIdentity: the module's
 * export at that moment, settable like node:tls's (tls.checkServerIdentity = fn).
 */
export const identityCheck: { current: (hostname: string, cert: PeerCertificate) => Error | undefined } = {
  current: checkServerIdentity,
};
