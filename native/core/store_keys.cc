// OSSL_STORE keys and the provider list. No N-API here.
#include "core/store_keys.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

namespace otls {

namespace {

void FreeUiMethod(UI_METHOD* m) { UI_destroy_method(m); }
using UiMethodPtr = std::unique_ptr<UI_METHOD, Deleter<UI_METHOD, FreeUiMethod>>;
void CloseStore(OSSL_STORE_CTX* s) { OSSL_STORE_close(s); }
using StorePtr = std::unique_ptr<OSSL_STORE_CTX, Deleter<OSSL_STORE_CTX, CloseStore>>;
using StoreInfoPtr = std::unique_ptr<OSSL_STORE_INFO, Deleter<OSSL_STORE_INFO, OSSL_STORE_INFO_free>>;

int CollectProvider(OSSL_PROVIDER* provider, void* out) noexcept {
  ProviderInfo info;
  info.name = OSSL_PROVIDER_get0_name(provider);
  char* version = nullptr;
  char* buildinfo = nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_VERSION, &version, 0),
      OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, &buildinfo, 0),
      OSSL_PARAM_construct_end(),
  };
  if (OSSL_PROVIDER_get_params(provider, params) == 1) {
    if (version != nullptr) info.version = version;
    if (buildinfo != nullptr) info.buildinfo = buildinfo;
  }
  static_cast<std::vector<ProviderInfo>*>(out)->push_back(std::move(info));
  return 1;
}

}  // namespace

EvpPkeyPtr LoadStoreKey(const std::string& uri, const Passphrase* pass) {
  // OpenSSL's default UI would prompt on the terminal; this one answers from
  // `pass` (or with nothing) through the PEM passphrase callback.
  UiMethodPtr ui(UI_UTIL_wrap_read_pem_callback(PassphraseCallback, 0));
  if (!ui) return nullptr;
  void* userdata = const_cast<Passphrase*>(pass);  // read only, through OpenSSL's non-const callback data
  StorePtr store(OSSL_STORE_open_ex(uri.c_str(), nullptr, nullptr, ui.get(), userdata, nullptr, nullptr, nullptr));
  if (!store) return nullptr;
  // Only private keys: a store may hold certificates and public keys beside them.
  OSSL_STORE_expect(store.get(), OSSL_STORE_INFO_PKEY);
  while (OSSL_STORE_eof(store.get()) == 0) {
    StoreInfoPtr info(OSSL_STORE_load(store.get()));
    if (!info) {
      if (OSSL_STORE_error(store.get()) != 0) return nullptr;
      continue;
    }
    if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) {
      return EvpPkeyPtr(OSSL_STORE_INFO_get1_PKEY(info.get()));
    }
  }
  return nullptr;
}

std::vector<ProviderInfo> LoadedProviders() {
  std::vector<ProviderInfo> out;
  OSSL_PROVIDER_do_all(nullptr, CollectProvider, &out);
  return out;
}

}  // namespace otls
