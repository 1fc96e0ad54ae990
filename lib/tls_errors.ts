// Socket-level errors with node:tls's codes and messages (argument errors are
// in lib/errors.ts, which also makes these).
import { codedError, type NodeError } from './errors';

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

export function socketClosed(): NodeError {
  return codedError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed');
}

/** A certificate verification failure: code is OpenSSL's verify code name. */
export function verifyError(code: string, message: string): NodeError {
  return codedError(Error, code, message);
}
