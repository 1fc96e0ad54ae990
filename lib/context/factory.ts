// tls.createSecureContext as the module exports it. node:tls's own callers (connect(),
// Server, a TLSSocket made without a context, addContext(), createSecurePair()) call
// the exported function, so a program that replaces it (a wrapper that records or
// adjusts options) sees every context made; ours do the same through this hook.
import { createSecureContext, type SecureContext, type SecureContextOptions } from './secure_context';

export type ContextFactory = (options?: SecureContextOptions) => SecureContext;

export const contextFactory: { current: ContextFactory } = { current: createSecureContext };

/** A context from `options`, made by tls.createSecureContext as it is now. */
export function makeContext(options?: SecureContextOptions): SecureContext {
  return contextFactory.current(options);
}

/** True when a program has replaced tls.createSecureContext. */
export function contextFactoryReplaced(): boolean {
  return contextFactory.current !== createSecureContext;
}
