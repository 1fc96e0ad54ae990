// A server's options as node:tls keeps them: the context options
// setSecureContext() records on the server (where a program may read them
// back), the ones that outlive a setSecureContext() call (sessionTimeout,
// ticketKeys), and the deprecated setOptions().
import { defaultSessionIdContext } from '../context/ticket_keys';
import { validateObject } from '../internal/validators';

/** The context options node:tls records on its server, falsy ones as undefined (its order). */
const kRecorded = [
  'pfx',
  'key',
  'passphrase',
  'cert',
  'clientCertEngine',
  'ca',
  'minVersion',
  'maxVersion',
  'secureProtocol',
  'crl',
] as const;

/**
 * What setSecureContext(options) does to the server before it makes the
 * context, as node:tls does it: records the options on `server` and returns the
 * options the context is made from (honorCipherOrder defaults to true, the
 * session id context to one of this program's command line, and a
 * sessionTimeout or ticketKeys given before stays unless replaced).
 */
export function recordContextOptions(server: object, options: unknown): Record<string, unknown> {
  validateObject(options, 'options');
  const o = options;
  const self = server as Record<string, unknown>;
  for (const name of kRecorded) self[name] = o[name] || undefined;
  self.sigalgs = o.sigalgs;
  self.ciphers = o.ciphers || undefined;
  self.ecdhCurve = o.ecdhCurve;
  self.dhparam = o.dhparam || undefined;
  self.honorCipherOrder = o.honorCipherOrder !== undefined ? Boolean(o.honorCipherOrder) : true;
  self.secureOptions = o.secureOptions || undefined;
  self.sessionIdContext = o.sessionIdContext || defaultSessionIdContext();
  if (o.sessionTimeout) self.sessionTimeout = o.sessionTimeout;
  if (o.ticketKeys) self.ticketKeys = o.ticketKeys;
  self.privateKeyIdentifier = o.privateKeyIdentifier;
  self.privateKeyEngine = o.privateKeyEngine;
  // Options node:tls has no name for (ciphersuites, ...) reach the context too.
  return {
    ...o,
    ...Object.fromEntries(kRecorded.map((name) => [name, self[name]])),
    ciphers: self.ciphers,
    dhparam: self.dhparam,
    honorCipherOrder: self.honorCipherOrder,
    secureOptions: self.secureOptions,
    sessionIdContext: self.sessionIdContext,
    sessionTimeout: self.sessionTimeout,
    ticketKeys: self.ticketKeys,
  };
}

/** The options of a server's connections that setOptions() may change. */
export interface ConnectionSettings {
  requestCert: boolean;
  rejectUnauthorized: boolean;
  ALPNProtocols?: unknown;
  pskCallback?: unknown;
  pskIdentityHint?: unknown;
}

/**
 * The deprecated server.setOptions(options), as node:tls has it: records the
 * context options on the server without making a new context (the next
 * setSecureContext() call keeps its sessionTimeout and ticketKeys), and returns
 * the settings of new connections (certificate request, ALPN list, PSK).
 */
export function setOptionsRecord(server: object, options: Record<string, unknown>): ConnectionSettings {
  const o = options;
  const self = server as Record<string, unknown>;
  for (const name of kRecorded) if (o[name]) self[name] = o[name];
  if (o.ciphers) self.ciphers = o.ciphers;
  if (o.ecdhCurve !== undefined) self.ecdhCurve = o.ecdhCurve;
  if (o.dhparam) self.dhparam = o.dhparam;
  if (o.sessionTimeout) self.sessionTimeout = o.sessionTimeout;
  if (o.ticketKeys) self.ticketKeys = o.ticketKeys;
  self.honorCipherOrder = o.honorCipherOrder !== undefined ? Boolean(o.honorCipherOrder) : true;
  if (o.secureOptions) self.secureOptions = o.secureOptions;
  self.sessionIdContext = o.sessionIdContext || defaultSessionIdContext();
  if (o.sigalgs) self.sigalgs = o.sigalgs;
  if (o.privateKeyIdentifier !== undefined) self.privateKeyIdentifier = o.privateKeyIdentifier;
  if (o.privateKeyEngine !== undefined) self.privateKeyEngine = o.privateKeyEngine;
  return {
    requestCert: o.requestCert === true,
    rejectUnauthorized: o.rejectUnauthorized !== false,
    ALPNProtocols: o.ALPNProtocols || undefined,
    pskCallback: o.pskCallback || undefined,
    pskIdentityHint: o.pskIdentityHint || undefined,
  };
}
