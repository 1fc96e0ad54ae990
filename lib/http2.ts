// openssl-tls/http2: node's http2 module with its TLS on openssl-tls:
// createSecureServer() (lib/http/http2_server.ts) and connect() to https:
// authorities (lib/http/http2_client.ts). What has no TLS in it (createServer()
// for h2c, settings helpers, constants, the compatibility classes) is node's own.
import * as http2 from 'node:http2';
import { connect } from './http/http2_client';
import { createSecureServer } from './http/http2_server';
import { writableExports } from './internal/exports';

export type { ClientSessionOptions } from './http/http2_client';
// node:tls's certificate types; and with them TLSSocket's node:tls signatures (lib/types.ts),
// which a program importing only this entry point needs too.
export type { DetailedPeerCertificate, PeerCertificate } from './types';
export type { SecureServerOptions } from './http/http2_server';
export type { SecureServer as Http2SecureServer } from './http/http2_server';
export { connect, createSecureServer };

export const {
  constants,
  createServer,
  getDefaultSettings,
  getPackedSettings,
  getUnpackedSettings,
  performServerHandshake,
  sensitiveHeaders,
  Http2ServerRequest,
  Http2ServerResponse,
} = http2;

// Writable, as node's http2 exports are (an APM agent may wrap connect by assignment).
writableExports(module.exports as Record<string, unknown>);
