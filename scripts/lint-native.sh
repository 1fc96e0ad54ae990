#!/usr/bin/env bash
# npm run lint:native: the checks over native/ that need no build.
#   1. the layer rule and its bookkeeping (scripts/check-layers.sh);
#   2. clang-format (.clang-format): every .cc/.h under native/ formatted;
#   3. clang-tidy (.clang-tidy: bugprone-*, cppcoreguidelines narrowing and
#      owning-memory, ...): no warning in any source under native/, compiled as
#      binding.gyp compiles the addon (plus -Wall -Wextra).
# Prints one line per check and "N passed, N failed"; exit 1 if any failed.
# Needs clang-format-14 and clang-tidy-14 (or unversioned ones); apply the
# formatting with: clang-format-14 -i $(git ls-files 'native/*.cc' 'native/*.h')
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
tool() {  # the versioned tool, else the plain one
  if command -v "$1-14" >/dev/null 2>&1; then echo "$1-14"; elif command -v "$1" >/dev/null 2>&1; then echo "$1"; fi
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# 1. Layers: its own lines and totals.
echo "== layers (scripts/check-layers.sh)"
bash scripts/check-layers.sh | tee "$log"
status=${PIPESTATUS[0]}
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
p=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$line")
f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
p=${p:-0} f=${f:-0}
if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
passed=$((passed + p)) failed=$((failed + f))

mapfile -t sources < <(git ls-files 'native/*.cc' 'native/*.h')
mapfile -t units < <(git ls-files 'native/*.cc')

# 2. clang-format.
echo "== clang-format"
fmt=$(tool clang-format)
if [ -z "$fmt" ]; then
  echo "FAIL  clang-format: not installed"
  failed=$((failed + 1))
else
  unformatted=()
  for f in "${sources[@]}"; do
    "$fmt" --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
  done
  if [ ${#unformatted[@]} -eq 0 ]; then
    echo "ok    clang-format: ${#sources[@]} files formatted"
    passed=$((passed + 1))
  else
    echo "FAIL  clang-format: ${#unformatted[@]} files differ (clang-format -i to fix):"
    printf '        %s\n' "${unformatted[@]}"
    failed=$((failed + 1))
  fi
fi

# 3. clang-tidy, two files at a time.
echo "== clang-tidy"
tidy=$(tool clang-tidy)
if [ -z "$tidy" ]; then
  echo "FAIL  clang-tidy: not installed"
  failed=$((failed + 1))
else
  napi=$(node -p "require('node-addon-api').include_dir")
  api_headers=$(node -p "require('node-api-headers').include_dir")
  node_include=$(node -p "require('path').resolve(process.execPath, '../../include/node')")
  read -r -a openssl_include <<<"$(pkg-config --cflags-only-I openssl)"
  flags=(-std=c++17 -fexceptions -Wall -Wextra -Inative -Inative/fuzz ${openssl_include[@]+"${openssl_include[@]}"}
         -I"$napi" -I"$api_headers" -idirafter "$node_include"
         -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED)
  export TIDY="$tidy"
  printf '%s\0' "${units[@]}" |
    xargs -0 -P2 -I{} sh -c 'f=$1; shift; "$TIDY" --quiet "$f" -- "$@" 2>&1 | grep -E "(warning|error):" || true' _ {} "${flags[@]}" \
      >"$log"
  problems=$(sort -u "$log")
  if [ -z "$problems" ]; then
    echo "ok    clang-tidy: ${#units[@]} sources, no warning"
    passed=$((passed + 1))
  else
    echo "FAIL  clang-tidy: $(wc -l <<<"$problems") warnings:"
    sed 's/^/        /' <<<"$problems"
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
