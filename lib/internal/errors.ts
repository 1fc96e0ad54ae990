// Every error lib/ makes, with node's codes and node's exact messages: the one
// place an ERR_* code is spelled (OpenSSL's errors are made in native/, the
// one place there).
//
// node makes two kinds of coded errors, and they print differently:
//  - nodeError(): thrown by node's JS (argument validation and the like). Its
//    stack and toString() read "TypeError [ERR_X]: message".
//  - codedError(): thrown by node's C++ (ERR_CRYPTO_OPERATION_FAILED, ...).
//    It prints as a plain "Error: message" and carries `code`.
// Either way `code` is an own enumerable property, so util.inspect shows it.
import { constants as osConstants } from 'node:os';
import { inspect } from 'node:util';

export interface NodeError extends Error {
  code: string;
}

type ErrorClass = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

function withCode<E extends Error>(error: E, code: string): E & NodeError {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error as E & NodeError;
}

/** An error as node's JS throws it: "TypeError [ERR_X]: message". */
export function nodeError(Base: ErrorClass, code: string, message: string): NodeError {
  const error = new Base(message);
  // The stack header is written when the stack is first read: read it while
  // the name carries the code, then let the plain name show again.
  Object.defineProperty(error, 'name', { value: `${error.name} [${code}]`, configurable: true, writable: true });
  // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator
  void error.stack;
  delete (error as { name?: string }).name;
  Object.defineProperty(error, 'toString', {
    value(this: Error) {
      return `${this.name} [${code}]: ${this.message}`;
    },
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return withCode(error, code);
}

/** An error as node's C++ throws it: "Error: message", with a code. */
export function codedError(Base: ErrorClass, code: string, message: string): NodeError {
  return withCode(new Base(message), code);
}

// ---------------------------------------------------------------------------
// How node describes values in messages.

// Type names (node accepts 'Function' and 'Object' for the lower-case ones).
const kTypeNames = new Set([
  'string',
  'function',
  'number',
  'object',
  'Function',
  'Object',
  'boolean',
  'bigint',
  'symbol',
]);
const kClassName = /^([A-Z][a-z0-9]*)+$/;

function listWithOr(items: string[]): string {
  if (items.length > 2) return `${items.slice(0, -1).join(', ')}, or ${items[items.length - 1]}`;
  return items.join(' or ');
}

/** "type number (5)", "an instance of Foo", "null", "function foo", ... */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${(value as { name?: string }).name ?? ''}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown: string;
  if (typeof value === 'string') {
    // A long string is cut before it is quoted.
    shown = inspect(value.length > 28 ? `${value.slice(0, 25)}...` : value, { colors: false });
  } else {
    shown = inspect(value, { colors: false });
    if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  }
  return `type ${typeof value} (${shown})`;
}

/** 4294967297 -> "4_294_967_297", as node prints large numbers in range errors. */
function withSeparators(digits: string): string {
  const start = digits.startsWith('-') ? 1 : 0;
  let out = '';
  let i = digits.length;
  for (; i >= start + 4; i -= 3) out = `_${digits.slice(i - 3, i)}${out}`;
  return `${digits.slice(0, i)}${out}`;
}

// ---------------------------------------------------------------------------
// Argument errors.

/**
 * ERR_INVALID_ARG_TYPE. `name` is "options.key" (a property, because of the
 * dot), "secureOptions" (an argument) or "x argument"; `expected` lists type
 * names ('string'), class names ('Buffer') and values ('null').
 */
export function invalidArgType(name: string, expected: string | string[], actual: unknown): NodeError {
  const wanted = Array.isArray(expected) ? expected : [expected];
  let msg = 'The ';
  if (name.endsWith(' argument')) msg += `${name} `;
  else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
  msg += 'must be ';

  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of wanted) {
    if (kTypeNames.has(value)) {
      types.push(value.toLowerCase());
    } else if (kClassName.test(value)) {
      instances.push(value);
    } else {
      other.push(value);
    }
  }
  // "object" next to class names reads better as "an instance of ..., or Object".
  if (instances.length > 0 && types.includes('object')) {
    types.splice(types.indexOf('object'), 1);
    instances.push('Object');
  }
  if (types.length > 0) {
    msg += types.length > 1 ? `one of type ${listWithOr(types)}` : `of type ${types[0]}`;
    if (instances.length > 0 || other.length > 0) msg += ' or ';
  }
  if (instances.length > 0) {
    msg += `an instance of ${listWithOr(instances)}`;
    if (other.length > 0) msg += ' or ';
  }
  if (other.length > 0) {
    if (other.length > 1) msg += `one of ${listWithOr(other)}`;
    else msg += other[0].toLowerCase() !== other[0] ? `an ${other[0]}` : other[0];
  }
  msg += `. Received ${describeReceived(actual)}`;
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', msg);
}

