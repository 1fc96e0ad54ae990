import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';

const live = new WeakMap<Server, Set<Socket>>();

/** Listen on an ephemeral loopback port and return it; close() can then end its connections. */
export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  const sockets = new Set<Socket>();
  live.set(server, sockets);
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  // A TLS server on the native transport has no raw sockets (a 'connection' listener would
  // make it hand each one to JS): its TLSSockets are tracked instead.
  server.on('secureConnection', track);
  server.on('tlsClientError', (_err: Error, s: Socket) => track(s));
  server.listen(0, host);
  await once(server, 'listening');
  if ((server as Server & { nativeTransport?: boolean }).nativeTransport !== true) server.on('connection', track);
  return (server.address() as AddressInfo).port;
}

/** Close a server, destroying the connections it still has so a failed test cannot hang here. */
export async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of live.get(server) ?? []) s.destroy();
  // Native transport: handshakes under way have no socket object yet.
  (server as Server & { _closeNativePending?: () => void })._closeNativePending?.();
  await done;
}

/** Every byte a stream reads until it ends; rejects on 'error'. */
export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** Resolves with the first event, rejects on 'error' or after ms. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: NodeJS.EventEmitter,
  event: string,
  ms = 10000,
): Promise<T> {
  return once(emitter, event, { signal: AbortSignal.timeout(ms) }) as Promise<T>;
}
