// Session ticket keys of an SSL_CTX (core/ticket_keys.h).
#include "core/ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace otls {

namespace {

struct TicketKeys {
  TicketKeys() = default;
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;
  TicketKeys(TicketKeys&&) = delete;
  TicketKeys& operator=(TicketKeys&&) = delete;
  ~TicketKeys() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  std::mutex mu;
  std::vector<unsigned char> bytes = std::vector<unsigned char>(kTicketKeySize);
};

void FreeTicketKeys(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/) {
  std::unique_ptr<TicketKeys> owned(static_cast<TicketKeys*>(ptr));
}

int TicketKeysIndex() {
  static const int index =
      CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr, FreeTicketKeys);
  return index;
}

TicketKeys* TicketKeysOf(const SSL_CTX* ctx) {
  return static_cast<TicketKeys*>(SSL_CTX_get_ex_data(ctx, TicketKeysIndex()));
}

// SSL_CTX_set_tlsext_ticket_key_evp_cb: 1 = keys set up, 2 = set up with a
// previous key (the ticket is renewed), 0 = unknown key name (the ticket is
// ignored and a full handshake follows), -1 = failure.
int TicketKeyCallback(SSL* ssl, unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher_ctx,
                      EVP_MAC_CTX* mac_ctx, int encrypt) noexcept {
  TicketKeys* keys = TicketKeysOf(SSL_get_SSL_CTX(ssl));
  if (keys == nullptr) return -1;
  unsigned char k[kTicketKeySize];
  int result = 0;  // no key has this name
  {
    std::lock_guard<std::mutex> lock(keys->mu);
    const size_t count = keys->bytes.size() / kTicketKeySize;
    for (size_t i = 0; i < count; ++i) {
      const unsigned char* key = keys->bytes.data() + i * kTicketKeySize;
      if (encrypt || CRYPTO_memcmp(key_name, key, 16) == 0) {
        std::memcpy(k, key, sizeof(k));
        result = i == 0 ? 1 : 2;  // 2: accepted, and renewed under the current key
        break;
      }
    }
  }
  if (result == 0) return 0;
  const unsigned char* name = k;
  unsigned char* hmac_key = k + 16;
  const unsigned char* aes_key = k + 32;
  const int iv_len = EVP_CIPHER_get_iv_length(EVP_aes_128_cbc());
  if (encrypt) {
    std::memcpy(key_name, name, 16);
    if (RAND_bytes(iv, iv_len) != 1) result = -1;
  }
  if (result > 0) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, hmac_key, 16),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(mac_ctx, params) != 1 ||
        (encrypt ? EVP_EncryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, aes_key, iv)
                 : EVP_DecryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, aes_key, iv)) != 1) {
      result = -1;
    }
  }
  OPENSSL_cleanse(k, sizeof(k));
  return result;
}

}  // namespace

bool InstallTicketKeys(SSL_CTX* ctx) {
  // Random keys, so getTicketKeys() always has 48 bytes to show.
  auto keys = std::make_unique<TicketKeys>();
  if (TicketKeysIndex() < 0 || RAND_bytes(keys->bytes.data(), static_cast<int>(kTicketKeySize)) != 1 ||
      SSL_CTX_set_ex_data(ctx, TicketKeysIndex(), keys.get()) != 1) {
    return false;
  }
  (void)keys.release();  // owned by the SSL_CTX now (FreeTicketKeys)
  return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TicketKeyCallback) == 1;
}

bool SetTicketKeys(SSL_CTX* ctx, const unsigned char* data, size_t len) {
  TicketKeys* keys = TicketKeysOf(ctx);
  if (keys == nullptr) return false;
  std::vector<unsigned char> ring(data, data + len);
  std::lock_guard<std::mutex> lock(keys->mu);
  OPENSSL_cleanse(keys->bytes.data(), keys->bytes.size());
  keys->bytes.swap(ring);
  return true;
}

bool GetTicketKeys(const SSL_CTX* ctx, std::vector<unsigned char>* out) {
  TicketKeys* keys = TicketKeysOf(ctx);
  if (keys == nullptr) return false;
  std::lock_guard<std::mutex> lock(keys->mu);
  *out = keys->bytes;
  return true;
}

}  // namespace otls
