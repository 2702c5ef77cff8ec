#!/usr/bin/env bash
# The hook on pushes where every commit is AI-assisted and reviewed, against git's own walk, in
# one run (issue "fast on every push and every history"): pushes of the first 1, 100 and 10,000
# commits of refs/bench/signed (bench/make_signed_chain.sh: every commit AI-assisted, every one
# reviewed by Senior One) onto main, under the bench policy (roster reviews, the default
# mass-change guard on), each against `git rev-list $new ^$old` on the same push. Wall time of
# each process, medians (bench/fixed_cost.sh measures the 1-commit push's CPU time finer); the
# load average beside each line.
# Targets: <= 4x for 1 commit, <= 5x for 10,000, and the 10,000-commit push under 500 ms.
#
# usage: bench/ai_push.sh path/to/trailgate [signed.git]
#        (AI_PUSH_RUNS, default 5, runs per measure; AI_PUSH_SIZES, default "1 100 10000")
set -euo pipefail
export LC_ALL=C
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: bench/ai_push.sh path/to/trailgate [signed.git]" >&2
  exit 2
fi
TRAILGATE=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
runs=${AI_PUSH_RUNS:-5}
sizes=${AI_PUSH_SIZES:-1 100 10000}
if [ $# -eq 2 ]; then
  repo=$(readlink -f "$2")
else
  repo=$("$here/make_signed_chain.sh" "$TRAILGATE")
fi
cd "$repo"
cp "$here/policy.toml" trailgate.toml
export GIT_DIR=. GIT_CONFIG_NOSYSTEM=1 HOME="$repo"
old=$(git rev-parse refs/heads/main)
mapfile -t chain < <(git rev-list --reverse "$old..refs/bench/signed")

wall_ms() { # wall_ms CMD...: wall milliseconds (to 0.01) of one run, output discarded
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.2f\n", ns / 1e6 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
hook() { "$TRAILGATE" pre-receive <<<"$old $1 refs/heads/main" 2>/dev/null; }
revlist() { git rev-list "$1" "^$old"; }

printf '%-8s %8s %10s %8s %6s %s\n' commits exit "hook ms" "git ms" ratio "load"
for n in $sizes; do
  [ "$n" -le "${#chain[@]}" ] || { echo "bench: the chain has only ${#chain[@]} commits" >&2; exit 2; }
  new=${chain[$((n - 1))]}
  rc=0
  hook "$new" >/dev/null || rc=$?
  load=$(cut -d' ' -f1 /proc/loadavg)
  h=$(for _ in $(seq "$runs"); do wall_ms hook "$new"; done | median)
  g=$(for _ in $(seq "$runs"); do wall_ms revlist "$new"; done | median)
  ratio=$(awk -v h="$h" -v g="$g" 'BEGIN { printf "%.1f", h / g }')
  printf '%-8s %8s %10s %8s %6s %s\n' "$n" "$rc" "$h" "$g" "$ratio" "$load"
done
echo "git ms is \`git rev-list \$new ^\$old\`; both are wall times of the whole process."
echo "commit-graph: $([ -f objects/info/commit-graph ] && echo yes || echo no); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
