#include "binding/secure_context.h"

#include "core/context_callbacks.h"

#include <dirent.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "binding/addon_data.h"
#include "core/context_loading.h"
#include "binding/errors.h"

namespace otls {

namespace {

// ---------------------------------------------------------------------------
// Argument helpers. lib/secure_context.ts validates everything first; these
// only guard the native API against direct misuse.

struct Bytes {
  const unsigned char* data = nullptr;
  size_t len = 0;
};

bool IsBytes(const Napi::Value& v) { return v.IsTypedArray() || v.IsDataView() || v.IsArrayBuffer(); }

Bytes BytesOf(const Napi::Value& v) {
  Bytes b;
  if (v.IsTypedArray()) {
    auto ta = v.As<Napi::TypedArray>();
    b.data = static_cast<const unsigned char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    b.len = ta.ByteLength();
  } else if (v.IsDataView()) {
    auto dv = v.As<Napi::DataView>();
    b.data = static_cast<const unsigned char*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    b.len = dv.ByteLength();
  } else if (v.IsArrayBuffer()) {
    auto ab = v.As<Napi::ArrayBuffer>();
    b.data = static_cast<const unsigned char*>(ab.Data());
    b.len = ab.ByteLength();
  }
  // An empty Buffer may have no backing store; BIO_new_mem_buf refuses null.
  static const unsigned char kEmpty[1] = {0};
  if (b.data == nullptr) b.data = kEmpty;
  return b;
}

Bytes BytesArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!IsBytes(info[i])) {
    throw CodedTypeError(info.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("The \"") + name + "\" argument must be an instance of Buffer");
  }
  return BytesOf(info[i]);
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) {
    throw CodedTypeError(info.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("The \"") + name + "\" argument must be of type string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}

// A passphrase argument into *out: none for undefined or null.
void PassphraseArg(const Napi::CallbackInfo& info, size_t i, Passphrase* out) {
  Napi::Value v = info[i];
  if (v.IsUndefined() || v.IsNull()) return;
  if (v.IsString()) {
    out->value = v.As<Napi::String>().Utf8Value();
  } else if (IsBytes(v)) {
    Bytes b = BytesOf(v);
    out->value.assign(reinterpret_cast<const char*>(b.data), b.len);
  } else {
    throw CodedTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "Pass phrase must be a buffer");
  }
  out->given = true;
}

// A failed loading step (native/context_loading.h) as node:tls reports it.
void ThrowIfFailed(Napi::Env env, const LoadResult& result) {
  if (result.ok) return;
  if (result.from_queue) ThrowFromQueue(env, result.message);
  throw CodedError(env, "ERR_CRYPTO_OPERATION_FAILED", result.message);
}

// ---------------------------------------------------------------------------
// The system roots: one store per process, filled from OpenSSL's default verify
// paths (the CA file is read once; the hashed directory is searched lazily) and
// shared by every context that trusts the default roots. X509_STORE locks
// itself, so worker threads may share it too. Deliberately never freed: every
// context may hold it until exit, and freeing after OPENSSL_cleanup would crash.
X509_STORE* SharedRootStore() {
  static X509_STORE* const store = [] {
    X509_STORE* s = X509_STORE_new();
    if (s != nullptr && X509_STORE_set_default_paths(s) != 1) {
      X509_STORE_free(s);
      s = nullptr;
    }
    ERR_clear_error();
    return s;
  }();
  return store;
}

// A store of this context's own that starts with the system roots.
X509StorePtr CopyOfRootStore(Napi::Env env) {
  X509_STORE* roots = SharedRootStore();
  X509StorePtr store(X509_STORE_new());
  if (!store || roots == nullptr) ThrowFromQueue(env, "Failed to create a certificate store");
  X509StackPtr certs(X509_STORE_get1_all_certs(roots));
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(certs.get(), i)) != 1) {
      ThrowFromQueue(env, "Failed to copy the system roots");
    }
  }
  // Certificates only in the hashed directory are looked up lazily, as before.
  X509_LOOKUP* dir = X509_STORE_add_lookup(store.get(), X509_LOOKUP_hash_dir());
  if (dir == nullptr || X509_LOOKUP_add_dir(dir, nullptr, X509_FILETYPE_DEFAULT) != 1) ERR_clear_error();
  return store;
}

