#!/usr/bin/env bash
# The tls documentation's echo server on port 8000, run from a scratch directory
# holding the file names it reads. Connect with:
#   openssl s_client -connect 127.0.0.1:8000 -cert "$dir/client-cert.pem" -key "$dir/client-key.pem" -CAfile "$dir/server-cert.pem"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/test/fixtures/make-certs.sh"
gen=$root/test/fixtures/generated
dir=$(mktemp -d)
cp "$gen/selfsigned-key.pem" "$dir/server-key.pem"
cp "$gen/selfsigned.pem" "$dir/server-cert.pem"
cp "$gen/client-selfsigned-key.pem" "$dir/client-key.pem"
cp "$gen/client-selfsigned.pem" "$dir/client-cert.pem"
echo "certificates in $dir; try:"
echo "  openssl s_client -connect 127.0.0.1:8000 -cert $dir/client-cert.pem -key $dir/client-key.pem -CAfile $dir/server-cert.pem"
cd "$dir" && exec node "$root/examples/echo-server.js"
