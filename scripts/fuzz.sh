#!/usr/bin/env bash
# Builds the libFuzzer targets (native/fuzz/, clang++-14, ASan+UBSan+LSan) into
# build-fuzz/ and runs each one: first over its committed regressions
# (test/fuzz/regressions/<target>/, each file replayed once), then fuzzing for
# N seconds from the seed corpus (test/fuzz/corpus/<target>/, made from the test
# fixtures by scripts/fuzz-seeds.sh at the start of every run; read
# only: new inputs go to a temporary directory). Findings are saved in
# build-fuzz/artifacts/<target>/, full logs in build-fuzz/logs/<target>.log.
#
#   bash scripts/fuzz.sh [--seconds N] [target...]     (npm run fuzz -- ...)
#
# Targets: every native/fuzz/fuzz_<target>.cc unless named. Per-target libFuzzer
# flags come from the target's "// fuzz-options:" line. One summary line per
# target, then "N passed, N failed" (each target is one test); exit 1 if any
# target crashed, leaked, timed out or failed to build.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: --seconds must be a whole number" >&2; exit 2; }
if [ ${#targets[@]} -eq 0 ]; then
  for src in native/fuzz/fuzz_*.cc; do
    name=${src##*/fuzz_}
    targets+=("${name%.cc}")
  done
fi

# The seed corpora are made from the test fixtures each run (never committed).
[ -f dist/internal/binding.js ] || npm run build:ts >/dev/null
bash scripts/fuzz-seeds.sh >/dev/null || { echo "fuzz: could not make the seed corpora"; exit 1; }

out=build-fuzz
mkdir -p "$out/logs"
cxx=${CXX:-clang++-14}

# Build, under the tree's build lock.
if ! nice -n 10 flock /tmp/otls-build.lock sh -c \
    "cmake -S native/fuzz -B '$out' -DCMAKE_CXX_COMPILER='$cxx' -DCMAKE_BUILD_TYPE=RelWithDebInfo >'$out/logs/build.log' 2>&1 &&
     cmake --build '$out' -j2 >>'$out/logs/build.log' 2>&1"; then
  tail -n 40 "$out/logs/build.log"
  echo "fuzz: build failed (full log: $out/logs/build.log)"
  echo "0 passed, ${#targets[@]} failed"
  exit 1
fi

# Sanitizers: leaks on, every error fatal, symbolized stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# The value of "stat::NAME: V" or "NAME: V" in a log, empty if none.
logstat() { sed -nE "s/^stat::$2: *([0-9]+).*/\1/p" "$1" | tail -n 1; }

passed=0 failed=0
for t in "${targets[@]}"; do
  bin=$out/fuzz_$t
  log=$out/logs/$t.log
  : >"$log"
  if [ ! -x "$bin" ]; then
    echo "fuzz $t: FAILED, no such target ($bin; add otls_fuzz_target($t) to native/fuzz/CMakeLists.txt)"
    failed=$((failed + 1))
    continue
  fi
  opts=$(sed -nE 's|^// fuzz-options:(.*)$|\1|p' "native/fuzz/fuzz_$t.cc" | head -n 1)
  [ -n "$opts" ] || opts="-max_len=4096 -timeout=10"
  artifacts=$out/artifacts/$t
  mkdir -p "$artifacts"
  # shellcheck disable=SC2206
  flags=($opts -rss_limit_mb=2048 -artifact_prefix="$artifacts/")

  # 1. Every committed regression, once each.
  regressions=()
  if [ -d "test/fuzz/regressions/$t" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "test/fuzz/regressions/$t" -type f ! -name '.*' ! -name '*.md' -print0 | sort -z)
  fi
  status=0
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "== regressions ($t): ${#regressions[@]}" >>"$log"
    nice -n 10 "$bin" "${flags[@]}" "${regressions[@]}" >>"$log" 2>&1 || status=$?
  fi
  if [ "$status" -ne 0 ]; then
    echo "fuzz $t: FAILED replaying test/fuzz/regressions/$t (exit $status)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|Running:|.*runtime error)' "$log" | tail -n 20
    echo "  full log: $log"
    failed=$((failed + 1))
    continue
  fi

  # 2. Fuzzing from the seed corpus; new inputs go to a temporary directory.
  work=$(mktemp -d "/tmp/otls-fuzz-$t.XXXXXX")
  corpora=("$work")
  [ -d "test/fuzz/corpus/$t" ] && corpora+=("test/fuzz/corpus/$t")
  if [ "$seconds" -gt 0 ]; then
    run=(-max_total_time="$seconds")
  else
    run=(-runs=0)  # only the seeds, once each
  fi
  echo "== fuzzing ($t): ${flags[*]} ${run[*]}" >>"$log"
  start=$SECONDS
  nice -n 10 "$bin" "${flags[@]}" "${run[@]}" -print_final_stats=1 "${corpora[@]}" >>"$log" 2>&1
  status=$?
  elapsed=$((SECONDS - start))
  new=$(find "$work" -type f | wc -l)
  rm -rf "$work"

  execs=$(logstat "$log" number_of_executed_units)
  rate=$(logstat "$log" average_exec_per_sec)
  progress=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$progress")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$progress")
  corp=$(sed -nE 's|.* corp: ([0-9]+)/.*|\1|p' <<<"$progress")
  summary="${execs:-?} execs in ${elapsed}s (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (${new} new), ${#regressions[@]} regressions replayed"
  if [ "$status" -eq 0 ]; then
    echo "fuzz $t: ok, $summary"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED (exit $status), $summary"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|artifact_prefix|Test unit written)' "$log" | tail -n 20
    echo "  full log: $log; reproduce: $bin ${flags[*]} <artifact>"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
