import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';

const live = new WeakMap<Server, Set<Socket>>();

/** Listen on an ephemeral loopback port and return it; close() can then end its connections. */
export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  const sockets = new Set<Socket>();
  live.set(server, sockets);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Close a server, destroying the connections it still has so a failed test cannot hang here. */
export async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of live.get(server) ?? []) s.destroy();
  await done;
}

/** Resolves with the first event, rejects on 'error' or after ms. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: NodeJS.EventEmitter,
  event: string,
  ms = 10000,
): Promise<T> {
  return once(emitter, event, { signal: AbortSignal.timeout(ms) }) as Promise<T>;
}
