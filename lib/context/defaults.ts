// Module defaults that users may change at run time (tls.DEFAULT_CIPHERS = ...):
// lib/index.ts exposes each as a settable export; readers look them up when used
// (createSecureContext reads the DEFAULT_* ones on every call).
import * as nodeTls from 'node:tls';

// node 20's defaults, used when node:tls has none to offer.
const NODE20_DEFAULT_CIPHERS =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:' +
  'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:' +
  'ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:' +
  'DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:' +
  'DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA';

// Start from node:tls's own values (strings only cross), so node's command-line
// switches (--tls-min-v1.0, --tls-max-v1.2, --tls-cipher-list=...) and
// NODE_OPTIONS set our defaults exactly as they set node's.
function initial(value: string | undefined, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/**
 * node's built-in defaults, without command-line switches: a DEFAULT_* that
 * still has this value was not chosen by the program, so the system OpenSSL's
 * policy may be stricter than it (lib/context/system_policy.ts).
 */
export const NODE_DEFAULTS = Object.freeze({
  DEFAULT_CIPHERS: NODE20_DEFAULT_CIPHERS,
  DEFAULT_ECDH_CURVE: 'auto',
  DEFAULT_MIN_VERSION: 'TLSv1.2',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
});

export const defaults = {
  DEFAULT_CIPHERS: initial(nodeTls.DEFAULT_CIPHERS, NODE_DEFAULTS.DEFAULT_CIPHERS),
  DEFAULT_ECDH_CURVE: initial(nodeTls.DEFAULT_ECDH_CURVE, NODE_DEFAULTS.DEFAULT_ECDH_CURVE),
  DEFAULT_MIN_VERSION: initial(nodeTls.DEFAULT_MIN_VERSION, NODE_DEFAULTS.DEFAULT_MIN_VERSION),
  DEFAULT_MAX_VERSION: initial(nodeTls.DEFAULT_MAX_VERSION, NODE_DEFAULTS.DEFAULT_MAX_VERSION),
  /** Client-initiated renegotiations allowed within CLIENT_RENEG_WINDOW seconds. */
  CLIENT_RENEG_LIMIT: 3,
  CLIENT_RENEG_WINDOW: 600,
};
