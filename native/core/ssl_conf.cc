// SSL_CONF commands on an SSL_CTX. No N-API here.
#include "core/ssl_conf.h"

namespace otls {

namespace {

void FreeConfCtx(SSL_CONF_CTX* c) { SSL_CONF_CTX_free(c); }
using SslConfCtxPtr = std::unique_ptr<SSL_CONF_CTX, Deleter<SSL_CONF_CTX, FreeConfCtx>>;

}  // namespace

bool ApplySslConf(SSL_CTX* ctx, const ConfCommands& commands, size_t* failed) {
  *failed = commands.size();
  SslConfCtxPtr cctx(SSL_CONF_CTX_new());
  if (!cctx) return false;
  // SHOW_ERRORS: an unknown name or a bad value is queued with the command and
  // value (ERR_add_error_data), not just returned.
  SSL_CONF_CTX_set_flags(cctx.get(), SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CLIENT |
                                         SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_SHOW_ERRORS);
  SSL_CONF_CTX_set_ssl_ctx(cctx.get(), ctx);
  for (size_t i = 0; i < commands.size(); ++i) {
    // 2: name and value used. -2 unknown name, -3 no value, 0 a bad value.
    if (SSL_CONF_cmd(cctx.get(), commands[i].first.c_str(), commands[i].second.c_str()) != 2) {
      *failed = i;
      return false;
    }
  }
  return SSL_CONF_CTX_finish(cctx.get()) == 1;
}

}  // namespace otls
