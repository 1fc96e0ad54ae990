#!/usr/bin/env bash
# ASan+UBSan build of the addon through cmake-js, into build-asan/.
# Run the suite against it with `npm run test:asan`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js rebuild --out build-asan --debug \
  --CDOTLS_SANITIZE=ON --CDOTLS_STATIC_OPENSSL=ON
# The static OpenSSL must be inside: an addon left with undefined SSL_* symbols would
# load, and bind to the OpenSSL inside node (no RTLD_DEEPBIND under ASan).
addon=build-asan/Debug/openssl_tls.node
if nm -D --undefined-only "$addon" | grep -qE ' (SSL_CTX_new|OPENSSL_init_ssl|EVP_PKEY_free)$'; then
  echo "build-asan: $addon leaves OpenSSL symbols undefined: the static libssl.a/libcrypto.a were not linked" >&2
  exit 1
fi
