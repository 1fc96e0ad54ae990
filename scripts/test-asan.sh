#!/usr/bin/env bash
# Runs the mocha suite against the ASan+UBSan addon from scripts/build-asan.sh,
# with LeakSanitizer on in the mocha process (suppressions: test/asan/lsan.supp,
# node's own allocations only). Exit status: mocha's, or LSan's (23) when every
# test passed but a leak was reported at exit.
# The sanitizer runtime must be loaded before node itself, hence LD_PRELOAD;
# the sanitized addon links its own static OpenSSL, so no RTLD_DEEPBIND.
set -euo pipefail
cd "$(dirname "$0")/.."
addon=build-asan/Debug/openssl_tls.node
[ -f "$addon" ] || bash scripts/build-asan.sh
# Compile before the sanitizer runtime is preloaded (tsc is not under test).
npm run build:ts
asan=$(g++ -print-file-name=libasan.so)
ubsan=$(g++ -print-file-name=libubsan.so)
export OPENSSL_TLS_ADDON="$PWD/$addon" OPENSSL_TLS_NO_DEEPBIND=1
export LD_PRELOAD="$asan $ubsan"
# malloc_context_size=4: see test/asan/lsan.supp for why the stacks are short.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:malloc_context_size=4:abort_on_error=0:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/test/asan/lsan.supp:print_suppressions=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if [ $# -eq 0 ]; then set -- "test/**/*.test.ts"; fi
# mocha in this very process (not through npx, itself a node process that LSan
# would check): test/asan/child-env.cjs turns leak detection off for children.
# Once per server transport (as npm test), unless OPENSSL_TLS_TRANSPORT names one.
status=0
for transport in ${OPENSSL_TLS_TRANSPORT:-native js}; do
  echo "== mocha under ASan, server transport: $transport"
  OPENSSL_TLS_TRANSPORT=$transport node node_modules/mocha/bin/mocha.js --require test/asan/child-env.cjs "$@" || status=$?
done
exit $status
