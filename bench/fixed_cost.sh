#!/usr/bin/env bash
# The hook's fixed cost: what trailgate adds to a push of one commit, in one run, as ratios.
#
#   1. the pre-receive hook for a 1-commit push, run as git runs it, against
#      `git rev-list $new ^$old` on the same push (the walk git itself would make);
#   2. a whole `git push` of one new commit over file:// into a server with trailgate installed,
#      against the same push into the same server with no hook.
#
# usage: bench/fixed_cost.sh path/to/trailgate [synthetic.git]
#
# The repository is bench/make_synthetic_repo.sh's (built or reused there), or the one given,
# which is only read: the script works in a private copy (packs hard-linked when possible) and
# copies bench/policy.toml into it. See bench/README.md, "The hook's fixed cost".
#
# Environment:
#   FIXED_RUNS=20     runs per sample; FIXED_SAMPLES=5 samples per measurement, median reported
# Needs bash, git, coreutils, awk, and perf (linux-perf) or GNU time (/usr/bin/time) for CPU time.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: bench/fixed_cost.sh path/to/trailgate [synthetic.git]" >&2
  exit 2
fi
TRAILGATE=$(readlink -f "$1")
[ -x "$TRAILGATE" ] || { echo "bench: no trailgate binary at $1" >&2; exit 2; }
RUNS=${FIXED_RUNS:-20}
SAMPLES=${FIXED_SAMPLES:-5}
here=$(cd "$(dirname "$0")" && pwd)

