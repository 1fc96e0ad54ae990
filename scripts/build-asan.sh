#!/usr/bin/env bash
# ASan+UBSan build of the addon through cmake-js, into build-asan/.
# Run the suite against it with `npm run test:asan`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js rebuild --out build-asan --debug \
  --CDOTLS_SANITIZE=ON --CDOTLS_STATIC_OPENSSL=ON
