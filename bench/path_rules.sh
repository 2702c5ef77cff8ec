#!/usr/bin/env bash
# The cost of the blast-radius rules (docs/blast-radius.md) on the 10,000-commit push of
# bench/run.sh: the same hook run under three policies, medians of RUNS runs, in one run:
#   none      the bench policy with [protect.mass_change] enabled = false: no diffs at all
#   defaults  the bench policy as it is: the mass-change defaults, so AI-assisted commits are
#             diffed against their first parent
#   paths     defaults plus a [[protect.sensitive]] rule with four patterns
#   bench/path_rules.sh path/to/trailgate [bench/work/synthetic.git]
# Needs the synthetic repository (bench/make_synthetic_repo.sh, which bench/run.sh calls).
set -euo pipefail
TRAILGATE=$(readlink -f "$1")
repo=$(readlink -f "${2:-$(dirname "$0")/work/synthetic.git}")
RUNS=${RUNS:-5}
cd "$repo"
export GIT_DIR=.
old=$(git rev-parse refs/heads/main)
push_len=$(git rev-list --count refs/heads/main..refs/bench/mixed)
new=$(git rev-parse "refs/bench/mixed~$((push_len - 10000))")
saved=$(mktemp)
cp trailgate.toml "$saved"
trap 'cp "$saved" trailgate.toml; rm -f "$saved"' EXIT

policy() {
  cp "$saved" trailgate.toml
  case "$1" in
    none) printf '\n  [protect.mass_change]\n  enabled = false\n' >>trailgate.toml ;;
    paths) printf '\n  [[protect.sensitive]]\n  paths = ["infra/**", "**/*.tf", ".github/workflows/**", "src/a*/**"]\n' >>trailgate.toml ;;
  esac
  "$TRAILGATE" policy check trailgate.toml >/dev/null
}
run_ms() {
  local all="" i start
  for i in $(seq 0 "$RUNS"); do
    start=$(date +%s%N)
    "$TRAILGATE" pre-receive <<<"$old $new refs/heads/main" >/dev/null 2>&1 || true
    [ "$i" -eq 0 ] || all+="$(($(date +%s%N) - start)) "  # run 0 warms the caches
  done
  tr ' ' '\n' <<<"$all" | awk 'NF' | sort -n | awk '{v[NR] = $1} END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'
}

declare -A MS
for mode in none defaults paths; do
  policy "$mode"
  MS[$mode]=$(run_ms)
done
echo "10,000-commit push, load average $(cut -d' ' -f1-3 /proc/loadavg), medians of $RUNS"
for mode in none defaults paths; do
  printf '  %-9s %9s ms  %5sx of none\n' "$mode" "${MS[$mode]}" \
    "$(awk -v a="${MS[$mode]}" -v b="${MS[none]}" 'BEGIN { printf "%.2f", a / b }')"
done
