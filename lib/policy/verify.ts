// Who is accepted: the one place that decides whether a peer's certificate (and,
// for a client, the server's key and identity) is good enough, for the first
// handshake and for every renegotiation. OpenSSL verifies with a callback that
// always continues; the decision is taken here from what it recorded, as
// node:tls takes it.
import type { NativeConnection } from '../../typings/native';
import { binding } from '../internal/binding';
import { dhParamSize, verifyError, type NodeError } from '../internal/errors';
import type { PeerCertificate } from '../internal/types';
import { checkServerIdentity as defaultCheckServerIdentity } from './check_server_identity';

/** What a socket reports as `authorized` / `authorizationError`, and whether it must go. */
export interface Verdict {
  authorized: boolean;
  authorizationError: string | null;
  /** The connection is refused with this error. */
  reject?: Error;
}

/** The client-certificate policy a server socket is under (renegotiate() may change it). */
export interface CertPolicy {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** Server: the client's certificate, when one was asked for. */
export function verifyClient(conn: NativeConnection, policy: CertPolicy): Verdict | undefined {
  if (!policy.requestCert) return undefined;
  const v = conn.verifyError();
  if (v === null) return { authorized: true, authorizationError: null };
  return {
    authorized: false,
    authorizationError: v[0],
    reject: policy.rejectUnauthorized ? verifyError(v[0], v[1]) : undefined,
  };
}

export type CheckServerIdentity = (hostname: string, cert: PeerCertificate) => Error | undefined;

/** A client's expectations of the server. */
export interface ServerCheck {
  rejectUnauthorized: boolean;
  /** The smallest DH key accepted (node:tls default 1024). */
  minDHSize: number;
  /** The host the identity is checked against (connect()); null: no identity check (a bare TLSSocket). */
  hostname: string | null;
  checkServerIdentity: CheckServerIdentity;
  /** `this` for checkServerIdentity: connect()'s options object. */
  thisArg: unknown;
  /** The socket's getPeerCertificate(true), as node:tls hands it to checkServerIdentity. */
  peerCertificate: () => PeerCertificate;
}

/** Client: the server's key size, certificate chain and identity. */
export function verifyServer(conn: NativeConnection, check: ServerCheck): Verdict {
  const key = conn.getEphemeralKeyInfo();
  if (key.type === 'DH' && key.size !== undefined && key.size < check.minDHSize) {
    // A weak server key fails whatever rejectUnauthorized says.
    return { authorized: false, authorizationError: null, reject: dhParamSize(key.size, check.minDHSize) };
  }
  const v = conn.verifyError();
  const error = v === null ? identityError(conn, check) : verifyError(v[0], v[1]);
  if (error === undefined) return { authorized: true, authorizationError: null };
  return {
    authorized: false,
    authorizationError: (error as Partial<NodeError>).code ?? error.message,
    reject: check.rejectUnauthorized ? error : undefined,
  };
}

function identityError(conn: NativeConnection, check: ServerCheck): Error | undefined {
  const hostname = check.hostname;
  if (hostname === null || conn.isSessionReused()) return undefined;
  // The default check is answered natively when the certificate's DNS names surely
  // cover the host, so no certificate object is built; otherwise (a mismatch, or a
  // case the native side leaves to JS) checkServerIdentity decides and makes node's error.
  if (check.checkServerIdentity === defaultCheckServerIdentity) {
    const der = conn.getPeerCertificateDer();
    if (der !== null && binding.certificateNamesHost(der, hostname)) return undefined;
  }
  // node:tls calls it as a method of connect()'s options, and takes any falsy answer
  // (undefined, but also false or null) as a match.
  const error: unknown = check.checkServerIdentity.call(check.thisArg, hostname, check.peerCertificate());
  return error ? (error as Error) : undefined;
}
