#include "binding/secure_context.h"

#include <openssl/crypto.h>

#include <string>
#include <vector>

#include "binding/errors.h"
#include "binding/js_array.h"
#include "binding/type_tags.h"
#include "core/context_callbacks.h"
#include "core/context_loading.h"
#include "core/narrow.h"
#include "core/root_store.h"
#include "core/ssl_conf.h"
#include "core/store_keys.h"
#include "core/ticket_keys.h"

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

// A PEM argument: bytes, or a string (node:tls's context methods take either). A
// string's UTF-8 is kept in *text for as long as the view is used.
Bytes PemArg(const Napi::CallbackInfo& info, size_t i, const char* name, std::string* text) {
  if (!info[i].IsString()) return BytesArg(info, i, name);
  *text = info[i].As<Napi::String>().Utf8Value();
  return Bytes{reinterpret_cast<const unsigned char*>(text->data()), text->size()};
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

// A failed loading step (native/core/context_loading.h) as node:tls reports it.
void ThrowIfFailed(Napi::Env env, const LoadResult& result) {
  if (result.ok) return;
  if (result.from_queue) ThrowFromQueue(env, result.message);
  throw CodedError(env, result.code, result.message);
}

}  // namespace

// The engine `id`, initialised, or node:tls's error: OpenSSL's reasons when it
// gave some, else ERR_CRYPTO_ENGINE_UNKNOWN; a failed ENGINE_init is
// ERR_CRYPTO_OPERATION_FAILED.
EngineHandle OpenEngineOrThrow(Napi::Env env, const std::string& id) {
  if (!EnginesSupported()) {
    throw CodedError(env, "ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED", "Custom engines not supported by this OpenSSL");
  }
  EngineHandle engine;
  switch (OpenEngine(id, &engine)) {
    case EngineOpen::kOk:
      return engine;
    case EngineOpen::kInitFailed:
      throw CodedError(env, "ERR_CRYPTO_OPERATION_FAILED", "Failure to initialize engine");
    case EngineOpen::kNotFound:
      break;
  }
  if (ERR_peek_error() != 0) throw ErrorStoreFromQueue(env, "");
  throw CodedError(env, "ERR_CRYPTO_ENGINE_UNKNOWN", "Engine \"" + id + "\" was not found");
}

// ---------------------------------------------------------------------------

Napi::Function SecureContext::Init(Napi::Env env) {
  // Writable and configurable like the methods of a JS class (node's too), so
  // they can be wrapped, e.g. by a test recording what each option applied.
  constexpr auto kMethod = static_cast<napi_property_attributes>(napi_writable | napi_configurable);
  Napi::Function ctor =
      DefineClass(env, "SecureContext",
                  {
                      InstanceMethod<&SecureContext::SetProtoVersions>("setProtoVersions", kMethod),
                      InstanceMethod<&SecureContext::SetOptions>("setOptions", kMethod),
                      InstanceMethod<&SecureContext::SetKey>("setKey", kMethod),
                      InstanceMethod<&SecureContext::SetCert>("setCert", kMethod),
                      InstanceMethod<&SecureContext::AddCACert>("addCACert", kMethod),
                      InstanceMethod<&SecureContext::AddRootCerts>("addRootCerts", kMethod),
                      InstanceMethod<&SecureContext::SetAllowPartialTrustChain>("setAllowPartialTrustChain", kMethod),
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
                      InstanceMethod<&SecureContext::ApplyConfig>("applyConfig", kMethod),
                      InstanceMethod<&SecureContext::SetEngineKey>("setEngineKey", kMethod),
                      InstanceMethod<&SecureContext::SetClientCertEngine>("setClientCertEngine", kMethod),
                      InstanceMethod<&SecureContext::SetKeyFromUri>("setKeyFromUri", kMethod),
                      InstanceMethod<&SecureContext::Close>("close", kMethod),
                  });
  return ctor;
}

SecureContext::SecureContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SecureContext>(info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Value().TypeTag(&kSecureContextTag);
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

  if (!InstallTicketKeys(ctx)) ThrowFromQueue(env, "Failed to set up session ticket keys");
}

SecureContext* SecureContext::FromValue(Napi::Env env, Napi::Value value) {
  if (SecureContext* sc = UnwrapTagged<SecureContext>(value)) return sc;
  // lib's SecureContext holds the native one in `.context`.
  if (value.IsObject()) {
    if (SecureContext* sc = UnwrapTagged<SecureContext>(value.As<Napi::Object>().Get("context"))) return sc;
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
      const char* failure = nullptr;
      X509StorePtr copy = CopyOfRootStore(&failure);
      if (!copy) ThrowFromQueue(env, failure);
      SSL_CTX_set_cert_store(ctx, copy.release());  // the SSL_CTX owns it now
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
  std::string text;
  Bytes key = PemArg(info, 0, "key", &text);
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
  std::string text;
  Bytes pem = PemArg(info, 0, "cert", &text);
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

// opensslConfig: [[command, value], ...]. A refused command throws OpenSSL's
// error with `command` and `value` saying which (lib/ names it in the message).
void SecureContext::ApplyConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  if (!info[0].IsArray()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"commands\" argument must be an array");
  }
  auto list = info[0].As<Napi::Array>();
  ConfCommands commands;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value entry = list.Get(i);
    Napi::Array pair = entry.IsArray() ? entry.As<Napi::Array>() : Napi::Array::New(env);
    if (pair.Length() != 2 || !pair.Get(0u).IsString() || !pair.Get(1u).IsString()) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "Each command must be a [name, value] pair of strings");
    }
    commands.emplace_back(pair.Get(0u).As<Napi::String>().Utf8Value(), pair.Get(1u).As<Napi::String>().Utf8Value());
  }
  size_t failed = 0;
  if (ApplySslConf(ctx, commands, &failed)) return;
  auto refused = [&]() {
    Napi::Error error = ErrorFromQueue(env, "OpenSSL refused the configuration command");
    if (failed < commands.size()) {
      error.Value().Set("command", commands[failed].first);
      error.Value().Set("value", commands[failed].second);
    }
    return error;
  };
  throw refused();
}

