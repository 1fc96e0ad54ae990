// https.Agent on openssl-tls: node's Agent (keep-alive pools, scheduling, the
// per-origin TLS session cache of maxCachedSessions, servername from the Host
// header) with its connections made by our connect(). request() and get() are
// node's ClientRequest with this module's globalAgent as the default.
import * as http from 'node:http';
import * as https from 'node:https';
import { URL, urlToHttpOptions } from 'node:url';
import { connect, type ConnectionOptions } from '../connect';
import { adoptingBase, callableClass } from '../internal/callable';
import type { TLSSocket } from '../socket/tls_socket';

/** Agent options: node's https.AgentOptions (maxCachedSessions, servername, TLS options). */
export type AgentOptions = https.AgentOptions;

/** The session cache node's https.Agent keeps (its own methods; not in @types/node). */
interface SessionCache {
  _getSession(key: string): Buffer | undefined;
  _cacheSession(key: string, session: Buffer): void;
  _evictSession(key: string): void;
}

type CreateConnectionOptions = ConnectionOptions & { _agentKey?: string };

/** node's https.Agent, whose sockets are openssl-tls TLSSockets. */
class HttpsAgent extends adoptingBase(https.Agent) {
  // Declared so that Agent.length is 1, as node's.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(options?: AgentOptions) {
    super(options);
  }

  /**
   * node's createConnection(port, host, options) forms: connects with openssl-tls,
   * offers the cached session for the agent key, caches the sessions the server sends,
   * and forgets the key's session when the connection fails.
   */
  override createConnection(...args: unknown[]): TLSSocket {
    const [port, host] = args;
    let options: CreateConnectionOptions;
    if (port !== null && typeof port === 'object') {
      options = port;
    } else if (host !== null && typeof host === 'object') {
      options = { ...(host as CreateConnectionOptions) };
    } else {
      const third = args[2];
      options = third !== null && typeof third === 'object' ? { ...(third as CreateConnectionOptions) } : {};
    }
    if (typeof port === 'number') options.port = port;
    if (typeof host === 'string') options.host = host;
    const key = options._agentKey;
    const cache = this as unknown as SessionCache;
    if (key) {
      const session = cache._getSession(key);
      if (session) options = { session, ...options };
    }
    const socket = connect(options);
    if (key) {
      socket.on('session', (session: Buffer) => cache._cacheSession(key, session));
      socket.once('close', (hadError: boolean) => {
        if (hadError) cache._evictSession(key);
      });
    }
    return socket;
  }
}

/** node's https.Agent: a class, and callable without `new` (and by old-style subclasses) as node's is. */
export type Agent = HttpsAgent;
export const Agent = callableClass(HttpsAgent, 'Agent', true);

/** As node's https.globalAgent: keep-alive, LIFO, 5 s socket timeout. */
export const globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });

type ResponseListener = (res: http.IncomingMessage) => void;
type RequestOptions = https.RequestOptions;

/** node's https.request() call forms, over openssl-tls (this module's globalAgent by default). */
export function request(url: string | URL, options?: RequestOptions, callback?: ResponseListener): http.ClientRequest;
export function request(options: RequestOptions | string | URL, callback?: ResponseListener): http.ClientRequest;
export function request(...args: unknown[]): http.ClientRequest {
  let options: Record<string, unknown> = {};
  const first = args[0];
  if (typeof first === 'string') {
    args.shift();
    options = urlToHttpOptions(new URL(first)) as Record<string, unknown>;
  } else if (first instanceof URL) {
    args.shift();
    options = urlToHttpOptions(first) as Record<string, unknown>;
  }
  if (args[0] && typeof args[0] !== 'function') Object.assign(options, args.shift());
  options._defaultAgent = exportsAgent();
  args.unshift(options);
  return Reflect.construct(http.ClientRequest, args) as http.ClientRequest;
}

/** node's https.get(): request() and end(). */
export function get(url: string | URL, options?: RequestOptions, callback?: ResponseListener): http.ClientRequest;
export function get(options: RequestOptions | string | URL, callback?: ResponseListener): http.ClientRequest;
export function get(...args: unknown[]): http.ClientRequest {
  const req = (request as (...a: unknown[]) => http.ClientRequest)(...args);
  req.end();
  return req;
}

// node reads module.exports.globalAgent at each request, so a program may replace it.
let currentGlobalAgent: () => https.Agent = () => globalAgent;
function exportsAgent(): https.Agent {
  return currentGlobalAgent();
}

/** lib/https.ts: where the default agent of request() is read from (the module's globalAgent). */
export function readGlobalAgentFrom(read: () => https.Agent): void {
  currentGlobalAgent = read;
}