if [ $# -eq 2 ]; then
  source_repo=$(readlink -f "$2")
else
  source_repo=$("$here/make_synthetic_repo.sh")
fi
[ -f "$source_repo/packed-refs" ] || { echo "bench: $source_repo is not the synthetic repository" >&2; exit 2; }

# CPU time (user + system, the process and its children): perf's task-clock when perf works
# here, else GNU time's rusage over a whole sample.
if perf stat -x, -e task-clock true >/dev/null 2>&1; then
  METHOD="perf"
elif /usr/bin/time -f %U true >/dev/null 2>&1; then
  METHOD="time"
else
  echo "bench: neither perf nor GNU time (/usr/bin/time) works here" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-fixed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
unset TRAILGATE_POLICY GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH
mkdir -p "$HOME"
export GIT_AUTHOR_NAME="Bench Human" GIT_AUTHOR_EMAIL="human@example.com"
export GIT_COMMITTER_NAME="Bench Human" GIT_COMMITTER_EMAIL="human@example.com"

# A private server: the source's objects (hard links, or a copy across file systems), refs,
# commit-graph when it has one, and bench/policy.toml, the policy bench/run.sh uses.
server="$WORK/server.git"
git init -q --bare "$server"
mkdir -p "$server/objects/pack" "$server/objects/info"
ln "$source_repo"/objects/pack/* "$server/objects/pack/" 2>/dev/null ||
  cp "$source_repo"/objects/pack/* "$server/objects/pack/"
[ -f "$source_repo/objects/info/commit-graph" ] && cp "$source_repo/objects/info/commit-graph" "$server/objects/info/"
cp "$source_repo/packed-refs" "$server/packed-refs"
(cd "$source_repo" && find refs -type f) | while read -r ref; do
  mkdir -p "$server/$(dirname "$ref")"
  cp "$source_repo/$ref" "$server/$ref"
done
git -C "$server" config gc.auto 0
cp "$here/policy.toml" "$server/trailgate.toml"
"$TRAILGATE" policy check "$server/trailgate.toml" >/dev/null ||
  { echo "bench: trailgate rejects the bench policy" >&2; exit 1; }

old=$(git -C "$server" rev-parse refs/heads/main)
push_len=$(git -C "$server" rev-list --count "$old..refs/bench/clean")
new_clean=$(git -C "$server" rev-parse "refs/bench/clean~$((push_len - 1))")
new_mixed=$(git -C "$server" rev-parse "refs/bench/mixed~$((push_len - 1))")
echo "$old $new_clean refs/heads/main" >"$WORK/clean.in"
echo "$old $new_mixed refs/heads/main" >"$WORK/mixed.in"

# cpu_ms INPUT CMD...: one sample: CMD run RUNS times with stdin from INPUT, from one bash loop;
# prints "<CPU ms> <wall ms>" per run. The loop's own share (a fork per run) is in both sides.
# shellcheck disable=SC2016 # expanded by the bash that runs the loop
LOOP='input=$1; shift; for ((i = 0; i < RUNS; i++)); do "$@" <"$input" >/dev/null 2>&1 || true; done'
export RUNS
cpu_ms() {
  local start end
  start=$(date +%s%N)
  if [ "$METHOD" = perf ]; then
    local cpu
    cpu=$(perf stat -x, -e task-clock -- bash -c "$LOOP" loop "$@" 2>&1 >/dev/null |
      awk -F, '$3 == "task-clock" { print $1 }')
    end=$(date +%s%N)
    awk -v c="$cpu" -v w=$((end - start)) -v n="$RUNS" 'BEGIN { printf "%.3f %.3f\n", c / n, w / 1e6 / n }'
  else
    /usr/bin/time -f "%U %S" -o "$WORK/time" bash -c "$LOOP" loop "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    awk -v w=$((end - start)) -v n="$RUNS" '{ printf "%.3f %.3f\n", ($1 + $2) * 1000 / n, w / 1e6 / n }' \
      "$WORK/time"
  fi
}
# measure NAME CMD...: SAMPLES samples; sets CPU[NAME] and WALL[NAME] to their medians.
declare -A CPU WALL
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
measure() {
  local name=$1 s samples=""
  shift
  for ((s = 0; s < SAMPLES; s++)); do
    clear_log
    samples+="$(cpu_ms "$@")"$'\n'
  done
  CPU[$name]=$(awk 'NF { print $1 }' <<<"$samples" | median)
  WALL[$name]=$(awk 'NF { print $2 }' <<<"$samples" | median)
}
# Each hook run appends a line to the decision log, and the hook reads the log back (break-glass
# records); a fresh log per sample keeps the samples alike (bench/README.md says what a long log
# costs).
clear_log() { rm -f "$server/trailgate/decisions.jsonl"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# --- 1. the hook against git rev-list ----------------------------------------------------------
clean_exit=0 mixed_exit=0
GIT_DIR="$server" "$TRAILGATE" pre-receive <"$WORK/clean.in" >/dev/null 2>&1 || clean_exit=$?
GIT_DIR="$server" "$TRAILGATE" pre-receive <"$WORK/mixed.in" >/dev/null 2>&1 || mixed_exit=$?

echo "trailgate fixed cost (1-commit push)"
echo "  binary:     $TRAILGATE ($("$TRAILGATE" --version 2>/dev/null | head -1))"
echo "  git:        $(git --version | cut -d' ' -f3), libgit2 $(dpkg-query -W -f='${Version}' 'libgit2-1.*' 2>/dev/null | head -1 || echo '?')," \
  "$(ldd "$TRAILGATE" | grep -c '=>') shared libraries"
echo "  repository: $source_repo (private copy), $(git -C "$server" for-each-ref | wc -l) refs," \
  "commit-graph: $([ -f "$server/objects/info/commit-graph" ] && echo yes || echo no)"
echo "  method:     CPU time by $METHOD, per run; median of $SAMPLES samples of $RUNS runs each"
echo "  load:       $(cat /proc/loadavg) (start)"
echo

# Run as git runs them: in the git dir, GIT_DIR set. The page cache is warmed first.
cd "$server"
export GIT_DIR=.
git rev-list "$new_clean" "^$old" >/dev/null
measure hook-clean "$WORK/clean.in" "$TRAILGATE" pre-receive
measure hook-mixed "$WORK/mixed.in" "$TRAILGATE" pre-receive
measure revlist /dev/null git rev-list "$new_clean" "^$old"
unset GIT_DIR
cd "$WORK"
echo "load:       $(cat /proc/loadavg) (after the hook runs)"

# --- 2. a whole git push over file:// ----------------------------------------------------------
# The client borrows the server's objects (alternates), so each push sends exactly one new commit:
# a plain human commit on main's tree, which the policy accepts. After each push the server's
# main is put back; the pushed objects stay (unreachable), as they would after a rejected push.
client="$WORK/client.git"
git init -q --bare "$client"
echo "$server/objects" >"$client/objects/info/alternates"
tree=$(git -C "$server" rev-parse "$old^{tree}")
counter=0
one_push() {
  counter=$((counter + 1))
  local commit
  commit=$(git -C "$client" commit-tree "$tree" -p "$old" -m "Bench push $counter $RANDOM")
  git -C "$client" push -q "file://$server" "$commit:refs/heads/main" >/dev/null 2>&1 || return 1
  git -C "$server" update-ref refs/heads/main "$old"
}
# push_sample MODE: one sample of RUNS pushes; prints "<CPU ms> <wall ms>" per push. Only the
# push is measured (the client, receive-pack, the hook): making the commit and putting main back
# happen outside the measurement.
push_sample() {
  local mode=$1 i start end total_cpu=0 total_wall=0 c
  for ((i = 0; i < RUNS; i++)); do
    local commit
    counter=$((counter + 1))
    commit=$(git -C "$client" commit-tree "$tree" -p "$old" -m "Bench push $mode $counter $RANDOM")
    start=$(date +%s%N)
    if [ "$METHOD" = perf ]; then
      c=$(perf stat -x, -e task-clock -- git -C "$client" push -q "file://$server" \
        "$commit:refs/heads/main" 2>&1 >/dev/null | awk -F, '$3 == "task-clock" { print $1 }')
    else
      /usr/bin/time -f "%U %S" -o "$WORK/time" git -C "$client" push -q "file://$server" \
        "$commit:refs/heads/main" >/dev/null 2>&1
      c=$(awk '{ print ($1 + $2) * 1000 }' "$WORK/time")
    fi
    end=$(date +%s%N)
    [ "$(git -C "$server" rev-parse refs/heads/main)" = "$commit" ] ||
      { echo "bench: the push of $commit ($mode) did not land" >&2; exit 1; }
    git -C "$server" update-ref refs/heads/main "$old"
    total_cpu=$(awk -v a="$total_cpu" -v b="$c" 'BEGIN { print a + b }')
    total_wall=$((total_wall + end - start))
  done
  awk -v c="$total_cpu" -v w="$total_wall" -v n="$RUNS" 'BEGIN { printf "%.3f %.3f\n", c / n, w / 1e6 / n }'
}
set_hook() {
  if [ "$1" = trailgate ]; then
    [ -e "$server/hooks/pre-receive" ] || "$TRAILGATE" --repo "$server" install >/dev/null
  else
    [ ! -e "$server/hooks/pre-receive" ] || "$TRAILGATE" --repo "$server" install --uninstall >/dev/null
  fi
}
set_hook trailgate
one_push || { echo "bench: a 1-commit push with trailgate installed was rejected" >&2; exit 1; }
set_hook none
one_push
# Samples alternate between the two, so that a change of load hits both alike.
samples_t="" samples_n=""
for ((s = 0; s < SAMPLES; s++)); do
  set_hook trailgate
  clear_log
  samples_t+="$(push_sample trailgate)"$'\n'
  set_hook none
  samples_n+="$(push_sample none)"$'\n'
done
CPU[push-trailgate]=$(awk 'NF { print $1 }' <<<"$samples_t" | median)
WALL[push-trailgate]=$(awk 'NF { print $2 }' <<<"$samples_t" | median)
CPU[push-none]=$(awk 'NF { print $1 }' <<<"$samples_n" | median)
WALL[push-none]=$(awk 'NF { print $2 }' <<<"$samples_n" | median)
echo "load:       $(cat /proc/loadavg) (end)"
echo

h_clean=${CPU[hook-clean]} h_mixed=${CPU[hook-mixed]} r=${CPU[revlist]}
printf '%-44s %10s %10s\n' measure "CPU ms" "wall ms"
printf '%-44s %10s %10s\n' "hook, 1-commit push, accepted (exit $clean_exit)" "$h_clean" "${WALL[hook-clean]}"
printf '%-44s %10s %10s\n' "hook, 1-commit push, rejected (exit $mixed_exit)" "$h_mixed" "${WALL[hook-mixed]}"
printf '%-44s %10s %10s\n' "git rev-list \$new ^\$old" "$r" "${WALL[revlist]}"
printf '%-44s %10s %10s\n' "git push of 1 commit, trailgate installed" "${CPU[push-trailgate]}" "${WALL[push-trailgate]}"
printf '%-44s %10s %10s\n' "git push of 1 commit, no hook" "${CPU[push-none]}" "${WALL[push-none]}"
echo
hook_ratio=$(ratio "$h_clean" "$r")
push_ratio=$(ratio "${CPU[push-trailgate]}" "${CPU[push-none]}")
push_wall_ratio=$(ratio "${WALL[push-trailgate]}" "${WALL[push-none]}")
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "MISSED") }'; }
echo "Targets (issue: fast on every push):"
echo "  hook / rev-list, 1-commit push, CPU, at most 4x:     ${hook_ratio}x -> $(verdict "$hook_ratio" 4)"
echo "  git push with / without trailgate, CPU, at most 1.05x: ${push_ratio}x (wall ${push_wall_ratio}x) -> $(verdict "$push_ratio" 1.05)"
echo "fixed-cost hook-ratio $hook_ratio push-ratio $push_ratio push-wall-ratio $push_wall_ratio"
