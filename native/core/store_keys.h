// Keys by URI through OSSL_STORE (OpenSSL 3's way to reach keys held by a
// provider: pkcs11:, a TPM's handle: or a TSS2 key file through tpm2-openssl,
// file:), with the providers the system's openssl.cnf loads; and the list of
// providers loaded. No N-API here.
#pragma once

#include <string>
#include <vector>

#include "core/context_loading.h"
#include "core/ossl.h"

namespace otls {

// The first private key at `uri`, its passphrase or PIN prompt answered from
// pass (never the terminal). Null when the store cannot be opened or holds no
// private key: OpenSSL's reasons, if it gave any, on the error queue.
EvpPkeyPtr LoadStoreKey(const std::string& uri, const Passphrase* pass);

struct ProviderInfo {
  std::string name;
  std::string version;    // empty when the provider does not say
  std::string buildinfo;  // likewise
};

// The providers loaded in the default library context, in OpenSSL's order.
std::vector<ProviderInfo> LoadedProviders();

}  // namespace otls
