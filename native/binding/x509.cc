// X509 certificates as Node's legacy certificate objects, built from what
// native/core/x509_fields.cc reads (every string already printed the way Node prints
// it), so that objects compare deepEqual with
// crypto.X509Certificate#toLegacyObject().
#include "binding/x509.h"

#include <string>
#include <utility>
#include <vector>

#include "binding/errors.h"
#include "binding/js_array.h"
#include "core/ossl.h"
#include "core/x509_fields.h"

namespace otls {

namespace {

// Makes objects with a null prototype, as Node does for subject, issuer and infoAccess.
class NullProtoObjects {
 public:
  explicit NullProtoObjects(Napi::Env env)
      : env_(env), create_(env.Global().Get("Object").As<Napi::Object>().Get("create").As<Napi::Function>()) {}
  Napi::Object New() const { return create_.Call({env_.Null()}).As<Napi::Object>(); }

 private:
  Napi::Env env_;
  Napi::Function create_;
};

Napi::Buffer<unsigned char> BytesBuffer(Napi::Env env, const std::vector<unsigned char>& bytes) {
  return Napi::Buffer<unsigned char>::Copy(env, bytes.data(), bytes.size());
}

// subject / issuer: one value as a string, more as an array.
Napi::Object NameObject(Napi::Env env, const NameFields& fields, const NullProtoObjects& objects) {
  Napi::Object result = objects.New();
  for (const NameField& field : fields) {
    if (field.values.size() == 1) {
      result.Set(field.key, field.values[0]);
      continue;
    }
    result.Set(field.key, ToJsArray(env, field.values));
  }
  return result;
}

// infoAccess: every value in an array.
Napi::Object InfoAccessObject(Napi::Env env, const NameFields& fields, const NullProtoObjects& objects) {
  Napi::Object result = objects.New();
  for (const NameField& field : fields) result.Set(field.key, ToJsArray(env, field.values));
  return result;
}

Napi::Object CertificateObject(Napi::Env env, X509* cert, const NullProtoObjects& objects) {
  CertificateFields fields;
  const char* failure = nullptr;
  if (!ReadCertificateFields(cert, &fields, &failure)) ThrowFromQueue(env, failure);

  Napi::Object obj = Napi::Object::New(env);
  if (fields.subject) obj.Set("subject", NameObject(env, *fields.subject, objects));
  if (fields.issuer) obj.Set("issuer", NameObject(env, *fields.issuer, objects));

  if (fields.subjectaltname_presence == Presence::kValue) {
    obj.Set("subjectaltname", fields.subjectaltname);
  } else if (fields.subjectaltname_presence == Presence::kNull) {
    obj.Set("subjectaltname", env.Null());
  }
  if (fields.info_access_presence == Presence::kValue) {
    obj.Set("infoAccess", InfoAccessObject(env, fields.info_access, objects));
  } else if (fields.info_access_presence == Presence::kNull) {
    obj.Set("infoAccess", env.Null());
  }

  obj.Set("ca", Napi::Boolean::New(env, fields.ca));

  if (fields.rsa) {
    const RsaKeyFields& rsa = *fields.rsa;
    obj.Set("modulus", rsa.modulus);
    obj.Set("bits", Napi::Number::New(env, rsa.bits));
    obj.Set("exponent", rsa.exponent);
    obj.Set("pubkey", BytesBuffer(env, rsa.pubkey));
  } else if (fields.ec) {
    const EcKeyFields& ec = *fields.ec;
    obj.Set("bits", Napi::Number::New(env, ec.bits));
    if (ec.pubkey) obj.Set("pubkey", BytesBuffer(env, *ec.pubkey));
    if (ec.asn1_curve) obj.Set("asn1Curve", *ec.asn1_curve);
    if (ec.nist_curve) obj.Set("nistCurve", *ec.nist_curve);
  }

  obj.Set("valid_from", fields.valid_from);
  obj.Set("valid_to", fields.valid_to);
  obj.Set("fingerprint", fields.fingerprint);
  obj.Set("fingerprint256", fields.fingerprint256);
  obj.Set("fingerprint512", fields.fingerprint512);

  if (fields.ext_key_usage) {
    obj.Set("ext_key_usage", ToJsArray(env, *fields.ext_key_usage));
  }

  obj.Set("serialNumber", fields.serial_number);
  obj.Set("raw", BytesBuffer(env, fields.raw));
  return obj;
}

// ---- Issuer chain ----------------------------------------------------------

// Removes and returns the certificate in pool that issued cert, if any.
X509Ptr TakeIssuer(STACK_OF(X509) * pool, X509* cert) {
  for (int i = 0; i < sk_X509_num(pool); ++i) {
    if (X509_check_issued(sk_X509_value(pool, i), cert) == X509_V_OK) return X509Ptr(sk_X509_delete(pool, i));
  }
  return nullptr;
}

// Copies of the certificates in chain (may be null), leaving out skip.
X509StackPtr CopyChain(Napi::Env env, STACK_OF(X509) * chain, X509* skip) {
  X509StackPtr copy(sk_X509_new_null());
  if (!copy) ThrowFromQueue(env, "Failed to allocate a certificate stack");
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* c = sk_X509_value(chain, i);
    if (X509_cmp(c, skip) == 0) continue;
    if (!X509_up_ref(c)) continue;
    X509Ptr ref(c);  // our reference, until the stack takes it
    if (!sk_X509_push(copy.get(), ref.get())) ThrowFromQueue(env, "Failed to allocate a certificate stack");
    (void)ref.release();  // the stack's now
  }
  return copy;
}

// The issuer of cert as our trust store knows it (the root the peer left out).
X509Ptr IssuerFromStore(SSL* ssl, X509* cert) {
  SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
  X509_STORE* store = ctx == nullptr ? nullptr : SSL_CTX_get_cert_store(ctx);
  if (store == nullptr) return nullptr;
  X509StoreCtxPtr store_ctx(X509_STORE_CTX_new());
  if (!store_ctx || !X509_STORE_CTX_init(store_ctx.get(), store, nullptr, nullptr)) return nullptr;
  X509* issuer = nullptr;
  if (X509_STORE_CTX_get1_issuer(&issuer, store_ctx.get(), cert) != 1) return nullptr;
  return X509Ptr(issuer);
}

}  // namespace

