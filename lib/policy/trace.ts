// Looking into a connection: enableTrace (OpenSSL's SSL_trace on stderr, as
// node:tls prints it) and the 'keylog' listeners that switch key logging on;
// node's --trace-tls and --tls-keylog=FILE flags, which do both for every socket.
import type { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs';
import { binding } from '../internal/binding';
import { invalidArgType } from '../internal/errors';
import { nodeBooleanFlag, nodeStringFlag } from '../internal/node_flags';

let traceTlsWarned = false;

/** node --trace-tls: the enableTrace of every socket that does not say (one warning per process). */
export function traceTlsDefault(): boolean {
  const on = nodeBooleanFlag('--trace-tls');
  if (on && !traceTlsWarned) {
    traceTlsWarned = true;
    process.emitWarning('Enabling --trace-tls can expose sensitive data in the resulting log.');
  }
  return on;
}

/** The enableTrace option of connect() and new TLSSocket(): a boolean, as node:tls checks; null or undefined: --trace-tls. */
export function traceOption(value: unknown): boolean {
  if (value === undefined || value === null) return traceTlsDefault();
  if (typeof value !== 'boolean') throw invalidArgType('options.enableTrace', 'boolean', value);
  return value;
}

/** node --tls-keylog=FILE: the file every socket appends its key-log lines to. */
export function keylogFile(): string | undefined {
  return nodeStringFlag('--tls-keylog') || undefined;
}

let keylogWarned = false;
let keylogErrorWarned = false;

/** What node:tls does for --tls-keylog on each socket: a 'keylog' listener appending to the file. */
function logKeysToFile(socket: EventEmitter, file: string): void {
  if (!keylogWarned) {
    keylogWarned = true;
    process.emitWarning(
      `Using --tls-keylog makes TLS connections insecure by writing secret key material to file ${file}`,
    );
  }
  socket.on('keylog', (line: Buffer) => {
    appendFile(file, line, { mode: 0o600 }, (err) => {
      if (err && !keylogErrorWarned) {
        keylogErrorWarned = true;
        process.emitWarning(`Failed to write TLS keylog (this warning will not be repeated): ${String(err)}`);
      }
    });
  });
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
  const file = keylogFile();
  if (file !== undefined) logKeysToFile(socket, file);
}
