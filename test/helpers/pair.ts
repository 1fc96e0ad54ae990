// One TLS connection between a server and a client, each either ours or
// node:tls, and what each side saw: used to hold our behaviour against
// node:tls's for the same options (ALPN, OCSP, keylog, sigalgs tests).
import * as nodeTls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as ours from '../../lib/index';

/** The common shape of both modules, as these tests use them. */
export interface TlsImpl {
  name: 'ours' | 'node';
  createServer(options: Record<string, unknown>, listener?: (socket: nodeTls.TLSSocket) => void): nodeTls.Server;
  connect(options: Record<string, unknown>, listener?: () => void): nodeTls.TLSSocket;
}

export const nodeImpl = { ...nodeTls, name: 'node' } as unknown as TlsImpl;
export const ourImpl = { ...ours, name: 'ours' } as unknown as TlsImpl;
export const impls: TlsImpl[] = [ourImpl, nodeImpl];

export interface SideResult {
  /** Set when the handshake completed ('secureConnection' / 'secureConnect'). */
  socket?: nodeTls.TLSSocket;
  /** The error code when it failed (tlsClientError on the server, 'error' on the client). */
  error?: string;
  errorObject?: Error & { code?: string };
}

export interface PairResult {
  server: SideResult;
  client: SideResult;
}

export interface PairOptions {
  server: TlsImpl;
  client: TlsImpl;
  serverOptions: Record<string, unknown>;
  clientOptions: Record<string, unknown>;
  /** Called with the server before it listens (add listeners). */
  setupServer?: (server: nodeTls.Server) => void;
  /** Called with the client right after connect() returned. */
  setupClient?: (client: nodeTls.TLSSocket) => void;
  /** Runs while both sockets are still open, after both handshakes completed. */
  inspect?: (server: nodeTls.TLSSocket, client: nodeTls.TLSSocket) => void;
  timeoutMs?: number;
}

/**
 * Makes one connection and waits until both sides are done (secure or failed)
 * and closed. Whatever `inspect` needs must be read there: the sockets are
 * destroyed before this resolves.
 */
export async function runPair(o: PairOptions): Promise<PairResult> {
  const result: PairResult = { server: {}, client: {} };
  const timeoutMs = o.timeoutMs ?? 10_000;
  let serverSocket: nodeTls.TLSSocket | undefined;
  let serverDone!: () => void;
  const serverSettled = new Promise<void>((resolve) => (serverDone = resolve));
  const server = o.server.createServer(o.serverOptions, (socket) => {
    serverSocket = socket;
    result.server.socket = socket;
    socket.on('error', () => {});
    serverDone();
  });
  server.on('tlsClientError', (err: Error & { code?: string }, socket: nodeTls.TLSSocket) => {
    result.server.error = err.code ?? err.message;
    result.server.errorObject = err;
    socket.destroy();
    serverDone();
  });
  o.setupServer?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const timer = setTimeout(() => serverDone(), timeoutMs);
  try {
    const client = o.client.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o.clientOptions });
    o.setupClient?.(client);
    const clientSettled = new Promise<void>((resolve) => {
      client.once('secureConnect', () => {
        result.client.socket = client;
        resolve();
      });
      client.once('error', (err: Error & { code?: string }) => {
        result.client.error = err.code ?? err.message;
        result.client.errorObject = err;
        resolve();
      });
      client.once('close', () => resolve());
      setTimeout(resolve, timeoutMs).unref();
    });
    await Promise.all([clientSettled, serverSettled]);
    if (o.inspect && serverSocket && result.client.socket) o.inspect(serverSocket, client);
    const closed = new Promise<void>((resolve) => {
      if (client.destroyed) resolve();
      else client.once('close', () => resolve());
    });
    client.on('error', () => {});
    client.destroy();
    serverSocket?.destroy();
    await closed;
  } finally {
    clearTimeout(timer);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return result;
}
