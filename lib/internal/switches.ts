// Which transport a server or client connection runs on, and the switches the
// test and bench runs force: the native TCP transport (C++ owns the socket) is
// the default; OPENSSL_TLS_TRANSPORT=native or js overrides every option.
import { invalidArgType } from './errors';

const kDefaultNativeTransport = true;

/**
 * A boolean option that an environment variable can force (`on`/`off` values),
 * as the test and bench runs do; its default otherwise. A value that is not a
 * boolean throws whatever the environment says.
 */
export function forcedBooleanOption(
  name: string,
  value: unknown,
  env: string | undefined,
  on: string,
  off: string,
  dflt: boolean,
): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(`options.${name}`, 'boolean', value);
  if (env === on) return true;
  if (env === off) return false;
  return value ?? dflt;
}

/** The `nativeTransport` option of createServer() and connect(). */
export const nativeTransportOption = (value: unknown): boolean =>
  forcedBooleanOption(
    'nativeTransport',
    value,
    process.env.OPENSSL_TLS_TRANSPORT,
    'native',
    'js',
    kDefaultNativeTransport,
  );
