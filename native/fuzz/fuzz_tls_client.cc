// Fuzz target: the receive path of a client TlsEngine fed arbitrary bytes after
// its ClientHello: ServerHello and the rest of a server's flight, OCSP status
// and NPN callbacks, session reports, and whatever follows.
// Input layout: native/fuzz/tls_harness.h.
// fuzz-options: -max_len=16384 -timeout=10
#include "tls_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otls_fuzz::Run(data, size, /*server=*/false);
  return 0;
}
