// The system OpenSSL configuration's TLS defaults. No N-API here.
#include "core/system_config.h"

#include <openssl/conf.h>

#include <cstring>

#include "core/ossl.h"

namespace otls {

namespace {

using ConfPtr = std::unique_ptr<CONF, Deleter<CONF, NCONF_free>>;

// NCONF_get_string without the error it queues for a missing name.
std::string ConfString(const CONF* conf, const char* section, const char* name) {
  const char* value = NCONF_get_string(conf, section, name);
  if (value == nullptr) {
    ERR_clear_error();
    return "";
  }
  return value;
}

// The section name -> value pairs, in file order.
std::vector<std::pair<std::string, std::string>> SectionEntries(const CONF* conf, const std::string& section) {
  std::vector<std::pair<std::string, std::string>> out;
  STACK_OF(CONF_VALUE)* values = NCONF_get_section(conf, section.c_str());
  for (int i = 0; values != nullptr && i < sk_CONF_VALUE_num(values); ++i) {
    const CONF_VALUE* v = sk_CONF_VALUE_value(values, i);
    if (v->name != nullptr && v->value != nullptr) out.emplace_back(v->name, v->value);
  }
  return out;
}

void SplitCiphers(STACK_OF(SSL_CIPHER) * list, std::vector<std::string>* older, std::vector<std::string>* tls13) {
  for (int i = 0; list != nullptr && i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    // A TLS 1.3 suite says "TLSv1.3" (older ciphers the version that introduced them).
    std::vector<std::string>* into = std::strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0 ? tls13 : older;
    if (into != nullptr) into->emplace_back(SSL_CIPHER_get_name(c));
  }
}

}  // namespace

SystemTlsConfig ReadSystemTlsConfig() {
  SystemTlsConfig out;
  OpenSSLString file(CONF_get1_default_config_file());
  if (file) out.config_file = file.get();

  // The same walk as OpenSSL's config modules: the default section's
  // openssl_conf names the init section, its ssl_conf the ssl module's
  // section, whose system_default names the section SSL_CTX_new applies.
  ConfPtr conf(NCONF_new_ex(nullptr, nullptr));
  long bad_line = 0;
  if (conf && !out.config_file.empty() && NCONF_load(conf.get(), out.config_file.c_str(), &bad_line) == 1) {
    std::string init = ConfString(conf.get(), nullptr, "openssl_conf");
    std::string ssl = init.empty() ? "" : ConfString(conf.get(), init.c_str(), "ssl_conf");
    out.section = ssl.empty() ? "" : ConfString(conf.get(), ssl.c_str(), "system_default");
    if (!out.section.empty()) out.commands = SectionEntries(conf.get(), out.section);
  }
  ERR_clear_error();

  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (ctx) {
    out.min_version = static_cast<int>(SSL_CTX_get_min_proto_version(ctx.get()));
    out.max_version = static_cast<int>(SSL_CTX_get_max_proto_version(ctx.get()));
    out.security_level = SSL_CTX_get_security_level(ctx.get());
    out.options = SSL_CTX_get_options(ctx.get());
    SplitCiphers(SSL_CTX_get_ciphers(ctx.get()), &out.ciphers, &out.ciphersuites);
  }
  return out;
}

bool CipherNames(const std::string& cipher_string, std::vector<std::string>* names) {
  names->clear();
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx || SSL_CTX_set_cipher_list(ctx.get(), cipher_string.c_str()) != 1) return false;
  SplitCiphers(SSL_CTX_get_ciphers(ctx.get()), names, nullptr);
  return true;
}

}  // namespace otls
