// providers(): the OpenSSL 3 providers loaded in the system OpenSSL this module
// runs on: the default one, and whatever openssl.cnf (or OPENSSL_CONF's file)
// activates (fips, tpm2, pkcs11, legacy, ...). privateKeyUri reaches their keys.
import { binding } from '../internal/binding';

export interface ProviderInfo {
  name: string;
  /** The provider's version, '' when it does not say. */
  version: string;
  buildinfo: string;
}

export function providers(): ProviderInfo[] {
  return binding.providers();
}
