#!/bin/bash
# Server CPU per HTTP/2 request over each path bench/profile/h2-paths.js serves
# (node, ours, relay, h2c): the server pinned to core 0, h2load -c1 -m100 on core 1,
# WARM (100000) requests, then COUNT (200000) more while the server's user and system
# CPU (/proc/PID/stat, every thread) is counted. Run the paths one after another,
# several rounds, and compare rounds (the VM is shared). Needs h2load (nghttp2-client),
# dist/ (npm run build) and test/fixtures/generated/ (test/fixtures/make-certs.sh).
#
#   bash bench/profile/h2-paths.sh PATH [COUNT]
set -euo pipefail
which=$1 n=${2:-200000} warm=${WARM:-100000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $sp 2>/dev/null || true; wait $sp 2>/dev/null || true; rm -rf "$work"' EXIT
OTLS_PORT_FILE=$work/port taskset -c 0 node "$root/bench/profile/h2-paths.js" "$which" &
sp=$!
while [ ! -s "$work/port" ]; do sleep 0.2; done
scheme=https
[ "$which" = h2c ] && scheme=http
url="$scheme://127.0.0.1:$(cat "$work/port")/"
cpu() { awk '{print $14 + $15}' "/proc/$sp/stat"; }
taskset -c 1 h2load -c1 -m100 -t1 -n "$warm" "$url" >/dev/null
a=$(cpu)
taskset -c 1 h2load -c1 -m100 -t1 -n "$n" "$url" >"$work/load.txt"
b=$(cpu)
grep -q "$n succeeded" "$work/load.txt" || { echo "h2load: $(grep '^requests:' "$work/load.txt")" >&2; exit 1; }
ticks=$(getconf CLK_TCK)
awk -v p="$which" -v d=$((b - a)) -v t="$ticks" -v n="$n" \
  'BEGIN { printf "%-5s %.1f µs of server CPU per request\n", p, d / t * 1e6 / n }'
