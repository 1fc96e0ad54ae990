// openssl-tls/register: node's tls, https and http2 modules, as the rest of the
// process sees them, run on openssl-tls. `require('openssl-tls/register')` (or
// `node -r openssl-tls/register app.js`, or NODE_OPTIONS) calls install().
//
// node's modules are objects whose functions node itself looks up at call time,
// so replacing them reaches node's own callers too: https.request()/get() and
// https.Agent (node's createConnection calls tls.connect()), node's bundled fetch
// (undici calls tls.connect()), any library that calls tls.connect(). What node
// fixed when it loaded cannot be reached: classes that extend node's (https.Server
// and http2's servers extend node's tls.Server), and functions or classes a program
// took from the modules before install() (ESM named imports are updated, see
// below). README.md, "HTTP", lists it all.
import { syncBuiltinESMExports } from 'node:module';
// The module objects themselves (default imports; an `import * as` would be a copy).
import nodeHttp2 from 'node:http2';
import nodeHttps from 'node:https';
import nodeTls from 'node:tls';
import * as http2 from './http2';
import * as https from './https';
import * as tls from './index';

type Patch = [target: object, name: string, value: unknown];

/** What install() replaces, with openssl-tls's. */
function patches(): Patch[] {
  return [
    [nodeTls, 'connect', tls.connect],
    [nodeTls, 'createServer', tls.createServer],
    [nodeTls, 'Server', tls.Server],
    [nodeTls, 'TLSSocket', tls.TLSSocket],
    [nodeTls, 'createSecureContext', tls.createSecureContext],
    [nodeTls, 'SecureContext', tls.SecureContext],
    [nodeHttps, 'createServer', https.createServer],
    [nodeHttps, 'Server', https.Server],
    [nodeHttp2, 'createSecureServer', http2.createSecureServer],
    [nodeHttp2, 'connect', http2.connect],
  ];
}

let saved: Patch[] | null = null;

/** Makes node's tls, https and http2 modules run on openssl-tls (idempotent). */
export function install(): void {
  if (saved !== null) return;
  const original: Patch[] = [];
  for (const [target, name, value] of patches()) {
    const t = target as Record<string, unknown>;
    original.push([target, name, t[name]]);
    t[name] = value;
  }
  saved = original;
  // ESM: `import { connect } from 'node:tls'` sees the new functions too.
  syncBuiltinESMExports();
}

/** Puts node's own back (for tests). */
export function uninstall(): void {
  if (saved === null) return;
  for (const [target, name, value] of saved) (target as Record<string, unknown>)[name] = value;
  saved = null;
  syncBuiltinESMExports();
}

/** True while node's modules are openssl-tls's. */
export function installed(): boolean {
  return saved !== null;
}

install();
