#!/bin/bash
# Instructions the client executes per full TLS 1.3 handshake (ECDSA P-256 server,
# node:tls), counted by valgrind's callgrind: the client (client-handshakes.js) runs
# twice under callgrind, for N1 and N2 handshakes, and the difference divided by
# N2 - N1 is the figure (start-up and warm-up cancel out).
#
#   bash bench/profile/client-instructions.sh IMPL [N1 N2]     IMPL node|ours (100 300)
#
# Printed: the total per handshake, OpenSSL's handshake (SSL_do_handshake for us,
# SSL_read for node) and building the context (SecureContext and its CA certificates).
# Needs valgrind, and dist/ built (npm run build:ts).
set -euo pipefail
impl=$1 n1=${2:-100} n2=${3:-300}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/profile/callgrind.sh"
work=$(mktemp -d)
trap 'kill $sp 2>/dev/null || true; rm -rf "$work"' EXIT
OTLS_PORT_FILE=$work/port node "$root/bench/profile/serve.js" --impl node --cert ec --mode www --tls 1.3 &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
port=$(cat "$work/port")
for n in $n1 $n2; do
  valgrind --tool=callgrind --smc-check=all --dump-instr=no --callgrind-out-file="$work/cg.$n" \
    node --single-threaded "$root/bench/profile/client-handshakes.js" "$impl" "$port" "$n" >/dev/null 2>"$work/valgrind.$n.log"
done
per() { echo $(( ($2 - $1) / (n2 - n1) )); }
a=$work/cg.$n1 b=$work/cg.$n2
if [ "$impl" = ours ]; then ssl='\?\?\?:SSL_do_handshake '; ctx=(otls::SecureContext::SecureContext otls::SecureContext::AddCACert)
else ssl='\?\?\?:SSL_read '; ctx=(node::crypto::SecureContext::Init node::crypto::SecureContext::AddCACert); fi
# Building a context: the constructor (SSL_CTX_new) and every CA certificate added.
contexts() { echo $(( $(cg_incl "$1" "${ctx[0]}\\(") + $(cg_incl "$1" "${ctx[1]}\\(") )); }
echo "$impl client, TLS 1.3 ECDSA: $(per "$(cg_total "$a")" "$(cg_total "$b")") instructions/handshake"
echo "  OpenSSL handshake: $(per "$(cg_incl "$a" "$ssl")" "$(cg_incl "$b" "$ssl")")"
echo "  building contexts: $(per "$(contexts "$a")" "$(contexts "$b")")"
