// Which user callbacks take part in a server's handshake, decided in one place
// for both transports: the socket builds its steps from it, and the native
// listener asks it where new connections must pause (lib/server/).
//
//  ClientHello pause: SNICallback (the name the client asked for), ALPNCallback,
//                     then 'resumeSession' (a session id to look up);
//  certificate pause: 'OCSPRequest' (a client that asked for a stapled status).
import type { EventEmitter } from 'node:events';
import { alpnStep, type ALPNCallback } from './alpn';
import { ocspRequestStep } from './ocsp';
import type { CertificateStep, ClientHelloStep, Guard } from './pause';
import { resumeSessionStep } from './session';
import { sniStep, type SNICallback } from './sni';

export interface StepSources {
  SNICallback: SNICallback | undefined;
  ALPNCallback: ALPNCallback | undefined;
  /** The server whose 'resumeSession' and 'OCSPRequest' listeners take part; null for a socket of none. */
  server: EventEmitter | null;
  /** `this` of the SNICallback and the ALPNCallback: the socket. */
  socket: unknown;
}

export interface HandshakeSteps {
  clientHello: ClientHelloStep[];
  certificate: CertificateStep[];
}

/** The steps of one connection, with the guard of its socket for the callbacks they hand out. */
export function handshakeSteps(src: StepSources, guard: () => Guard): HandshakeSteps {
  const clientHello: ClientHelloStep[] = [];
  const certificate: CertificateStep[] = [];
  if (src.SNICallback !== undefined) clientHello.push(sniStep(src.SNICallback, guard, src.socket));
  if (src.ALPNCallback !== undefined) clientHello.push(alpnStep(src.ALPNCallback, src.socket));
  const server = src.server;
  if (server !== null && server.listenerCount('resumeSession') > 0) clientHello.push(resumeSessionStep(server, guard));
  // OCSPRequest: the handshake stops only if the client asks for a status too.
  if (server !== null && server.listenerCount('OCSPRequest') > 0) certificate.push(ocspRequestStep(server, guard));
  return { clientHello, certificate };
}

/** Where a connection with these sources must stop for JS. */
export function pausePoints(src: StepSources): { pauseOnClientHello: boolean; pauseOnCertificate: boolean } {
  const steps = handshakeSteps(src, () => {
    throw new Error('pausePoints: no callback is handed out');
  });
  return { pauseOnClientHello: steps.clientHello.length > 0, pauseOnCertificate: steps.certificate.length > 0 };
}
