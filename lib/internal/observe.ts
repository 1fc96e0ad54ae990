// What a program, an APM tool or NODE_DEBUG sees of our sockets besides their
// events: node:tls's debug lines (NODE_DEBUG=tls: util.debuglog('tls')), and
// diagnostics channels:
//  - net.server.socket: a server's connection on the native transport, whose raw
//    socket net never makes (on the JS transport net publishes it itself);
//  - openssl-tls:handshake:start { socket, server }: a handshake begins;
//  - openssl-tls:handshake:end { socket, server, protocol, cipher, resumed, durationMs };
//  - openssl-tls:error { socket, server, error }: a socket fails (its 'error' or its
//    server's 'tlsClientError').
import * as diagnostics from 'node:diagnostics_channel';
import { debuglog } from 'node:util';

/** node:tls's debug lines: printed with NODE_DEBUG=tls. */
export const debug = debuglog('tls');

export const channels = {
  serverSocket: diagnostics.channel('net.server.socket'),
  handshakeStart: diagnostics.channel('openssl-tls:handshake:start'),
  handshakeEnd: diagnostics.channel('openssl-tls:handshake:end'),
  error: diagnostics.channel('openssl-tls:error'),
};

/** Milliseconds on the monotonic clock (the one libuv's loop time reads). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
