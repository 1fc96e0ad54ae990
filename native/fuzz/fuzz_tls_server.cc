// Fuzz target: the receive path of a server TlsEngine (what Connection.receive()
// and the handshake worker run) fed arbitrary bytes: ClientHello parsing by
// OpenSSL and by our callbacks (server name, ALPN list, session id, ticket),
// the pauses and their answers, session caching, and whatever follows.
// Input layout: native/fuzz/tls_harness.h.
// fuzz-options: -max_len=16384 -timeout=10
#include "tls_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otls_fuzz::Run(data, size, /*server=*/true);
  return 0;
}
