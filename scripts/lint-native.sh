#!/usr/bin/env bash
# npm run lint:native: the checks over native/ that need no build.
#   1. the layer rule and its bookkeeping (scripts/check-layers.sh)
# Prints "N passed, N failed" over all checks; exit 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
add() {  # add NAME LOG STATUS: one check's "N passed, N failed" line
  local line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
  p=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$line")
  f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  p=${p:-0} f=${f:-0}
  if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)) failed=$((failed + f))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== layers (scripts/check-layers.sh)"
bash scripts/check-layers.sh | tee "$log"
add layers "$log" "${PIPESTATUS[0]}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
