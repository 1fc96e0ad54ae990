#!/bin/bash
# How much of an HTTPS keep-alive request's server CPU is TLS at all: node's plain http
# server (no TLS), node's https and openssl-tls's https, the same 1 KiB handler, each
# pinned to core 0 with `wrk -t1 -c64` on core 1 (3 s warm-up, 8 s measured), ROUNDS
# rounds alternating. Prints requests per server CPU-second (utime + stime from /proc).
#
#   bash bench/profile/http-ceiling.sh [ROUNDS]
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for _ in $(seq "$rounds"); do
  for which in http node ours; do
    out=$(mktemp)
    taskset -c 0 node "$root/bench/profile/http-ceiling.js" "$which" >"$out" &
    sp=$!
    while [ ! -s "$out" ]; do sleep 0.1; done
    scheme=https
    [ "$which" = http ] && scheme=http
    url="$scheme://127.0.0.1:$(cat "$out")/"
    taskset -c 1 wrk -t1 -c64 -d3s "$url" >/dev/null
    t0=$(cpu $sp)
    requests=$(taskset -c 1 wrk -t1 -c64 -d8s "$url" | awk '/requests in/ {print $1}')
    t1=$(cpu $sp)
    kill $sp
    wait $sp 2>/dev/null || true
    rm -f "$out"
    echo "$which: $requests requests, $(((t1 - t0) * 1000 / tck)) ms of server CPU, $((requests * tck / (t1 - t0))) per CPU-s"
  done
done
