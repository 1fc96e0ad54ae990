// Looking into a connection: enableTrace (OpenSSL's SSL_trace on stderr, as
// node:tls prints it) and the 'keylog' listeners that switch key logging on.
import type { EventEmitter } from 'node:events';
import { binding } from '../internal/binding';
import { invalidArgType } from '../internal/errors';

/** The enableTrace option of connect() and new TLSSocket(): a boolean, as node:tls checks. */
export function traceOption(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidArgType('options.enableTrace', 'boolean', value);
  return value;
}

let warned = false;

/**
 * Turns the trace on for one connection. An OpenSSL built without SSL_trace
 * makes this a no-op (as in node:tls), with one warning per process.
 */
export function enableTrace(conn: { enableTrace(): void } | null): void {
  if (!binding.features.sslTrace) {
    if (!warned) {
      warned = true;
      process.emitWarning('enableTrace: the system OpenSSL was built without SSL_trace (OPENSSL_NO_SSL_TRACE)');
    }
    return;
  }
  conn?.enableTrace();
}

/**
 * node:tls reports key material on a socket once it has a 'keylog' listener;
 * a client gets its listeners after connect() returned, so reporting is
 * switched on when the first one is added.
 */
export function reportKeylogOnListener(socket: EventEmitter, enable: () => void): void {
  const onNewListener = (event: string | symbol): void => {
    if (event !== 'keylog') return;
    socket.removeListener('newListener', onNewListener);
    enable();
  };
  socket.on('newListener', onNewListener);
}