Napi::Object CertificateToObject(Napi::Env env, X509* cert) {
  ClearErrorOnReturn clear;
  NullProtoObjects objects(env);
  return CertificateObject(env, cert, objects);
}

Napi::Value PeerCertificateObject(Napi::Env env, SSL* ssl, bool detailed) {
  ClearErrorOnReturn clear;
  X509Ptr peer(SSL_get1_peer_certificate(ssl));
  if (!peer) return env.Null();
  NullProtoObjects objects(env);
  Napi::Object result = CertificateObject(env, peer.get(), objects);
  if (!detailed) return result;

  // The client's view of the peer chain starts with the leaf, the server's does
  // not; CopyChain leaves the leaf out either way.
  X509StackPtr sent = CopyChain(env, SSL_get_peer_cert_chain(ssl), peer.get());
  X509StackPtr verified = CopyChain(env, SSL_get0_verified_chain(ssl), peer.get());

  std::vector<X509Ptr> chain;  // keeps every linked certificate alive while we walk
  X509* cert = peer.get();
  Napi::Object obj = result;
  // A bound on the walk, in case a pool holds a cycle of cross-signed certificates.
  for (int depth = 0; depth < 100; ++depth) {
    if (X509_check_issued(cert, cert) == X509_V_OK) {
      obj.Set("issuerCertificate", obj);
      break;
    }
    X509Ptr issuer = TakeIssuer(sent.get(), cert);
    if (!issuer) issuer = TakeIssuer(verified.get(), cert);
    if (!issuer) issuer = IssuerFromStore(ssl, cert);
    if (!issuer) break;
    bool seen = X509_cmp(issuer.get(), peer.get()) == 0;
    for (const X509Ptr& c : chain) seen = seen || X509_cmp(issuer.get(), c.get()) == 0;
    if (seen) break;
    Napi::Object issuer_obj = CertificateObject(env, issuer.get(), objects);
    obj.Set("issuerCertificate", issuer_obj);
    obj = issuer_obj;
    cert = issuer.get();
    chain.push_back(std::move(issuer));
  }
  return result;
}

Napi::Value CertificateDer(Napi::Env env, X509* cert) {
  ClearErrorOnReturn clear;
  if (cert == nullptr) return env.Null();
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) ThrowFromQueue(env, "Failed to encode the certificate");
  auto buf = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
  unsigned char* p = buf.Data();
  i2d_X509(cert, &p);
  return buf;
}

}  // namespace otls
