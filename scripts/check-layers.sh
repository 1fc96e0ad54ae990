#!/usr/bin/env bash
# The layer rule of native/ (native/README.md), checked on the sources as written:
#   core/       no N-API, no libuv, nothing from transport/ or binding/
#   transport/  no N-API, nothing from binding/
#   fuzz/, tsan/  (programs without node) as core/
# and the bookkeeping that keeps the rule visible: every source of a layer is in
# that layer's list in native/sources.gypi (and every listed file exists), and no
# file under native/ is longer than 600 lines; and docs/ARCHITECTURE.md names
# every source of the three layers, so the map stays true.
#
#   bash scripts/check-layers.sh        (run by npm run lint:native)
#
# Prints one line per check and "N passed, N failed"; exit 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
pass() { echo "ok    $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL  $1"
  sed 's/^/        /' <<<"$2"
  failed=$((failed + 1))
}

# Include lines of the given directories that match an extended regex (after "#include").
includes_matching() {
  local pattern=$1
  shift
  grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null || true
}

napi='napi\.h|napi-inl\.h|node_api\.h|node_api_types\.h|js_native_api'
uv='uv\.h|uv/'

check_includes() {
  local name=$1 pattern=$2
  shift 2
  local dirs=()
  for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
  local hits=""
  [ ${#dirs[@]} -gt 0 ] && hits=$(includes_matching "$pattern" "${dirs[@]}")
  if [ -z "$hits" ]; then pass "$name"; else fail "$name" "$hits"; fi
}

check_includes "core/ includes no N-API header" "$napi" native/core
check_includes "core/ includes no libuv header" "$uv" native/core
check_includes "core/ includes nothing from transport/ or binding/" 'transport/|binding/' native/core
check_includes "transport/ includes no N-API header" "$napi" native/transport
check_includes "transport/ includes nothing from binding/" 'binding/' native/transport
check_includes "fuzz/ and tsan/ include no N-API or libuv header" "$napi|$uv" native/fuzz native/tsan
check_includes "fuzz/ and tsan/ include nothing from transport/ or binding/" 'transport/|binding/' native/fuzz native/tsan

# Each layer's sources against its list in native/sources.gypi.
gypi=native/sources.gypi
listed() {  # the paths of one list
  awk -v name="'$1':" '$1 == name { on = 1; next } on && /\]/ { exit } on' "$gypi" |
    sed -nE "s/^[[:space:]]*'([^']+)',?[[:space:]]*$/\1/p" | sort
}
for layer in core transport binding; do
  want=$(find "native/$layer" -name '*.cc' | sort)
  have=$(listed "otls_${layer}_sources")
  missing=$(comm -23 <(echo "$want") <(echo "$have") | sed '/^$/d')
  stale=$(comm -13 <(echo "$want") <(echo "$have") | sed '/^$/d')
  if [ -z "$missing$stale" ]; then
    pass "native/sources.gypi lists exactly the sources of $layer/"
  else
    fail "native/sources.gypi lists exactly the sources of $layer/" \
      "$( [ -n "$missing" ] && sed 's/^/not listed: /' <<<"$missing"; [ -n "$stale" ] && sed 's/^/listed, no such file: /' <<<"$stale")"
  fi
done

# Every source of the layers is named in docs/ARCHITECTURE.md (by path, or as native/<layer>/<name>.*).
undocumented=""
for f in $(find native/core native/transport native/binding -type f \( -name '*.cc' -o -name '*.h' \) | sort); do
  grep -qF -e "$f" -e "${f%.*}.*" docs/ARCHITECTURE.md || undocumented+="$f"$'\n'
done
undocumented=${undocumented%$'\n'}
if [ -z "$undocumented" ]; then
  pass "docs/ARCHITECTURE.md names every source of core/, transport/, binding/"
else
  fail "docs/ARCHITECTURE.md names every source of core/, transport/, binding/" "$undocumented"
fi

long=$(find native -type f \( -name '*.cc' -o -name '*.h' \) -exec wc -l {} + | awk '$2 != "total" && $1 > 600 { print $2 ": " $1 " lines" }')
if [ -z "$long" ]; then pass "no file under native/ over 600 lines"; else fail "no file under native/ over 600 lines" "$long"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
