// Session ticket keys and the session id context: what a server's context
// needs so that sessions it issues resume (see docs/sessions.md).
import { createHash } from 'node:crypto';
import { invalidArgType, invalidArgValue } from '../internal/errors';
import { isArrayBufferView } from '../internal/validators';

const KEY_LENGTH = 48;

function toBuffer(view: NodeJS.ArrayBufferView): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Ticket keys as the native context takes them: 48 bytes (node:tls), or, an
 * extension, an array of 48-byte keys: the first issues tickets and all of them
 * are accepted (a ticket opened with a later one is renewed under the first).
 */
export function ticketKeyRing(keys: unknown, name: string): Buffer {
  if (Array.isArray(keys)) {
    // (An empty list is refused as node:tls refuses any array.)
    if (keys.length === 0) throw invalidArgType(name, ['Buffer', 'TypedArray', 'DataView'], keys);
    return Buffer.concat(keys.map((key: unknown, i) => oneTicketKey(key, `${name}[${i}]`)));
  }
  return oneTicketKey(keys, name);
}

function oneTicketKey(key: unknown, name: string): Buffer {
  if (!isArrayBufferView(key)) throw invalidArgType(name, ['Buffer', 'TypedArray', 'DataView'], key);
  if (key.byteLength !== KEY_LENGTH) throw invalidArgValue(name, key.byteLength, 'must be exactly 48 bytes');
  return toBuffer(key);
}

/**
 * node:tls's default sessionIdContext for a server: the first 32 hex digits of
 * the SHA-1 of the command line, so that two different programs sharing a
 * session store (or ticket keys) do not resume each other's sessions. Without
 * one, OpenSSL refuses to resume sessions of a server that asks for client
 * certificates.
 */
export function defaultSessionIdContext(): string {
  return createHash('sha1').update(process.argv.join(' ')).digest('hex').slice(0, 32);
}