// ---------------------------------------------------------------------------
// Session ticket keys: 16-byte name, 16-byte HMAC-SHA256 key, 16-byte AES-128-CBC
// key. They live in the SSL_CTX's ex_data, so they last exactly as long as the
// SSL_CTX (which an SSL may keep alive after the JS object is gone), and a mutex
// lets setTicketKeys() run while handshakes use them on other threads.
// A key ring: the first key issues tickets; the others (previous keys, during a
// rotation) are still accepted, and a ticket they open is renewed under the first.
constexpr size_t kTicketKeySize = 48;

struct TicketKeys {
  std::mutex mu;
  std::vector<unsigned char> bytes = std::vector<unsigned char>(kTicketKeySize);
  ~TicketKeys() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

void FreeTicketKeys(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/,
                    void* /*argp*/) {
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
    if (EVP_MAC_CTX_set_params(mac_ctx, params) != 1) {
      result = -1;
    } else if (encrypt ? EVP_EncryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, aes_key, iv) != 1
                       : EVP_DecryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, aes_key, iv) != 1) {
      result = -1;
    }
  }
  OPENSSL_cleanse(k, sizeof(k));
  return result;
}

// ---------------------------------------------------------------------------
// Root certificate listing (tls.rootCertificates).

void AppendCertsFromFile(const std::string& path, std::vector<X509Ptr>* out) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return;
  while (X509Ptr cert = X509Ptr(PEM_read_bio_X509_AUX(bio.get(), nullptr, PassphraseCallback, nullptr))) {
    out->push_back(std::move(cert));
  }
}

// The hashed-directory names OpenSSL's lookup reads: 8 hex digits, '.', digits.
bool IsHashedCertName(const std::string& name) {
  size_t dot = name.find('.');
  if (dot != 8 || name.size() < 10) return false;
  for (size_t i = 0; i < 8; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  for (size_t i = 9; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

std::string EnvOr(const char* var, const char* fallback) {
  const char* value = std::getenv(var);
  return value != nullptr ? value : fallback;
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return std::string();
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  while (!pem.empty() && pem.back() == '\n') pem.pop_back();  // as node:tls has it
  return pem;
}

}  // namespace

// ---------------------------------------------------------------------------

Napi::Function SecureContext::Init(Napi::Env env) {
  // Writable and configurable like the methods of a JS class (node's too), so
  // they can be wrapped, e.g. by a test recording what each option applied.
  constexpr auto kMethod = static_cast<napi_property_attributes>(napi_writable | napi_configurable);
  Napi::Function ctor = DefineClass(
      env, "SecureContext",
      {
          InstanceMethod<&SecureContext::SetProtoVersions>("setProtoVersions", kMethod),
          InstanceMethod<&SecureContext::SetOptions>("setOptions", kMethod),
          InstanceMethod<&SecureContext::SetKey>("setKey", kMethod),
          InstanceMethod<&SecureContext::SetCert>("setCert", kMethod),
          InstanceMethod<&SecureContext::AddCACert>("addCACert", kMethod),
          InstanceMethod<&SecureContext::AddRootCerts>("addRootCerts", kMethod),
          InstanceMethod<&SecureContext::AddCRL>("addCRL", kMethod),
          InstanceMethod<&SecureContext::LoadPKCS12>("loadPKCS12", kMethod),
          InstanceMethod<&SecureContext::SetCiphers>("setCiphers", kMethod),
          InstanceMethod<&SecureContext::SetCipherSuites>("setCipherSuites", kMethod),
          InstanceMethod<&SecureContext::SetECDHCurve>("setECDHCurve", kMethod),
          InstanceMethod<&SecureContext::SetDHParam>("setDHParam", kMethod),
          InstanceMethod<&SecureContext::SetSigalgs>("setSigalgs", kMethod),
          InstanceMethod<&SecureContext::SetSessionIdContext>("setSessionIdContext", kMethod),
          InstanceMethod<&SecureContext::SetSessionTimeout>("setSessionTimeout", kMethod),
          InstanceMethod<&SecureContext::SetTicketKeys>("setTicketKeys", kMethod),
          InstanceMethod<&SecureContext::GetTicketKeys>("getTicketKeys", kMethod),
          InstanceMethod<&SecureContext::GetCertificateDer>("getCertificateDer", kMethod),
          InstanceMethod<&SecureContext::BuildChains>("buildChains", kMethod),
          InstanceMethod<&SecureContext::Close>("close", kMethod),
      });
  GetAddonData(env).secure_context = Napi::Persistent(ctor);
  return ctor;
}

SecureContext::SecureContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SecureContext>(info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  ctx_.reset(SSL_CTX_new(TLS_method()));
  if (!ctx_) ThrowFromQueue(env, "Failed to create SSL_CTX");
  SSL_CTX* ctx = ctx_.get();

  // Renegotiation policy is lib's rate limiter, so OpenSSL lets clients ask.
  SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  // Idle connections give their buffers back; a retried write may come from a
  // different (moved) Buffer. Partial writes stay off: a write is taken whole.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  InstallConnectionCallbacks(ctx);

  // Random ticket keys, so getTicketKeys() always has 48 bytes to show.
  auto keys = std::make_unique<TicketKeys>();
  if (TicketKeysIndex() < 0 || RAND_bytes(keys->bytes.data(), static_cast<int>(keys->bytes.size())) != 1 ||
      SSL_CTX_set_ex_data(ctx, TicketKeysIndex(), keys.get()) != 1) {
    ThrowFromQueue(env, "Failed to set up session ticket keys");
  }
  keys.release();  // owned by the SSL_CTX now (FreeTicketKeys)
  if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TicketKeyCallback) != 1) {
    ThrowFromQueue(env, "Failed to set up session ticket keys");
  }
}

