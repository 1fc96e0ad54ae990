// node:tls ignores a write error once the socket has started its shutdown
// (TLSWrap::OnStreamAfterWrite: "Ignoring error after shutdown"): a peer that
// closed first and answers our close_notify with a reset is no error there. Our
// socket reports it (an 'error' EPIPE or ECONNRESET after end(); seen on the native
// transport when h2load or wrk close their connections). HTTP servers end sockets
// at every close, so each such close would be an error: a 'clientError' in
// https, a session 'error' in http2 (which crashes a server with no listener for
// it). Until the socket layer does what node does, these sockets drop such an
// error and just close (docs/ARCHITECTURE.md, "HTTP on top").
import type { TLSSocket } from '../socket/tls_socket';

/**
 * From now on `socket` drops a peer-gone 'error' that comes after its end(), or while
 * `alsoWhen()` is true (an http2 client's session closed by the program); 'close' still comes.
 */
export function ignoreErrorsAfterShutdown(socket: TLSSocket, alsoWhen?: () => boolean): void {
  // The socket checks it as it is destroyed (TLSSocket._destroy): nothing on the data path.
  socket._ignorePeerGoneAfterEnd(alsoWhen);
}
