#!/usr/bin/env bash
# The suite over both transports (npm test): the server's native TCP transport
# (the default) and the JS transport (OPENSSL_TLS_TRANSPORT=js), each a full
# mocha run with its own summary. Exits non-zero if either run failed; both run.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for transport in native js; do
  echo "== mocha, server transport: $transport"
  OPENSSL_TLS_TRANSPORT=$transport npx mocha "$@" 'test/**/*.test.ts' || status=1
done
exit $status
