#!/bin/bash
# Instructions the server executes per HTTP request, counted by valgrind's callgrind
# (the same count on every run, where wall-clock CPU on this shared VM is not), with
# where they go: the read path up to node's HTTP parser, the parser and node's HTTP
# JavaScript, the response's write, the write completions, and the rest.
#
#   bash bench/profile/http-instructions.sh IMPL MODE [COUNT]
#     IMPL node|ours   MODE https (HTTP/1.1 keep-alive) | h2 (HTTP/2)   COUNT (2000)
#
# The server (bench/server.js --mode MODE, TLS 1.3, ECDSA) runs under callgrind with V8
# single-threaded. h2load sends WARM (3000) requests on 8 keep-alive connections (HTTP/1.1
# with --h1; HTTP/2 with 16 streams each), the counters are zeroed, COUNT more are sent,
# and the counts dumped. Needs valgrind and h2load (nghttp2-client).
set -euo pipefail
impl=$1 mode=$2 n=${3:-2000} warm=${WARM:-3000}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/profile/callgrind.sh"
work=$(mktemp -d)
trap 'kill $sp 2>/dev/null || true; wait $sp 2>/dev/null || true; rm -rf "$work"' EXIT
OTLS_PORT_FILE=$work/port valgrind --tool=callgrind --smc-check=all --dump-instr=no \
  --callgrind-out-file="$work/cg.out" node --single-threaded "$root/bench/profile/serve.js" \
  --impl "$impl" --cert ec --mode "$mode" --tls 1.3 2>"$work/valgrind.log" &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
port=$(cat "$work/port")
if [ "$mode" = https ]; then load=(--h1 -c8 -m1); else load=(-c8 -m16); fi
h2load "${load[@]}" -n "$warm" "https://127.0.0.1:$port/" >"$work/warm.txt"
callgrind_control --zero $sp >/dev/null 2>&1
h2load "${load[@]}" -n "$n" "https://127.0.0.1:$port/" >"$work/load.txt"
callgrind_control --dump $sp >/dev/null 2>&1
sleep 1
grep -q "$n succeeded" "$work/load.txt" || { echo "h2load: $(grep '^requests:' "$work/load.txt")" >&2; exit 1; }
f=$(ls "$work"/cg.out.* | head -1)
# KEEP_CG=FILE keeps callgrind's counts for callgrind_annotate.
[ -n "${KEEP_CG:-}" ] && cp "$f" "$KEEP_CG"
total=$(cg_total "$f")
compile=$(cg_incl "$f" 'Runtime_CompileOptimized')
gc=$(cg_incl "$f" 'v8::internal::Heap::CollectGarbage')
parser=$(cg_incl "$f" "node::\(anonymous namespace\)::Parser::Execute\(")
if [ "$impl" = ours ]; then
  write=$(cg_incl "$f" 'otls::Connection::Write\(')
  read=$(cg_incl "$f" 'otls::TcpLink::OnRead\(')
  sslread=$(cg_incl "$f" '\?\?\?:SSL_read_ex ')
else
  write=$(cg_incl "$f" 'node::crypto::TLSWrap::DoWrite\(')
  read=$(cg_incl "$f" 'node::crypto::TLSWrap::OnStreamRead\(')
  sslread=$(cg_incl "$f" '\?\?\?:SSL_read ')
fi
sslwrite=$(cg_incl "$f" '\?\?\?:SSL_write')
immediate=$(cg_incl "$f" 'node::Environment::CheckImmediate\(')
per() { echo $(( $1 / n )); }
echo "$impl $mode: $(per $((total - compile))) instructions/request (compiler left out: $(per "$compile"))"
echo "  everything a read brings ($(per "$read")): the HTTP parser and node's HTTP JS under it $(per "$parser")," \
  "decrypting $(per "$sslread"), the rest of the read path $(per $((read - parser)))"
echo "  writes $(per "$write") (encrypting $(per "$sslwrite")), inside the parser's share above"
echo "  write completions (setImmediate) $(per "$immediate"); GC $(per "$gc")"