SecureContext* SecureContext::FromValue(Napi::Env env, Napi::Value value) {
  AddonData& data = GetAddonData(env);
  if (value.IsObject() && !data.secure_context.IsEmpty()) {
    Napi::Object obj = value.As<Napi::Object>();
    if (obj.InstanceOf(data.secure_context.Value())) return Unwrap(obj);
    Napi::Value inner = obj.Get("context");
    if (inner.IsObject() && inner.As<Napi::Object>().InstanceOf(data.secure_context.Value())) {
      return Unwrap(inner.As<Napi::Object>());
    }
  }
  throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"context\" argument must be a SecureContext");
}

SSL_CTX* SecureContext::Require(Napi::Env env) const {
  if (!ctx_) throw CodedError(env, "ERR_INVALID_STATE", "SecureContext has been closed");
  return ctx_.get();
}

X509_STORE* SecureContext::OwnStore(Napi::Env env) {
  SSL_CTX* ctx = Require(env);
  if (!own_store_) {
    if (shared_roots_) {
      SSL_CTX_set_cert_store(ctx, CopyOfRootStore(env).release());
      shared_roots_ = false;
    }
    // Otherwise the store SSL_CTX_new made is already this context's alone.
    own_store_ = true;
  }
  return SSL_CTX_get_cert_store(ctx);
}

void SecureContext::SetProtoVersions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (!info[0].IsNumber() || !info[1].IsNumber()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "Protocol versions must be numbers");
  }
  int min = info[0].As<Napi::Number>().Int32Value();
  int max = info[1].As<Napi::Number>().Int32Value();
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 || SSL_CTX_set_max_proto_version(ctx, max) != 1) {
    ThrowFromQueue(env, "Failed to set the protocol versions");
  }
}

void SecureContext::SetOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  uint64_t options = 0;
  if (info[0].IsBigInt()) {
    bool lossless = false;
    options = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  } else if (info[0].IsNumber()) {
    options = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  } else {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"options\" argument must be of type bigint");
  }
  SSL_CTX_set_options(ctx, options);
}

void SecureContext::SetKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes key = BytesArg(info, 0, "key");
  Passphrase pass;
  PassphraseArg(info, 1, &pass);
  // With a certificate of the same key type already set, OpenSSL checks that
  // the two match here ("key values mismatch"), which is how node:tls reports it.
  ThrowIfFailed(env, LoadPrivateKey(ctx, key.data, key.len, &pass));
}

void SecureContext::SetCert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes pem = BytesArg(info, 0, "cert");
  ThrowIfFailed(env, LoadCertificate(ctx, pem.data, pem.len));
}

// Builds, once, the chain OpenSSL would otherwise build from the trust store
// on every handshake (for each certificate given without one), then turns that
// per-handshake building off. With the system store that building lists the
// certificate directory each time; the chain sent is the same either way.
void SecureContext::BuildChains(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  STACK_OF(X509)* extra = nullptr;
  SSL_CTX_get_extra_chain_certs_only(ctx, &extra);
  if (extra != nullptr && sk_X509_num(extra) > 0) return;  // sent as given
  for (int r = SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_FIRST); r == 1;
       r = SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_NEXT)) {
    STACK_OF(X509)* chain = nullptr;
    if (SSL_CTX_get0_chain_certs(ctx, &chain) == 1 && chain != nullptr && sk_X509_num(chain) > 0) continue;
    // What the trust store can reach, as far as it reaches; no error if it
    // cannot reach a root (the leaf then goes alone, as it would have).
    SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR | SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR);
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
}

