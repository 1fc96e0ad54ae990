#!/bin/bash
# Instructions the server executes per MiB of bulk data over one TLS 1.3 connection
# (ECDSA), counted by callgrind like instructions.sh.
#
#   bash bench/profile/bulk-instructions.sh IMPL c2s|s2c [MIB]
#
# c2s: a node:tls client writes 64 KiB chunks to a server that only reads (--mode sink);
# s2c: the server writes 64 KiB chunks (--mode source) to a client that only reads.
# 8 MiB of warm-up, then MIB (16) are counted. Needs valgrind; takes a few minutes.
# KEEP=FILE keeps the callgrind output there (for callgrind_annotate).
set -euo pipefail
impl=$1 direction=$2 mib=${3:-16}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/profile/callgrind.sh"
work=$(mktemp -d)
trap 'kill $sp 2>/dev/null || true; rm -rf "$work"' EXIT
mode=sink
[ "$direction" = s2c ] && mode=source
OTLS_PORT_FILE=$work/port valgrind --tool=callgrind --smc-check=all --dump-instr=no \
  --callgrind-out-file="$work/cg.out" node --single-threaded "$root/bench/profile/serve.js" \
  --impl "$impl" --cert ec --mode $mode --tls 1.3 2>"$work/valgrind.log" &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
node "$root/bench/profile/bulk.js" "$(cat "$work/port")" "$direction" 8 "$mib" $sp
if [ "$direction" = c2s ]; then
  sleep 2
  callgrind_control --dump $sp >/dev/null 2>&1
fi
sleep 1
f=$(ls "$work"/cg.out.* | head -1)
[ -n "${KEEP:-}" ] && cp "$f" "$KEEP"
total=$(cg_total "$f")
compile=$(cg_incl "$f" 'Runtime_CompileOptimized')
echo "$impl $direction: $(( (total - compile) / mib )) instructions/MiB (compiler left out: $(( compile / mib )))"
