// Socket-level errors with node:tls's codes and messages.

export interface CodedError extends Error {
  code: string;
}

function coded<E extends Error>(error: E, code: string): E & CodedError {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error as E & CodedError;
}

/** Node's ECONNRESET "socket hang up" family. */
export function connReset(message: string): CodedError {
  return coded(new Error(message), 'ECONNRESET');
}

export function handshakeTimeout(): CodedError {
  return coded(new Error('TLS handshake timeout'), 'ERR_TLS_HANDSHAKE_TIMEOUT');
}

export function dhParamSize(size: number, min: number): CodedError {
  return coded(new Error(`DH parameter size ${size} is less than ${min}`), 'ERR_TLS_DH_PARAM_SIZE');
}

export function multipleCallback(): CodedError {
  return coded(new Error('Callback called multiple times'), 'ERR_MULTIPLE_CALLBACK');
}

export function socketClosed(): CodedError {
  return coded(new Error('Socket is closed'), 'ERR_SOCKET_CLOSED');
}

/** A certificate verification failure: code is OpenSSL's verify code name. */
export function verifyError(code: string, message: string): CodedError {
  return coded(new Error(message), code);
}
