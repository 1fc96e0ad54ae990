// What openssl-tls/http2 takes from node's own http2: the protocol side of its
// servers. node's createSecureServer() is node:tls's Server with three things of
// http2's on it: the options as http2 normalized them (under a private symbol),
// the 'secureConnection' listener that makes each socket a server session (or
// hands it to HTTP/1 with allowHTTP1), and the 'newListener' hook that turns
// 'stream' into the compatibility API's 'request'. node's plain-TCP server
// (createServer(), h2c) carries the very same three; we read them off one, once,
// and put them on our TLS server, so sessions, streams, settings, timeouts and
// the compatibility API are node's. Checked at load: a node whose http2 is
// shaped otherwise fails here with a clear error.
import * as http2 from 'node:http2';
import type * as net from 'node:net';

type Listener = (this: net.Server, event: string | symbol) => void;

export interface NodeHttp2ServerParts {
  /** The symbol under which an http2 server keeps its normalized options. */
  kOptions: symbol;
  /** 'secureConnection'/'connection': a socket becomes a ServerHttp2Session (or HTTP/1 with allowHTTP1). */
  connectionListener: (this: net.Server, socket: net.Socket) => void;
  /** 'newListener': the first 'request' listener turns on the compatibility API. */
  setupCompat: Listener;
}

function fail(what: string): never {
  throw new Error(`openssl-tls/http2: node's http2 server has no ${what} (node ${process.version})`);
}

/** node's normalized options for `options` (validated as http2.createServer validates them). */
export function normalizedOptions(options: object): Record<string, unknown> {
  const probe = http2.createServer(options);
  const value = (probe as unknown as Record<symbol, unknown>)[parts.kOptions];
  if (value === null || typeof value !== 'object') fail('options');
  return value as Record<string, unknown>;
}

/** The symbol node's http2 keeps a field of `obj` under, found by its description. */
export function nodeSymbol(obj: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(obj).find((s) => s.description === description);
}

/** The socket a session runs over (node's JSStreamSocket around ours), as http2 keeps it. */
export function sessionSocket(session: http2.Http2Session): net.Socket | undefined {
  const kSocket = nodeSymbol(session, 'socket');
  const socket = kSocket === undefined ? undefined : (session as unknown as Record<symbol, unknown>)[kSocket];
  return typeof socket === 'object' && socket !== null ? (socket as net.Socket) : undefined;
}

function load(): NodeHttp2ServerParts {
  const probe = http2.createServer();
  const kOptions = nodeSymbol(probe, 'options') ?? fail('options');
  const [connectionListener] = probe.listeners('connection') as NodeHttp2ServerParts['connectionListener'][];
  if (typeof connectionListener !== 'function' || connectionListener.name !== 'connectionListener') {
    fail('connection listener');
  }
  const [setupCompat] = probe.listeners('newListener') as Listener[];
  if (typeof setupCompat !== 'function' || setupCompat.name !== 'setupCompat') fail('compatibility hook');
  return { kOptions, connectionListener, setupCompat };
}

export const parts: NodeHttp2ServerParts = load();
