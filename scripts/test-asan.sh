#!/usr/bin/env bash
# Runs the mocha suite against the ASan+UBSan addon from scripts/build-asan.sh.
# The sanitizer runtime must be loaded before node itself, hence LD_PRELOAD;
# the sanitized addon links its own static OpenSSL, so no RTLD_DEEPBIND.
set -euo pipefail
cd "$(dirname "$0")/.."
addon=build-asan/Debug/openssl_tls.node
[ -f "$addon" ] || bash scripts/build-asan.sh
asan=$(g++ -print-file-name=libasan.so)
ubsan=$(g++ -print-file-name=libubsan.so)
export OPENSSL_TLS_ADDON="$PWD/$addon" OPENSSL_TLS_NO_DEEPBIND=1
export LD_PRELOAD="$asan $ubsan"
# Leak checking is off here; the reliability work turns it on with a suppression file.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
npm run build:ts
if [ $# -eq 0 ]; then set -- "test/**/*.test.ts"; fi
npx mocha "$@"
