// The system's trust store: the one store of system roots every context that
// trusts them shares, and the listing behind tls.rootCertificates.
#include "core/root_store.h"

#include <dirent.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/context_loading.h"

namespace otls {

// The system roots: one store per process, filled from OpenSSL's default verify
// paths (the CA file is read once; the hashed directory is searched lazily) and
// shared by every context that trusts the default roots. X509_STORE locks
// itself, so worker threads may share it too. Deliberately never freed: every
// context may hold it until exit, and freeing after OPENSSL_cleanup would crash.
X509_STORE* SharedRootStore() {
  static X509_STORE* const store = [] {
    X509StorePtr s(X509_STORE_new());
    if (s && X509_STORE_set_default_paths(s.get()) != 1) s.reset();
    ERR_clear_error();
    return s.release();  // never freed (see above)
  }();
  return store;
}

// A store of this context's own that starts with the system roots.
X509StorePtr CopyOfRootStore(const char** failure) {
  X509_STORE* roots = SharedRootStore();
  X509StorePtr store(X509_STORE_new());
  if (!store || roots == nullptr) {
    *failure = "Failed to create a certificate store";
    return nullptr;
  }
  X509StackPtr certs(X509_STORE_get1_all_certs(roots));
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(certs.get(), i)) != 1) {
      *failure = "Failed to copy the system roots";
      return nullptr;
    }
  }
  // Certificates only in the hashed directory are looked up lazily, as before.
  X509_LOOKUP* dir = X509_STORE_add_lookup(store.get(), X509_LOOKUP_hash_dir());
  if (dir == nullptr || X509_LOOKUP_add_dir(dir, nullptr, X509_FILETYPE_DEFAULT) != 1) ERR_clear_error();
  return store;
}

namespace {

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

std::vector<std::string> RootCertificatesPem() {
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
    for (const std::string& name : names) {
      std::string path = dir;
      path += '/';
      path += name;
      AppendCertsFromFile(path, &certs);
    }
  }

  std::set<std::string> seen;
  std::vector<std::string> pems;
  for (const X509Ptr& cert : certs) {
    unsigned char* der_out = nullptr;
    int len = i2d_X509(cert.get(), &der_out);
    OpenSSLBytes der(der_out);
    if (len <= 0) continue;
    std::string key(reinterpret_cast<char*>(der.get()), static_cast<size_t>(len));
    if (!seen.insert(key).second) continue;
    std::string pem = CertToPem(cert.get());
    if (!pem.empty()) pems.push_back(std::move(pem));
  }
  return pems;
}

}  // namespace otls
