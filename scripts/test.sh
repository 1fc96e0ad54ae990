#!/usr/bin/env bash
# The suite over both transports (npm test): the server's native TCP transport
# (the default) and the JS transport (OPENSSL_TLS_TRANSPORT=js), each a full
# mocha run with its own summary. Exits non-zero if either run failed; both run.
# Tests whose optional peer (gnutls-cli, redis-server, ...) is missing are skipped
# (test/helpers/optional_peers.ts); the last line counts them over both runs, with the
# Debian packages to install. OPENSSL_TLS_STRICT_PEERS=1 fails them instead.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
skips=$(mktemp /tmp/openssl-tls-peer-skips.XXXXXX)
trap 'rm -f "$skips"' EXIT
for transport in native js; do
  echo "== mocha, server transport: $transport"
  OPENSSL_TLS_PEER_SKIP_LOG=$skips OPENSSL_TLS_TRANSPORT=$transport npx mocha "$@" 'test/**/*.test.ts' || status=1
done
npx tsx test/helpers/optional_peers.ts "$skips"
exit $status
