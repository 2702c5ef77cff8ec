#!/usr/bin/env bash
# The audit against `git log` on two histories of different shapes, each with and without a
# commit-graph, in one run (issue "fast on every push and every history"):
#   synthetic   the 200,000-commit linear history (bench/make_synthetic_repo.sh)
#   merges      about 58,000 commits braided by merges, files 8 directories deep
#               (bench/make_merge_repo.sh)
# Each through bench/audit.sh (cold audit --format jsonl against git log --all with trailers,
# peak RSS, the rerun after 100 commits), with the machine's load before each.
# Targets: ratio <= 1.0 without a commit-graph, <= 0.6 with one.
#
# usage: bench/audit_shapes.sh path/to/trailgate      (BENCH_AUDIT_RUNS, default 3, per measure)
set -euo pipefail
export LC_ALL=C
[ $# -eq 1 ] || { echo "usage: bench/audit_shapes.sh path/to/trailgate" >&2; exit 2; }
TRAILGATE=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)

declare -a names repos
for graph in 1 0; do
  suffix=$([ "$graph" = 1 ] && echo "commit-graph" || echo "no commit-graph")
  names+=("synthetic, $suffix")
  repos+=("$(BENCH_COMMIT_GRAPH=$graph "$here/make_synthetic_repo.sh")")
  names+=("merges, $suffix")
  repos+=("$(BENCH_COMMIT_GRAPH=$graph "$here/make_merge_repo.sh")")
done

printf '%-32s %6s %9s %9s %7s %7s %9s %s\n' history commits "git ms" "audit ms" ratio target "RSS MB" "load before"
for i in "${!repos[@]}"; do
  repo=${repos[$i]}
  cp "$here/policy.toml" "$repo/trailgate.toml"
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$("$here/audit.sh" "$TRAILGATE" "$repo")
  git_ms=$(awk '/^git log --all trailers/ { print $(NF-1) }' <<<"$out")
  audit_ms=$(awk '/^audit jsonl, cold/ { print $(NF-1) }' <<<"$out")
  rss=$(awk '/^audit jsonl, cold/ { print $NF }' <<<"$out")
  ratio=$(awk '/^audit-ratio/ { print $2 }' <<<"$out")
  target=$([ -f "$repo/objects/info/commit-graph" ] && echo 0.6 || echo 1.0)
  commits=$(git -C "$repo" rev-list --count refs/heads/main)
  printf '%-32s %6s %9s %9s %7s %7s %9s %s\n' "${names[$i]}" "$commits" "$git_ms" "$audit_ms" \
    "$ratio" "<= $target" "$rss" "$load"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
