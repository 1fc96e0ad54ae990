// What the CLI reports about one TLS connection, read from the socket's public API;
// the same fields for `connect` (about the server) and `serve` (about each client).
import type { TLSSocket } from '../index';
import { chainOf, type ChainEntry } from './chain';

export interface ConnectionFacts {
  remote: string;
  protocol: string | null;
  cipher: { name: string; standardName: string; version: string } | null;
  /** The key exchange group (client side only, as node:tls). */
  group: { type?: string; name?: string; size?: number } | null;
  alpn: string | false | null;
  servername: string | false | null;
  resumed: boolean;
  authorized: boolean;
  authorizationError: string | null;
  /** The peer's chain, leaf first; empty when it sent no certificate. */
  chain: ChainEntry[];
}

function remoteOf(socket: TLSSocket): string {
  const address = socket.remoteAddress ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? '?'}`;
}

export function connectionFacts(socket: TLSSocket): ConnectionFacts {
  const cipher = socket.getCipher();
  const group = socket.getEphemeralKeyInfo();
  return {
    remote: remoteOf(socket),
    protocol: socket.getProtocol() ?? null,
    cipher: cipher ? { name: cipher.name, standardName: cipher.standardName, version: cipher.version } : null,
    group: group && Object.keys(group).length > 0 ? group : null,
    alpn: socket.alpnProtocol ?? null,
    servername: socket.servername ?? null,
    // null once closed, whatever the types say.
    resumed: Boolean(socket.isSessionReused()),
    authorized: socket.authorized,
    authorizationError: socket.authorizationError == null ? null : String(socket.authorizationError),
    chain: chainOf(socket.getPeerCertificate(true)),
  };
}