/** ERR_INVALID_ARG_VALUE: "The property 'options.x' is invalid. Received ..." */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): NodeError {
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${shown}`);
}

/** ERR_OUT_OF_RANGE: 'The value of "x" is out of range. It must be <range>. Received <value>' */
export function outOfRange(name: string, range: string, value: unknown): NodeError {
  let received: string;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 32) {
    received = withSeparators(String(value));
  } else if (typeof value === 'bigint') {
    received = String(value);
    if (value > 2n ** 32n || value < -(2n ** 32n)) received = withSeparators(received);
    received += 'n';
  } else {
    received = inspect(value);
  }
  return nodeError(
    RangeError,
    'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${received}`,
  );
}

/** ERR_MISSING_ARGS: 'The "a" argument must be specified' (or "a" and "b", ...). */
export function missingArgs(...names: string[]): NodeError {
  const quoted = names.map((n) => `"${n}"`);
  let list: string;
  if (quoted.length <= 2) list = quoted.join(' and ');
  else list = `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
  return nodeError(
    TypeError,
    'ERR_MISSING_ARGS',
    `The ${list} argument${names.length > 1 ? 's' : ''} must be specified`,
  );
}

// ---------------------------------------------------------------------------
// TLS errors thrown while building a SecureContext.

/** "%j" as node's message formatter prints it ('undefined' for what JSON cannot say). */
function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return '[Circular]';
  }
}

export function tlsInvalidProtocolVersion(protocol: unknown, which: 'minimum' | 'maximum'): NodeError {
  return nodeError(
    TypeError,
    'ERR_TLS_INVALID_PROTOCOL_VERSION',
    `${json(protocol)} is not a valid ${which} TLS protocol version`,
  );
}

export function tlsProtocolVersionConflict(version: unknown, secureProtocol: unknown): NodeError {
  return nodeError(
    TypeError,
    'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
    `TLS protocol version ${json(version)} conflicts with secureProtocol ${json(secureProtocol)}`,
  );
}

/** Thrown by node's C++: "Unknown method: X", "SSLv3 methods disabled". */
export function tlsInvalidProtocolMethod(message: string): NodeError {
  return codedError(TypeError, 'ERR_TLS_INVALID_PROTOCOL_METHOD', message);
}

export function cryptoOperationFailed(message: string): NodeError {
  return codedError(Error, 'ERR_CRYPTO_OPERATION_FAILED', message);
}

/** node's error for an engine option where the OpenSSL (here: the addon) cannot load engines. */
export function customEngineNotSupported(): NodeError {
  return nodeError(Error, 'ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED', 'Custom engines not supported by this OpenSSL');
}

/** crypto.setEngine's error for an engine OpenSSL would not make the default. */
export function engineUnknown(id: string): NodeError {
  return nodeError(Error, 'ERR_CRYPTO_ENGINE_UNKNOWN', `Engine "${id}" was not found`);
}

export function tlsInvalidContext(name: string): NodeError {
  return nodeError(TypeError, 'ERR_TLS_INVALID_CONTEXT', `${name} must be a SecureContext`);
}

/**
 * ERR_INVALID_ARG_TYPE for a `secureContext` option that is no SecureContext of
 * this module; one made by node:tls's createSecureContext() is named as such.
 */
export function invalidSecureContext(name: string, value: unknown): NodeError {
  const inner = (value as { context?: { constructor?: { name?: string } } } | null)?.context;
  const fromNode = value?.constructor?.name === 'SecureContext' && inner?.constructor?.name === 'SecureContext';
  if (!fromNode) return invalidArgType(name, 'SecureContext', value);
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError(
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" ${kind} must be an instance of SecureContext made by this module's createSecureContext(). Received a SecureContext made by node:tls`,
  );
}