void SecureContext::AddCACert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes pem = BytesArg(info, 0, "ca");
  std::vector<X509Ptr> certs;
  ThrowIfFailed(env, ReadCertificates(pem.data, pem.len, &certs));
  X509_STORE* store = OwnStore(env);
  ThrowIfFailed(env, AddCACertificates(ctx, store, certs));
}

void SecureContext::AddRootCerts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (own_store_) {
    if (X509_STORE_set_default_paths(SSL_CTX_get_cert_store(ctx)) != 1) {
      ThrowFromQueue(env, "Failed to load the system root certificates");
    }
    return;
  }
  if (shared_roots_) return;
  X509_STORE* roots = SharedRootStore();
  if (roots == nullptr) ThrowFromQueue(env, "Failed to load the system root certificates");
  SSL_CTX_set1_cert_store(ctx, roots);
  shared_roots_ = true;
}

void SecureContext::AddCRL(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  Bytes pem = BytesArg(info, 0, "crl");
  std::vector<X509CrlPtr> crls;
  ThrowIfFailed(env, ReadCrls(pem.data, pem.len, &crls));
  ThrowIfFailed(env, AddCrls(OwnStore(env), crls));
}

void SecureContext::LoadPKCS12(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (!IsBytes(info[0])) {
    throw CodedError(env, "ERR_CRYPTO_OPERATION_FAILED", "Unable to load PFX certificate");
  }
  Bytes der = BytesOf(info[0]);
  Passphrase pass;
  PassphraseArg(info, 1, &pass);
  Pkcs12Contents contents;
  ThrowIfFailed(env, ReadPkcs12(der.data, der.len, &pass, &contents));
  // The PFX's other certificates are also trusted: in this context's own store.
  X509_STORE* store = contents.HasExtra() ? OwnStore(env) : nullptr;
  ThrowIfFailed(env, UsePkcs12(ctx, contents, store));
}

void SecureContext::SetCiphers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string ciphers = StringArg(info, 0, "ciphers");
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    // An empty list means "no TLS 1.2 ciphers" (only TLS 1.3 suites), which
    // OpenSSL reports as no match; anything else that matches nothing is an error.
    unsigned long err = ERR_peek_last_error();
    if (ciphers.empty() && ERR_GET_LIB(err) == ERR_LIB_SSL && ERR_GET_REASON(err) == SSL_R_NO_CIPHER_MATCH) return;
    ThrowFromQueue(env, "Failed to set ciphers");
  }
}

void SecureContext::SetCipherSuites(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string suites = StringArg(info, 0, "ciphersuites");
  if (SSL_CTX_set_ciphersuites(ctx, suites.c_str()) != 1) ThrowFromQueue(env, "Failed to set cipher suites");
}

void SecureContext::SetECDHCurve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string curve = StringArg(info, 0, "curve");
  if (curve == "auto") return;  // OpenSSL's own default group list
  if (SSL_CTX_set1_groups_list(ctx, curve.c_str()) != 1) {
    throw CodedError(env, "ERR_CRYPTO_OPERATION_FAILED", "Failed to set ECDH curve");
  }
}

Napi::Value SecureContext::SetDHParam(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (info[0].IsString()) {
    if (info[0].As<Napi::String>().Utf8Value() != "auto") {
      throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "The \"dhparam\" argument must be a Buffer or 'auto'");
    }
    if (SSL_CTX_set_dh_auto(ctx, 1) != 1) ThrowFromQueue(env, "Failed to set DH parameters");
    return Napi::Number::New(env, 0);
  }
  Bytes pem = BytesArg(info, 0, "dhparam");
  if (pem.len == 0) return Napi::Number::New(env, 0);
  EvpPkeyPtr dh = ReadDhParams(pem.data, pem.len);
  // As node:tls (and its docs) have it: parameters that cannot be read are
  // dropped silently, and DHE cipher suites simply stay unavailable.
  if (!dh) return Napi::Number::New(env, 0);
  int bits = EVP_PKEY_get_bits(dh.get());
  if (bits < 1024) throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "DH parameter is less than 1024 bits");
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, dh.get()) != 1) ThrowFromQueue(env, "Failed to set DH parameters");
  dh.release();  // owned by the SSL_CTX now
  return Napi::Number::New(env, bits);
}

