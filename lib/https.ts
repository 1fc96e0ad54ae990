// openssl-tls/https: node's https module on openssl-tls. Same names and
// signatures: createServer() and Server (lib/http/https_server.ts), request(),
// get(), Agent and globalAgent (lib/http/https_agent.ts).
import type * as https from 'node:https';
import { Agent, get, globalAgent, readGlobalAgentFrom, request } from './http/https_agent';
import { createServer, Server } from './http/https_server';
import { writableExports } from './internal/exports';

export type { AgentOptions } from './http/https_agent';
// node:tls's certificate types; and with them TLSSocket's node:tls signatures (lib/types.ts),
// which a program importing only this entry point needs too.
export type { DetailedPeerCertificate, PeerCertificate } from './types';
export type { ServerOptions } from './http/https_server';
export { Agent, createServer, get, globalAgent, request, Server };

// As node's request(): the default agent is whatever module.exports.globalAgent is now.
readGlobalAgentFrom(() => (module.exports as { globalAgent: https.Agent }).globalAgent);
// Writable, as node's https exports are (`https.globalAgent = new Agent(...)`).
writableExports(module.exports as Record<string, unknown>);
