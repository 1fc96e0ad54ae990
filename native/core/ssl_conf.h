// OpenSSL's SSL_CONF commands (the names of openssl.cnf's ssl_conf sections:
// Groups, SignatureAlgorithms, Options, MinProtocol, VerifyMode, ...) applied
// to an SSL_CTX, for createSecureContext's opensslConfig. No N-API here.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/ossl.h"

namespace otls {

using ConfCommands = std::vector<std::pair<std::string, std::string>>;

// Applies the commands in order, as a configuration file's section would be
// (SSL_CONF_FLAG_FILE names; server, client and certificate commands all
// allowed), then SSL_CONF_CTX_finish. On failure *failed is the index of the
// command OpenSSL refused (commands.size(): finishing failed), and OpenSSL's
// reasons are on the error queue (an unknown name, a bad value: its own words,
// naming the command).
bool ApplySslConf(SSL_CTX* ctx, const ConfCommands& commands, size_t* failed);

}  // namespace otls