/** server.setTicketKeys() with a key of the wrong size: node:tls's assertion. */
export function tlsTicketKeysLength(): NodeError {
  return nodeError(Error, 'ERR_INTERNAL_ASSERTION', 'Session ticket keys must be a 48-byte buffer');
}

export function tlsRequiredServerName(): NodeError {
  return nodeError(Error, 'ERR_TLS_REQUIRED_SERVER_NAME', '"servername" is required parameter for Server.addContext');
}

// ---------------------------------------------------------------------------
// Socket-level errors.

/** Node's ECONNRESET "socket hang up" family. */
export function connReset(message: string): NodeError {
  return codedError(Error, 'ECONNRESET', message);
}

export function handshakeTimeout(): NodeError {
  return codedError(Error, 'ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout');
}

export function dhParamSize(size: number, min: number): NodeError {
  return codedError(Error, 'ERR_TLS_DH_PARAM_SIZE', `DH parameter size ${size} is less than ${min}`);
}

/** node's errnoException(UV_ECANCELED, 'write'): a write the closing socket never made. */
export function writeCancelled(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('write ECANCELED');
  err.errno = -osConstants.errno.ECANCELED;
  err.code = 'ECANCELED';
  err.syscall = 'write';
  return err;
}

export function socketClosed(): NodeError {
  return codedError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed');
}

/** A certificate verification failure: code is OpenSSL's verify code name. */
export function verifyError(code: string, message: string): NodeError {
  return codedError(Error, code, message);
}

/** A user callback answering a handshake pause was called twice. */
export function multipleCallback(): NodeError {
  return codedError(Error, 'ERR_MULTIPLE_CALLBACK', 'Callback called multiple times');
}

export function sessionAttack(): NodeError {
  return nodeError(Error, 'ERR_TLS_SESSION_ATTACK', 'TLS session renegotiation attack detected');
}

export function renegotiationDisabled(): NodeError {
  return nodeError(Error, 'ERR_TLS_RENEGOTIATION_DISABLED', 'TLS session renegotiation disabled for this socket');
}

export function alpnCallbackWithProtocols(): NodeError {
  return nodeError(
    TypeError,
    'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS',
    'The ALPNCallback and ALPNProtocols TLS options are mutually exclusive',
  );
}

export function alpnCallbackInvalidResult(protocol: string, protocols: string[]): NodeError {
  return nodeError(
    TypeError,
    'ERR_TLS_ALPN_CALLBACK_INVALID_RESULT',
    `ALPN callback returned a value (${protocol}) that did not match any of the client's offered protocols (${protocols.join(', ')})`,
  );
}

export function npnUnsupported(): NodeError {
  return codedError(
    Error,
    'ERR_TLS_NPN_UNSUPPORTED',
    'NPNProtocols: the system OpenSSL was built without NPN (OPENSSL_NO_NEXTPROTONEG)',
  );
}

/** node:tls's words for an OCSPRequest answer that is not a buffer. */
export function ocspResponseNotBuffer(): NodeError {
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', 'OCSP response must be a buffer');
}

export function tlsSniFromServer(): NodeError {
  return nodeError(Error, 'ERR_TLS_SNI_FROM_SERVER', 'Cannot issue SNI from a TLS server-side socket');
}

export function tlsInvalidState(message: string): NodeError {
  return nodeError(Error, 'ERR_TLS_INVALID_STATE', message);
}