void SecureContext::SetSigalgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string sigalgs = StringArg(info, 0, "sigalgs");
  if (SSL_CTX_set1_sigalgs_list(ctx, sigalgs.c_str()) != 1) ThrowFromQueue(env, "Failed to set sigalgs");
}

void SecureContext::SetSessionIdContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes sid = BytesArg(info, 0, "sessionIdContext");
  if (SSL_CTX_set_session_id_context(ctx, sid.data, static_cast<unsigned int>(sid.len)) != 1) {
    ThrowFromQueue(env, "Failed to set the session id context");
  }
}

void SecureContext::SetSessionTimeout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (!info[0].IsNumber()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"timeout\" argument must be of type number");
  }
  SSL_CTX_set_timeout(ctx, static_cast<long>(info[0].As<Napi::Number>().Int64Value()));
}

void SecureContext::SetTicketKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes bytes = BytesArg(info, 0, "keys");
  if (bytes.len == 0 || bytes.len % kTicketKeySize != 0) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "Session ticket keys must be 48 bytes per key");
  }
  TicketKeys* keys = TicketKeysOf(ctx);
  if (keys == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "No session ticket keys");
  std::vector<unsigned char> ring(bytes.data, bytes.data + bytes.len);
  std::lock_guard<std::mutex> lock(keys->mu);
  OPENSSL_cleanse(keys->bytes.data(), keys->bytes.size());
  keys->bytes.swap(ring);
}

Napi::Value SecureContext::GetTicketKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  TicketKeys* keys = TicketKeysOf(ctx);
  if (keys == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "No session ticket keys");
  std::lock_guard<std::mutex> lock(keys->mu);
  return Napi::Buffer<unsigned char>::Copy(env, keys->bytes.data(), keys->bytes.size());
}

Napi::Value SecureContext::GetCertificateDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return env.Null();
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) ThrowFromQueue(env, "Failed to encode certificate");
  auto out = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
  unsigned char* p = out.Data();
  i2d_X509(cert, &p);
  return out;
}

void SecureContext::Close(const Napi::CallbackInfo& /*info*/) {
  ClearErrorOnReturn clear;
  ctx_.reset();
  own_store_ = false;
  shared_roots_ = false;
}

// ---------------------------------------------------------------------------

Napi::Value GetCiphers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  // What a fresh SSL offers: the default TLS 1.2 list (after the system's
  // openssl.cnf) plus every TLS 1.3 suite this OpenSSL implements.
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) ThrowFromQueue(env, "Failed to list ciphers");
  SSL_CTX_set_ciphersuites(ctx.get(),
                           "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
                           "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256");
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) ThrowFromQueue(env, "Failed to list ciphers");
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl.get());
  int n = ciphers != nullptr ? sk_SSL_CIPHER_num(ciphers) : 0;
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.Set(static_cast<uint32_t>(i), SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  }
  return out;
}

Napi::Value GetRootCertificates(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  // The same places X509_STORE_set_default_paths() reads: the CA file, then
  // the hashed directories (SSL_CERT_FILE / SSL_CERT_DIR override both).
  std::vector<X509Ptr> certs;
  AppendCertsFromFile(EnvOr(X509_get_default_cert_file_env(), X509_get_default_cert_file()), &certs);
  std::string dirs = EnvOr(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    std::unique_ptr<DIR, int (*)(DIR*)> handle(opendir(dir.c_str()), closedir);
    if (!handle) continue;
    std::vector<std::string> names;
    while (dirent* entry = readdir(handle.get())) {
      if (IsHashedCertName(entry->d_name)) names.push_back(entry->d_name);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) AppendCertsFromFile(dir + "/" + name, &certs);
  }

  std::set<std::string> seen;
  std::vector<std::string> pems;
  for (const X509Ptr& cert : certs) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len <= 0) continue;
    std::string key(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    if (!seen.insert(key).second) continue;
    std::string pem = CertToPem(cert.get());
    if (!pem.empty()) pems.push_back(std::move(pem));
  }
  Napi::Array out = Napi::Array::New(env, pems.size());
  for (size_t i = 0; i < pems.size(); ++i) out.Set(static_cast<uint32_t>(i), pems[i]);
  return out;
}

}  // namespace otls
