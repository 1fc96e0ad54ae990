// Server name indication on the server: the contexts added with
// server.addContext(hostname, context), and the SNICallback made from them when
// the user gives none (node:tls's default).
import { makeContext } from '../context/factory';
import { SecureContext, type SecureContextOptions } from '../context/secure_context';
import { binding } from '../internal/binding';
import { invalidArgType, tlsRequiredServerName } from '../internal/errors';
import type { ClientHelloStep, Guard } from './pause';

export type SNICallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext | null) => void) => void;

interface Entry {
  pattern: RegExp;
  context: SecureContext;
}

/** Hostname patterns ('*.example.com' matches one label) and their contexts; later additions win. */
export class SniContexts {
  readonly #entries: Entry[] = [];

  get size(): number {
    return this.#entries.length;
  }

  add(hostname: string, context: SecureContext | SecureContextOptions): void {
    if (!hostname) throw tlsRequiredServerName();
    if (typeof hostname !== 'string') throw invalidArgType('hostname', 'string', hostname);
    const escaped = hostname.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*');
    const ctx = context instanceof SecureContext ? context : makeContext(context ?? {});
    this.#entries.push({ pattern: new RegExp(`^${escaped}$`, 'i'), context: ctx });
  }

  find(servername: string): SecureContext | undefined {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i];
      if (e !== undefined && e.pattern.test(servername)) return e.context;
    }
    return undefined;
  }

  /** The default SNICallback: the best match, or the server's own context. */
  readonly callback: SNICallback = (servername, cb) => {
    cb(null, this.find(servername) ?? null);
  };
}

/**
 * The SNI step of a ClientHello pause: asks the callback for the context of
 * the name the client sent (none sent: the callback is not called, as in
 * node:tls). An answer that is not a SecureContext (or its native context) fails
 * that socket with a TypeError.
 */
export function sniStep(callback: SNICallback, guard: () => Guard, self: unknown): ClientHelloStep {
  return (hello, answer, next) => {
    if (hello.servername === '') {
      next();
      return;
    }
    const cb = guard()((err: Error | null, ctx?: SecureContext | null) => {
      if (err) {
        next(err);
        return;
      }
      // node:tls takes `ctx.context || ctx`: a SecureContext or its native context. Another
      // object is a TypeError on that socket (its message, no code); what is not an object
      // leaves the server's context in place.
      const native: unknown = ctx ? (ctx as { context?: unknown }).context || ctx : undefined;
      if (native !== null && typeof native === 'object') {
        if (!(native instanceof binding.SecureContext)) {
          next(new TypeError('Invalid SNI context'));
          return;
        }
        answer.context = native;
      }
      next();
    });
    try {
      // node:tls calls it with `this` the server's socket.
      callback.call(self, hello.servername, cb);
    } catch (err) {
      next(err instanceof Error ? err : new Error(String(err)));
    }
  };
}
