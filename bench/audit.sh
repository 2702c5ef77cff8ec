#!/usr/bin/env bash
# The audit bench (issue "Audit scan over history"): on the synthetic repository, in one run,
#   - `trailgate audit --format jsonl` (cold: --no-cache) against
#     `git log --all --format='%H%x00%(trailers:unfold)'`, the extraction a script starts from;
#   - the audit's peak RSS;
#   - an incremental rerun with the cache after 100 new commits, against the cold run.
# Medians of BENCH_AUDIT_RUNS (default 3) runs. Prints a table and "audit-*" summary lines.
#
# usage: bench/audit.sh path/to/trailgate path/to/synthetic.git
set -euo pipefail
TRAILGATE=$(readlink -f "$1")
repo=$(readlink -f "$2")
runs=${BENCH_AUDIT_RUNS:-3}
cd "$repo"
[ -f trailgate.toml ] || { echo "audit bench: no $repo/trailgate.toml (run bench/run.sh)" >&2; exit 1; }

main=$(git rev-parse refs/heads/main)
# "100 new commits": the pending push's first hundred commits on top of main.
plus100=$(git rev-list --reverse "$main..refs/bench/mixed" | sed -n 100p)
cache_dir="$repo/trailgate/audit-cache"

ms() { # ms CMD...: wall milliseconds of one run, output discarded
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }'; }

audit_cold() { "$TRAILGATE" audit --policy trailgate.toml --no-cache --format jsonl refs/heads/main; }
audit_main() { "$TRAILGATE" audit --policy trailgate.toml --format jsonl refs/heads/main; }
audit_plus100() { "$TRAILGATE" audit --policy trailgate.toml --format jsonl "$plus100"; }
git_log() { git log --all --format='%H%x00%(trailers:unfold)'; }

cold=$(for _ in $(seq "$runs"); do ms audit_cold; done | median)
gitlog=$(for _ in $(seq "$runs"); do ms git_log; done | median)
cold_rss=$(rss_mb "$TRAILGATE" audit --policy trailgate.toml --no-cache --format jsonl refs/heads/main)
gitlog_rss=$(rss_mb git log --all --format='%H%x00%(trailers:unfold)')

# The cache as a nightly job would have it: built by an audit of main; then each timed run of
# main + 100 starts from that same cache, so every run judges the 100 new commits (and copies
# the rest of the report from the cache), as the next night's audit would.
rm -rf "$cache_dir" "$cache_dir.main"
audit_main >/dev/null 2>&1
cp -a "$cache_dir" "$cache_dir.main"
fresh_cache() { rm -rf "$cache_dir"; cp -a "$cache_dir.main" "$cache_dir"; }
incr=$(for _ in $(seq "$runs"); do fresh_cache; ms audit_plus100; done | median)
fresh_cache
incr_rss=$(rss_mb "$TRAILGATE" audit --policy trailgate.toml --format jsonl "$plus100")
rm -rf "$cache_dir" "$cache_dir.main"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the ratios)"
echo "measurement                                   ms     peak RSS MB"
printf '%-40s %8s %10s\n' "git log --all trailers" "$gitlog" "$gitlog_rss"
printf '%-40s %8s %10s\n' "audit jsonl, cold (--no-cache)" "$cold" "$cold_rss"
printf '%-40s %8s %10s\n' "audit jsonl, +100 commits, cached" "$incr" "$incr_rss"
awk -v a="$cold" -v g="$gitlog" -v i="$incr" -v r="$cold_rss" -v ir="$incr_rss" 'BEGIN {
  printf "audit-ratio %.2f\n", a / g
  printf "audit-incremental-share %.1f\n", 100 * i / a
  printf "audit-rss %s %s\n", r, ir }'
