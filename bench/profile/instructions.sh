#!/bin/bash
# Instructions the server executes per handshake, counted by valgrind's callgrind:
# the same count on every run, whatever else the machine does (wall-clock CPU per
# handshake on this VM moves by ±10% between runs).
#
#   bash bench/profile/instructions.sh IMPL CERT TLS RESUME [COUNT]
#     IMPL node|ours   CERT rsa|ec   TLS 1.2|1.3   RESUME tickets|ids|-   COUNT (300)
#
# The server (bench/server.js, --mode www) runs under callgrind with V8 single-threaded.
# After WARM (800) handshakes its counters are zeroed, COUNT more are run, and the
# counts are dumped. Printed: the total per handshake, what V8's optimizing compiler
# took (slower to settle under valgrind; left out of the figure compared), and the
# OpenSSL handshake's own share (SSL_do_handshake for us, SSL_read for node, which
# drives the handshake from TLSWrap). Needs valgrind.
set -euo pipefail
impl=$1 cert=$2 tls=$3 resume=$4 n=${5:-300} warm=${WARM:-800}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/profile/callgrind.sh"
work=$(mktemp -d)
trap 'kill $sp 2>/dev/null || true; rm -rf "$work"' EXIT
extra=() r=0
if [ "$resume" != "-" ]; then extra=(--resume "$resume"); r=1; fi
OTLS_PORT_FILE=$work/port valgrind --tool=callgrind --smc-check=all --dump-instr=no \
  --callgrind-out-file="$work/cg.out" node --single-threaded "$root/bench/profile/serve.js" \
  --impl "$impl" --cert "$cert" --mode www --tls "$tls" "${extra[@]}" 2>"$work/valgrind.log" &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
port=$(cat "$work/port")
node "$root/bench/profile/handshakes.js" "$port" "$warm" "$tls" $r >/dev/null
callgrind_control --zero $sp >/dev/null 2>&1
node "$root/bench/profile/handshakes.js" "$port" "$n" "$tls" $r >/dev/null
callgrind_control --dump $sp >/dev/null 2>&1
sleep 1
f=$(ls "$work"/cg.out.* | head -1)
# KEEP_CG=FILE keeps callgrind's counts for callgrind_annotate.
[ -n "${KEEP_CG:-}" ] && cp "$f" "$KEEP_CG"
total=$(cg_total "$f")
compile=$(cg_incl "$f" 'Runtime_CompileOptimized')
if [ "$impl" = ours ]; then ssl=$(cg_incl "$f" '\?\?\?:SSL_do_handshake '); else ssl=$(cg_incl "$f" '\?\?\?:SSL_read '); fi
per() { echo $(( $1 / n )); }
echo "$impl $cert TLS $tls resume=$resume: $(per $((total - compile))) instructions/handshake" \
  "(OpenSSL handshake $(per "$ssl"), the rest $(per $((total - compile - ssl))); compiler left out: $(per "$compile"))"
