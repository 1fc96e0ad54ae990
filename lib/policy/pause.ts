// Answering a handshake that stopped for JS (see "Asynchronous callbacks" in
// docs/ARCHITECTURE.md). Each user callback that takes part (SNICallback,
// resumeSession, ALPNCallback, OCSPRequest) is one step; the steps run in order
// and fill one answer, which goes back to OpenSSL with conn.resume().
import type { NativeCertificatePause, NativeClientHelloPause, NativeResumeAnswer } from '../../typings/native';
import { multipleCallback } from '../internal/errors';

export type Next = (err?: Error | null) => void;

/** One participant in answering a pause; calls next() exactly once. */
export type Step<P> = (hello: P, answer: NativeResumeAnswer, next: Next) => void;
export type ClientHelloStep = Step<NativeClientHelloPause>;
export type CertificateStep = Step<NativeCertificatePause>;

/** A guard for user callbacks: once only, ERR_MULTIPLE_CALLBACK on a second call, nothing after close. */
export type Guard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void;

/**
 * A callback for user code that may call it late, twice, or after the socket
 * is gone: the first call counts; a second one fails the socket with
 * ERR_MULTIPLE_CALLBACK (as node:tls does); any call after the socket closed
 * does nothing.
 */
export function guardedCallback<A extends unknown[]>(
  isClosed: () => boolean,
  fail: (err: Error) => void,
  fn: (...args: A) => void,
): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (isClosed()) return;
    if (called) {
      fail(multipleCallback());
      return;
    }
    called = true;
    fn(...args);
  };
}

/** Runs steps in order; done(err) on the first error, done(null, answer) after the last. */
export function runSteps<P>(
  steps: ReadonlyArray<Step<P>>,
  pause: P,
  done: (err: Error | null, answer: NativeResumeAnswer) => void,
): void {
  const answer: NativeResumeAnswer = {};
  let i = 0;
  const next: Next = (err) => {
    if (err) {
      done(err, answer);
      return;
    }
    const step = steps[i++];
    if (step === undefined) {
      done(null, answer);
      return;
    }
    step(pause, answer, next);
  };
  next();
}
