// One synchronous call made on node:tls and on openssl-tls, compared by what the
// program sees: 'ok', or the thrown error's name, code and message.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as ours from '../../lib/index';

export type Tls = typeof nodeTls;

export const mods: Array<[string, Tls]> = [
  ['ours', ours as unknown as Tls],
  ['node', nodeTls],
];

/** What a call threw (name, code, message), or 'ok'. */
export function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    const err = e as Error & { code?: string };
    return `${err.name} ${String(err.code)} ${err.message}`;
  }
}

/** The same outcome on both modules; returns it. */
export function same(fn: (tls: Tls) => unknown): string {
  const [mine, theirs] = mods.map(([, tls]) => outcome(() => fn(tls)));
  assert.equal(mine, theirs);
  return mine ?? '';
}
