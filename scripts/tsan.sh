#!/usr/bin/env bash
# ThreadSanitizer over the engine driven from two threads the way offloadHandshake
# drives it (native/tsan/engine_threads.cc): builds the harness and the N-API-free
# core with clang++-14 -fsanitize=thread into build-tsan/, then runs
#   1. fixed    N handshakes, each step on a second thread while the driver's
#               thread calls setReportKeylog/setReportSessions/receiveAsync: all
#               refused (the entry guard), and TSan must stay silent;
#   2. abandon  drivers that go away during their step: TSan must stay silent;
#   3. pre-fix  the same handshakes with the rules before the guard (the step on
#               a raw pointer, the switches unchecked): TSan must report the data
#               race. This is the test that fails before the fix; it passes here
#               when the harness still sees the race in the old pattern.
#
#   bash scripts/tsan.sh [N]       (N handshakes per case, 50 by default)
#
# Logs: build-tsan/logs/<case>.log. Prints one line per case and
# "N passed, N failed"; exit 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

n=${1:-50}
[[ "$n" =~ ^[0-9]+$ ]] || { echo "tsan: N must be a whole number" >&2; exit 2; }
out=build-tsan
mkdir -p "$out/logs"
cxx=${CXX:-clang++-14}

if ! nice -n 10 flock /tmp/otls-build.lock sh -c \
    "cmake -S native/tsan -B '$out' -DCMAKE_CXX_COMPILER='$cxx' -DCMAKE_BUILD_TYPE=RelWithDebInfo >'$out/logs/build.log' 2>&1 &&
     cmake --build '$out' -j2 >>'$out/logs/build.log' 2>&1"; then
  tail -n 40 "$out/logs/build.log"
  echo "tsan: build failed (full log: $out/logs/build.log)"
  echo "0 passed, 3 failed"
  exit 1
fi

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1}
passed=0 failed=0

# run CASE: the harness's exit status; its output in the log.
run() {
  local log=$out/logs/$1.log status=0
  "$out/engine_threads" "$1" "$n" >"$log" 2>&1 || status=$?
  return $status
}

for c in fixed abandon; do
  status=0
  run "$c" || status=$?
  log=$out/logs/$c.log
  if [ "$status" -eq 0 ] && ! grep -q 'ThreadSanitizer' "$log"; then
    echo "ok    $(grep -E "^$c:" "$log" | tail -n 1)"
    passed=$((passed + 1))
  else
    echo "FAIL  $c (exit $status), log: $log"
    grep -E '^(WARNING|SUMMARY)|engine_threads:' "$log" | head -n 20 | sed 's/^/        /'
    failed=$((failed + 1))
  fi
done

status=0
run pre-fix || status=$?
log=$out/logs/pre-fix.log
if [ "$status" -eq 66 ] && grep -q 'WARNING: ThreadSanitizer: data race' "$log" &&
   grep -qE 'set_report_(keylog|sessions)' "$log"; then
  echo "ok    pre-fix: TSan reports the race: $(grep -m1 '^SUMMARY' "$log")"
  passed=$((passed + 1))
else
  echo "FAIL  pre-fix: no data race reported in the pre-fix pattern (exit $status), log: $log"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
