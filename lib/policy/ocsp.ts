// OCSP stapling, server side: the 'OCSPRequest' event as a step of the
// certificate pause (lib/pause.ts).
//
// The native Connection stops there only when the client asked for a status
// (status_request) and the server had OCSPRequest listeners when the
// connection came in. The step emits
//   server.emit('OCSPRequest', certificate, issuer, callback)
// with the DER of the certificate chosen and of its issuer (null when neither
// the chain nor the trust store has it); callback(null, response) staples the
// response (a Buffer; null or nothing staples nothing), callback(err) fails
// the socket with err (tlsClientError). A second call is ERR_MULTIPLE_CALLBACK,
// one after the socket closed does nothing.
//
// The client side (requestOCSP, the 'OCSPResponse' event) is in lib/socket/driver.ts.
import type { EventEmitter } from 'node:events';
import { ocspResponseNotBuffer } from '../internal/errors';
import { isArrayBufferView } from '../internal/validators';
import type { CertificateStep, Guard } from './pause';

export type OCSPRequestCallback = (err: Error | null, response?: Buffer | null) => void;

export function ocspRequestStep(server: EventEmitter, guard: () => Guard): CertificateStep {
  return (pause, answer, next) => {
    if (pause.certificate === null || server.listenerCount('OCSPRequest') === 0) {
      next();
      return;
    }
    const callback = guard()((err?: Error | null, response?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      // node:tls staples any truthy buffer and ignores a falsy answer.
      if (response) {
        if (!isArrayBufferView(response)) {
          next(ocspResponseNotBuffer());
          return;
        }
        const bytes = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
        if (bytes.length > 0) answer.ocspResponse = bytes;
      }
      next();
    });
    try {
      server.emit('OCSPRequest', pause.certificate, pause.issuer, callback);
    } catch (err) {
      next(err instanceof Error ? err : new Error(String(err)));
    }
  };
}
