// setEngine(id[, flags]): node's crypto.setEngine, on the system OpenSSL this
// module runs on (node's own crypto runs on node's copy, so crypto.setEngine
// would not reach it). The engine (an id, or the path of its shared library)
// becomes OpenSSL's default for the ENGINE_METHOD_* flags, all by default.
import { binding } from '../internal/binding';
import { customEngineNotSupported, engineUnknown, invalidArgType } from '../internal/errors';
import { validateString } from '../internal/validators';

/** ENGINE_METHOD_ALL: every method the engine offers. */
const ENGINE_METHOD_ALL = 0xffff;

export function setEngine(id: string, flags?: number): void {
  validateString(id, 'id');
  if (flags && typeof flags !== 'number') throw invalidArgType('flags', 'number', flags);
  let methods = (flags ?? 0) >>> 0;
  if (methods === 0) methods = ENGINE_METHOD_ALL;
  if (!binding.features.engine) throw customEngineNotSupported();
  if (!binding.setEngine(id, methods)) throw engineUnknown(id);
}
