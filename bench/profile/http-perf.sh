#!/bin/bash
# Where an HTTP server's CPU goes per request, from perf samples with JS frames named
# (node --perf-basic-prof): the server pinned to core 0, h2load on core 1.
#
#   bash bench/profile/http-perf.sh IMPL MODE [COUNT]
#     IMPL node|ours   MODE https (HTTP/1.1 keep-alive, 64 connections) | h2 (HTTP/2, 1 × 100 streams)
#     COUNT requests sampled (200000)
#
# WARM (100000) requests first, then COUNT more with `perf record -F 999 -g` on the
# server; bench/profile/perf-categories.js sorts the samples. The figures are CPU time,
# so another program on the server's core slows them less than it does wall-clock
# rates, though still somewhat (caches): compare runs made together. Needs perf and h2load.
set -euo pipefail
impl=$1 mode=$2 n=${3:-200000} warm=${WARM:-100000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
# node --perf-basic-prof also writes a V8 log (isolate-*.log) into its working directory.
cd "$work"
trap 'kill $sp 2>/dev/null || true; wait $sp 2>/dev/null || true; rm -rf "$work" /tmp/perf-$sp.map' EXIT
OTLS_PORT_FILE=$work/port taskset -c 0 node --perf-basic-prof "$root/bench/profile/serve.js" \
  --impl "$impl" --cert ec --mode "$mode" --tls 1.3 &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
url="https://127.0.0.1:$(cat "$work/port")/"
if [ "$mode" = https ]; then load=(--h1 -c64 -m1); else load=(-c1 -m100); fi
taskset -c 1 h2load "${load[@]}" -t1 -n "$warm" "$url" >/dev/null
perf record -F 999 -g -p $sp -o "$work/perf.data" 2>/dev/null &
pp=$!
sleep 0.5
taskset -c 1 h2load "${load[@]}" -t1 -n "$n" "$url" >"$work/load.txt"
kill -INT $pp
wait $pp 2>/dev/null || true
grep -q "$n succeeded" "$work/load.txt" || { echo "h2load: $(grep '^requests:' "$work/load.txt")" >&2; exit 1; }
echo "$impl $mode: $(grep -E '^finished in' "$work/load.txt")"
perf script -i "$work/perf.data" 2>/dev/null | node "$root/bench/profile/perf-categories.js" "$n"
