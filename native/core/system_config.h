// What the system OpenSSL's configuration (openssl.cnf, or the file OPENSSL_CONF
// names) sets for every SSL_CTX: the commands of its ssl_conf "system_default"
// section, which SSL_CTX_new applies, and what a fresh SSL_CTX then holds.
// lib/context/system_policy.ts decides from these which default wins.
// No N-API here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace otls {

struct SystemTlsConfig {
  // The file OpenSSL reads its configuration from (OPENSSL_CONF, or
  // OPENSSLDIR/openssl.cnf), whether or not it could be read.
  std::string config_file;
  // The section the ssl_conf module names "system_default"; empty: none.
  std::string section;
  // Its commands in file order, as written (SSL_CONF_cmd's file names).
  std::vector<std::pair<std::string, std::string>> commands;
  // What a fresh SSL_CTX holds after them. 0 for a version: no bound.
  int min_version = 0;
  int max_version = 0;
  int security_level = 0;
  uint64_t options = 0;
  std::vector<std::string> ciphers;       // TLS 1.2 and below, in order
  std::vector<std::string> ciphersuites;  // TLS 1.3, in order
};

// Reads the configuration file again (it is small) and a fresh SSL_CTX.
// Leaves OpenSSL's error queue to the caller.
SystemTlsConfig ReadSystemTlsConfig();

// The TLS 1.2 (and older) cipher names `cipher_string` selects on a fresh
// SSL_CTX (so under the system's security level), in order; false when
// OpenSSL refuses the string. Leaves the error queue to the caller.
bool CipherNames(const std::string& cipher_string, std::vector<std::string>* names);

}  // namespace otls