// privateKeyEngine + privateKeyIdentifier: the key `identifier` from the ENGINE
// `engine` (an id, or a shared library's path), held by the engine: only a
// reference to it enters the SSL_CTX. Failures are node:tls's.
void SecureContext::SetEngineKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string identifier = StringArg(info, 0, "identifier");
  std::string engine_id = StringArg(info, 1, "engine");
  Passphrase pass;
  PassphraseArg(info, 2, &pass);
  EngineHandle engine = OpenEngineOrThrow(env, engine_id);
  EvpPkeyPtr key = LoadEngineKey(engine.get(), identifier, &pass);
  if (!key) ThrowFromQueue(env, "ENGINE_load_private_key");
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) ThrowFromQueue(env, "SSL_CTX_use_PrivateKey");
  engines_.push_back(std::move(engine));
}

// clientCertEngine: the ENGINE that supplies this (client) context's certificate.
void SecureContext::SetClientCertEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string engine_id = StringArg(info, 0, "engine");
  // OpenSSL would keep the first engine's reference for ever: once per context.
  if (client_cert_engine_) throw CodedError(env, "ERR_INVALID_STATE", "The client certificate engine is already set");
  EngineHandle engine = OpenEngineOrThrow(env, engine_id);
  if (!UseClientCertEngine(ctx, engine.get())) ThrowFromQueue(env, "SSL_CTX_set_client_cert_engine");
  client_cert_engine_ = true;
  engines_.push_back(std::move(engine));
}

// privateKeyUri: the private key at a URI, through OSSL_STORE and whichever
// provider handles it (loaded by openssl.cnf); a provider-held key stays in
// its provider, the SSL_CTX only refers to it.
void SecureContext::SetKeyFromUri(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string uri = StringArg(info, 0, "uri");
  Passphrase pass;
  PassphraseArg(info, 1, &pass);
  EvpPkeyPtr key = LoadStoreKey(uri, &pass);
  if (!key) {
    if (ERR_peek_error() != 0) ThrowFromQueue(env, "Failed to load the private key");
    throw CodedError(env, "ERR_CRYPTO_OPERATION_FAILED", "No private key found at \"" + uri + "\"");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) ThrowFromQueue(env, "Failed to set private key");
}

void SecureContext::AddCACert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::string text;
  Bytes pem = PemArg(info, 0, "ca", &text);
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

// allowPartialTrustChain: an intermediate CA in the store is a trust anchor (as in
// node:tls, a flag on this context's own store).
void SecureContext::SetAllowPartialTrustChain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (X509_STORE_set_flags(OwnStore(env), X509_V_FLAG_PARTIAL_CHAIN) != 1) {
    ThrowFromQueue(env, "Failed to allow a partial trust chain");
  }
}

void SecureContext::AddCRL(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  std::string text;
  Bytes pem = PemArg(info, 0, "crl", &text);
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
  std::string text;
  Bytes pem = PemArg(info, 0, "dhparam", &text);
  if (pem.len == 0) return Napi::Number::New(env, 0);
  EvpPkeyPtr dh = ReadDhParams(pem.data, pem.len);
  // As node:tls (and its docs) have it: parameters that cannot be read are
  // dropped silently, and DHE cipher suites simply stay unavailable.
  if (!dh) return Napi::Number::New(env, 0);
  int bits = EVP_PKEY_get_bits(dh.get());
  if (bits < 1024) throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "DH parameter is less than 1024 bits");
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, dh.get()) != 1) ThrowFromQueue(env, "Failed to set DH parameters");
  (void)dh.release();  // owned by the SSL_CTX now
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
  // Too long for an unsigned int is too long for OpenSSL too: it refuses it.
  if (SSL_CTX_set_session_id_context(ctx, sid.data, SaturatedCast<unsigned int>(sid.len)) != 1) {
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
  SSL_CTX_set_timeout(ctx, SaturatedCast<long>(info[0].As<Napi::Number>().Int64Value()));
}

void SecureContext::SetTicketKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  Bytes bytes = BytesArg(info, 0, "keys");
  if (bytes.len == 0 || bytes.len % kTicketKeySize != 0) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "Session ticket keys must be 48 bytes per key");
  }
  if (!otls::SetTicketKeys(ctx, bytes.data, bytes.len)) {
    throw CodedError(env, "ERR_INVALID_STATE", "No session ticket keys");
  }
}

Napi::Value SecureContext::GetTicketKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_CTX* ctx = Require(env);
  std::vector<unsigned char> keys;
  if (!otls::GetTicketKeys(ctx, &keys)) throw CodedError(env, "ERR_INVALID_STATE", "No session ticket keys");
  auto out = Napi::Buffer<unsigned char>::Copy(env, keys.data(), keys.size());
  OPENSSL_cleanse(keys.data(), keys.size());
  return out;
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
  engines_.clear();
  client_cert_engine_ = false;
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
  std::vector<const char*> names;
  for (int i = 0; ciphers != nullptr && i < sk_SSL_CIPHER_num(ciphers); ++i) {
    names.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  }
  return ToJsArray(env, names);
}

Napi::Value GetRootCertificates(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return ToJsArray(env, RootCertificatesPem());
}

}  // namespace otls
