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
//  - the TLS socket fails or is destroyed: the pipe socket is destroyed then, with
//    its error, which the session hears as its socket's error.
import { closeSync } from 'node:fs';
import * as net from 'node:net';
import { binding } from '../internal/binding';
import type { TLSSocket } from '../socket/tls_socket';
import { reportTlsOnPipe } from './http2_tls_view';

function ignore(): void {}

/** The two sockets' shared end (see above). */
class RelayLife {
  readonly #socket: TLSSocket;
  #relayEnded = false;
  #pipeClosed = false;
  #pipe: net.Socket | null = null;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
  }

  /** The pair's other end will write no more: the TLS socket ends. */
  readonly onEnd = (): void => {
    this.#relayEnded = true;
    this.#socket.end();
    this.#settle();
  };

  /**
   * From now on `pipe` is the session's view of the TLS socket, and they close together.
   * `relayed`: the link writes the cleartext into the pair, so the peer's end reaches the
   * session through it; the TLS socket's own 'end' then waits for the pipe's, as node:tls's
   * comes after the session has read what came before it (a 'stream', say).
   */
  bind(pipe: net.Socket, relayed: boolean): void {
    const socket = this.#socket;
    // The TLS side ends when the session's side does (RELAY_END), not at the peer's end.
    socket.allowHalfOpen = true;
    if (relayed) {
      let pipeDone = false;
      let proceed: (() => void) | null = null;
      const done = (): void => {
        pipeDone = true;
        proceed?.();
        proceed = null;
      };
      pipe.once('end', done);
      pipe.once('close', done);
      socket._deferReadableEnd((go) => (pipeDone ? go() : void (proceed = go)));
    }
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
      this.#pipeClosed = true;
      this.#settle();
    });
    if (relayed) {
      // The socket's destroy reaches the pipe at once (#gone), and the socket holds nothing
      // of it: a session destroyed with its socket is garbage at once, as over node:tls.
      this.#pipe = pipe;
      socket._whenDestroyed(this.#gone);
      socket.on('error', ignore);
      return;
    }
    socket.on('error', (error: Error) => pipe.destroy(error));
    socket.once('close', () => pipe.destroy());
  }

  /** The TLS socket is destroyed (relayed): the pipe too, with its error; the session hears it. */
  readonly #gone = (error: Error | null): void => {
    const pipe = this.#pipe;
    this.#pipe = null;
    pipe?.destroy(error ?? undefined);
  };

  #settle(): void {
    const socket = this.#socket;
    if (!this.#relayEnded || !this.#pipeClosed || socket.destroyed) return;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  }
}

/** A server's: the socket for node's http2 session over `socket`; null when it cannot be relayed (JS transport). */
export function relayCleartext(socket: TLSSocket): net.Socket | null {
  const life = new RelayLife(socket);
  const fd = socket._relayCleartext(life.onEnd);
  if (fd === null) return null;
  const pipe = new net.Socket({ fd, readable: true, writable: true });
  life.bind(pipe, true);
  return pipe;
}

/**
 * A client's: the socket for node's http2 session over `socket`, which is still
 * connecting. The pipe says it is connecting too (http2 waits for its 'connect') until
 * our handshake is done; then the relay starts, or, if the socket did not move to the
 * native transport, cleartext is pumped between it and the pair in JS. Null when no
 * socketpair can be made.
 */
export function relayClientCleartext(socket: TLSSocket): net.Socket | null {
  let fds: [number, number];
  try {
    fds = binding.socketPair();
  } catch {
    return null;
  }
  let [own] = fds;
  const pipe = new net.Socket({ fd: fds[1], readable: true, writable: true });
  // (net.Socket's own field, which @types/node calls read-only.)
  const state = pipe as { connecting: boolean };
  state.connecting = true;
  const release = (): void => {
    if (own < 0) return;
    closeSync(own);
    own = -1;
  };
  const early = (error?: Error): void => {
    release();
    pipe.destroy(error);
  };
  const earlyClose = (): void => early();
  socket.once('error', early);
  socket.once('close', earlyClose);
  socket.once('secureConnect', () => {
    // From here on RelayLife ties the two sockets' ends.
    socket.removeListener('error', early);
    socket.removeListener('close', earlyClose);
    const life = new RelayLife(socket);
    const fd = own;
    own = -1;
    let relayed = true;
    try {
      if (socket._relayCleartext(life.onEnd, fd) === null) {
        relayed = false;
        pump(socket, fd, life);
      }
    } catch (error) {
      socket.destroy(error as Error);
      return;
    }
    life.bind(pipe, relayed);
    state.connecting = false;
    pipe.emit('connect');
  });
  return pipe;
}

/** The JS transport's relay: the pair's end `fd` and `socket` piped both ways in JS. */
function pump(socket: TLSSocket, fd: number, life: RelayLife): void {
  const end = new net.Socket({ fd, readable: true, writable: true });
  socket.pipe(end);
  end.pipe(socket, { end: false });
  end.once('end', life.onEnd);
  end.on('error', (error: Error) => socket.destroy(error));
  socket.once('close', () => end.destroy());
}
