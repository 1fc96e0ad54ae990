#!/usr/bin/env bash
# Runs testssl (package testssl.sh) and sslscan against an openssl-tls server on
# loopback; see scripts/scan.js. Needs dist/ and the addon built (npm run build).
# `bash scripts/scan.sh --doc` also rewrites the "## Scanners" section of docs/interop.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in testssl sslscan openssl; do
  command -v "$tool" >/dev/null || { echo "scan: $tool not installed"; echo "0 passed, 2 failed"; exit 1; }
done
exec node scripts/scan.js "$@"
