// HTTP/2 over our socket the way node's own TLS socket carries it: node's http2
// session reads a socket's bytes natively only from a StreamBase handle, which an
// addon cannot make, and wraps any other socket in its JSStreamSocket (a JS call
// per read and per write, docs/ARCHITECTURE.md "HTTP/2 over our socket"). On the
// native transport our link instead carries the cleartext over a Unix socketpair
// (native/transport/cleartext_relay.*): it decrypts into one end and encrypts what
// that end reads; the other end becomes a net.Socket (a libuv pipe, a StreamBase)
// the session consumes with no JS per read or write.
//
// The pipe socket is the session's socket, so it answers as the TLS socket does
// (http2_tls_view.ts). The two close together:
//  - the TLS peer's end (close_notify or FIN): the pair's end shuts down after the
//    cleartext before it, so the session reads EOF as it would from node:tls;
//  - the session ends or destroys its socket: the link reads the pair's EOF after
//    every byte the session wrote (RELAY_END), and the TLS socket ends (close_notify,
//    FIN); once the pipe has closed too, the TLS socket is destroyed after its end
//    is out, as http2 destroys a node:tls socket in the callback of its end();
//  - the TLS socket fails or closes: the pipe socket is destroyed with its error,
//    which the session hears as its socket's error.
import * as net from 'node:net';
import type { TLSSocket } from '../socket/tls_socket';
import { reportTlsOnPipe } from './http2_tls_view';

/** The socket for node's http2 session over `socket`; null when it cannot be relayed (JS transport). */
export function relayCleartext(socket: TLSSocket): net.Socket | null {
  let relayEnded = false;
  let pipeClosed = false;
  const settle = (): void => {
    if (!relayEnded || !pipeClosed || socket.destroyed) return;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  const fd = socket._relayCleartext(() => {
    relayEnded = true;
    socket.end();
    settle();
  });
  if (fd === null) return null;
  const pipe = new net.Socket({ fd, readable: true, writable: true });
  // The TLS side ends when the session's side does (RELAY_END), not at the peer's end.
  socket.allowHalfOpen = true;
  reportTlsOnPipe(pipe, socket);
  // session.ref()/unref() reach the socket: the TLS socket (and the pair's other end) too.
  const pipeRef = pipe.ref.bind(pipe);
  const pipeUnref = pipe.unref.bind(pipe);
  pipe.ref = () => {
    socket.ref();
    return pipeRef();
  };
  pipe.unref = () => {
    socket.unref();
    return pipeUnref();
  };
  pipe.once('close', () => {
    pipeClosed = true;
    settle();
  });
  socket.on('error', (error: Error) => pipe.destroy(error));
  socket.once('close', () => pipe.destroy());
  return pipe;
}
