# Reading callgrind output, for the scripts in this folder (sourced, not run).
#   cg_total FILE            the run's total instructions
#   cg_incl FILE PATTERN     inclusive instructions of the first function whose line
#                            in callgrind_annotate matches PATTERN (an extended regex),
#                            recursive entries ('2) left out; 0 when none

cg_total() {
  grep -E '^(summary|totals):' "$1" | head -1 | awk '{print $2}'
}

cg_incl() {
  { callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null || true; } |
    { grep -v "'2" || true; } | { grep -m1 -E "$2" || true; } |
    awk '{gsub(",", "", $1); s += $1} END {printf "%d\n", s}'
}
