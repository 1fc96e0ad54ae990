// What a handshake or read reports beside its bytes, turned into node:tls's events on
// the socket in node's order (all before 'secure'/'secureConnect'): renegotiations the
// peer started (the limiter may refuse them), key-log lines, the stapled OCSP response.
import type { EventEmitter } from 'node:events';
import type { CycleResult } from '../../typings/native';
import { debug } from '../internal/observe';
import type { Renegotiation } from '../policy/renegotiation';

export interface ReportedSocket extends EventEmitter {
  readonly destroyed: boolean;
  destroy(error?: Error): unknown;
}

/** Emits `r`'s reports on `socket`; false when the socket is gone afterwards (refused or destroyed by a listener). */
export function emitReports<S extends ReportedSocket>(
  r: CycleResult,
  socket: S,
  owner: { readonly renegotiation: Renegotiation },
  hooks: { onKeylog(line: Buffer, socket: S): void } | undefined,
): boolean {
  if (r.peerRenegotiations !== undefined) {
    // Limiter, disableRenegotiation(): ERR_TLS_SESSION_ATTACK, ERR_TLS_RENEGOTIATION_DISABLED.
    const refused = owner.renegotiation.onPeerStart(r.peerRenegotiations);
    if (refused !== undefined) {
      socket.destroy(refused);
      return false;
    }
  }
  if (r.keylog !== undefined) {
    for (const line of r.keylog) {
      debug('onkeylog');
      socket.emit('keylog', line);
      hooks?.onKeylog(line, socket);
    }
    if (socket.destroyed) return false;
  }
  if (r.ocspResponse !== undefined) {
    // Client with requestOCSP.
    debug('client onocspresponse');
    socket.emit('OCSPResponse', r.ocspResponse);
    if (socket.destroyed) return false;
  }
  return true;
}
