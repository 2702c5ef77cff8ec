#!/usr/bin/env bash
# The push benchmark: trailgate's pre-receive hook against `git rev-list` on the same push, in
# the 200,000-commit synthetic repository (bench/make_synthetic_repo.sh). See bench/README.md.
#
# usage: bench/run.sh path/to/trailgate            (./dev.sh bench builds and runs it)
#
# Environment:
#   BENCH_RUNS=7            timed runs per measurement (after one warm-up pass); median reported
#   BENCH_SIZES="1 100 10000"  push sizes, in commits (at most BENCH_PUSH of the generator)
#   BENCH_COMMIT_GRAPH=0    benchmark the variant of the repository without a commit-graph
#   BENCH_MAIN, BENCH_PUSH, BENCH_REFS   passed to the generator (see there)
#   BENCH_SIGNED=10000      commits in the signed push (bench/make_signed_chain.sh); 0 skips it
#   BENCH_SSHSIG_SECONDS=3  seconds per key for bench/sshsig_rate.sh, run when an sshsig_rate
#                           binary sits next to the trailgate binary
# Uses only bash, git, coreutils, awk and GNU time (/usr/bin/time, Debian package "time"); the
# signed push also needs ssh-keygen (openssh-client) the first time, to build its chain.
set -euo pipefail
export LC_ALL=C

[ $# -eq 1 ] || { echo "usage: bench/run.sh path/to/trailgate" >&2; exit 2; }
TRAILGATE=$(readlink -f "$1")
[ -x "$TRAILGATE" ] || { echo "bench: no trailgate binary at $1" >&2; exit 2; }
RUNS=${BENCH_RUNS:-7}
SIZES=${BENCH_SIZES:-1 100 10000}
SIGNED=${BENCH_SIGNED:-10000}
SSHSIG_SECONDS=${BENCH_SSHSIG_SECONDS:-3}
# bench/sshsig_rate.sh runs when the sshsig_rate program (CMake target sshsig_rate) was built
# next to the trailgate binary.
SSHSIG_BIN="$(dirname "$1")/sshsig_rate"
here=$(cd "$(dirname "$0")" && pwd)

GNU_TIME=/usr/bin/time
if ! "$GNU_TIME" -f %M true >/dev/null 2>&1; then
  echo "bench: GNU time not found at $GNU_TIME (apt-get install time); peak RSS is not measured" >&2
  GNU_TIME=""
fi

# --- the repository ---------------------------------------------------------------------------
gen_start=$(date +%s%N)
gen_log=$(mktemp)
repo=$("$here/make_synthetic_repo.sh" 2>"$gen_log") || { cat "$gen_log" >&2; exit 1; }
gen_ms=$((($(date +%s%N) - gen_start) / 1000000))
generation="reused the cached repository"
grep -q "built in" "$gen_log" && generation="built in $((gen_ms / 1000)).$((gen_ms % 1000 / 100)) s"
rm -f "$gen_log"

# The signed push lives in its own copy of the repository (bench/make_signed_chain.sh), built
# once with `trailgate approve` and cached like the repository itself.
signed_repo="" signed_generation=""
if [ "$SIGNED" -gt 0 ]; then
  gen_log=$(mktemp)
  signed_repo=$(BENCH_SIGNED="$SIGNED" "$here/make_signed_chain.sh" "$TRAILGATE" 2>"$gen_log") ||
    { cat "$gen_log" >&2; exit 1; }
  signed_generation="reused the cached chain"
  if grep -q "built in" "$gen_log"; then
    signed_generation=$(grep -m1 "built in" "$gen_log" | sed 's/^signed chain: //')
  fi
  rm -f "$gen_log"
fi

# A private environment: neither the user's nor the system's git configuration, nor a
# TRAILGATE_POLICY from the caller, changes what is measured.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
unset TRAILGATE_POLICY GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH
mkdir -p "$HOME"

# The hook finds <git dir>/trailgate.toml, as on a real server.
cp "$here/policy.toml" "$repo/trailgate.toml"
"$TRAILGATE" policy check "$repo/trailgate.toml" >/dev/null ||
  { echo "bench: trailgate rejects the bench policy" >&2; exit 1; }

# The signed push is checked under two policies that differ only in [review] verification: the
# bench policy plus Senior One's key. Each run copies one of them to <git dir>/trailgate.toml.
if [ -n "$signed_repo" ]; then
  senior_key=$(cat "$signed_repo/bench-key/senior.pub")
  for mode in signature roster; do
    sed -e "s/^verification = .*/verification = \"$mode\"/" \
      -e "s|^level = \"senior\"|level = \"senior\"\nkeys = [\"$senior_key\"]|" \
      "$repo/trailgate.toml" >"$WORK/policy-$mode.toml"
    "$TRAILGATE" policy check "$WORK/policy-$mode.toml" >/dev/null 2>&1 ||
      { echo "bench: trailgate rejects the $mode policy of the signed push" >&2; exit 1; }
  done
fi

cd "$repo"
export GIT_DIR=.
old=$(git rev-parse refs/heads/main)
push_len=$(git rev-list --count refs/heads/main..refs/bench/mixed)

# --- measuring --------------------------------------------------------------------------------
# Each case: a label, the new tip, and the expected number of commits.
cases=()
declare -A NEW COUNT
for chain in mixed clean; do
  for k in $SIZES; do
    [ "$k" -le "$push_len" ] || { echo "bench: push size $k > $push_len commits available" >&2; exit 2; }
    label="$chain-$k"
    NEW[$label]=$(git rev-parse "refs/bench/$chain~$((push_len - k))")
    COUNT[$label]=$(git rev-list --count "$old..${NEW[$label]}")
    [ "${COUNT[$label]}" -eq "$k" ] || { echo "bench: $label has ${COUNT[$label]} commits" >&2; exit 1; }
    cases+=("$label")
  done
done

hook() { "$TRAILGATE" pre-receive <<<"$old $1 refs/heads/main" >/dev/null 2>&1; }
revlist() { git rev-list "$old..$1" >/dev/null; }
# The walk the hook actually needs: the new commits that no protected ref has yet.
revlist_protected() {
  git rev-list "$1" --not "$old" refs/heads/main --glob='refs/heads/release/*' \
    --glob='refs/tags/v*' >/dev/null
}

declare -A SAMPLES EXIT
# time_once KEY CMD...: appends the wall time of CMD, in nanoseconds, to SAMPLES[KEY].
time_once() {
  local key=$1 start end rc=0
  shift
  start=$(date +%s%N)
  "$@" || rc=$?
  end=$(date +%s%N)
  SAMPLES[$key]+="$((end - start)) "
  return "$rc"
}
median_ms() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -n | awk '{v[NR] = $1} END {
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'; }
# peak_rss_mb STDIN CMD...: median over 3 runs of GNU time's maximum resident set size, in MB.
peak_rss_mb() {
  [ -n "$GNU_TIME" ] || { echo "n/a"; return; }
  local input=$1 all="" _
  shift
  for _ in 1 2 3; do
    "$GNU_TIME" -f %M -o "$WORK/rss" "$@" <<<"$input" >/dev/null 2>&1 || true
    all+="$(tail -1 "$WORK/rss") "
  done
  tr ' ' '\n' <<<"$all" | awk 'NF' | sort -n | awk '{v[NR] = $1} END { printf "%.1f", v[2] / 1024 }'
}

echo "trailgate push benchmark"
echo "  binary:     $TRAILGATE ($("$TRAILGATE" --version 2>/dev/null | head -1))"
echo "  git:        $(git --version | cut -d' ' -f3), libgit2 $(dpkg-query -W -f='${Version}' 'libgit2-1.*' 2>/dev/null | head -1 || echo '?')"
echo "  machine:    $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "  repository: $repo"
echo "              $(git rev-list --count refs/heads/main) commits on main + $push_len pending," \
  "$(git for-each-ref | wc -l) refs ($(grep -c '^[0-9a-f]' packed-refs) packed)," \
  "commit-graph: $([ -f objects/info/commit-graph ] && echo yes || echo no); $generation"
if [ -n "$signed_repo" ]; then
  echo "  signed:     $signed_repo (the same repository + refs/bench/signed); $signed_generation"
fi
echo "  method:     median of $RUNS runs after a warm-up; hook run as git runs it:"
echo "              cd repo.git && GIT_DIR=. trailgate pre-receive <<< \"\$old \$new refs/heads/main\""
echo

for pass in warmup $(seq "$RUNS"); do
  for label in "${cases[@]}"; do
    new=${NEW[$label]}
    rc=0
    time_once "hook $label" hook "$new" || rc=$?
    EXIT[$label]=$rc
    time_once "revlist $label" revlist "$new"
    time_once "revlistp $label" revlist_protected "$new"
  done
  if [ "$pass" = warmup ]; then
    SAMPLES=()
  fi
done

printf '%-13s %7s %4s %9s %12s %7s %17s %12s %12s\n' \
  push commits exit "hook ms" "rev-list ms" ratio "rev-list* ms" "hook RSS MB" "git RSS MB"
worst_small_ratio="" big_rss=""
for label in "${cases[@]}"; do
  new=${NEW[$label]}
  h=$(median_ms "${SAMPLES[hook $label]}")
  r=$(median_ms "${SAMPLES[revlist $label]}")
  rp=$(median_ms "${SAMPLES[revlistp $label]}")
  ratio=$(awk -v h="$h" -v r="$r" 'BEGIN { printf "%.1f", (r > 0 ? h / r : 0) }')
  hrss=$(peak_rss_mb "$old $new refs/heads/main" "$TRAILGATE" pre-receive)
  grss=$(peak_rss_mb "" git rev-list "$old..$new")
  printf '%-13s %7s %4s %9s %12s %6sx %17s %12s %12s\n' \
    "$label" "${COUNT[$label]}" "${EXIT[$label]}" "$h" "$r" "$ratio" "$rp" "$hrss" "$grss"
  if [ "${COUNT[$label]}" -eq 1 ]; then
    worst_small_ratio=$(awk -v a="$ratio" -v b="${worst_small_ratio:-0}" 'BEGIN { print (a > b ? a : b) }')
  fi
  if [ "${COUNT[$label]}" -eq "$push_len" ] && [ "$hrss" != n/a ]; then
    big_rss=$(awk -v a="$hrss" -v b="${big_rss:-0}" 'BEGIN { print (a > b ? a : b) }')
  fi
done

echo
echo "  exit: the hook's exit code (0 accepted, 1 rejected: mixed-* pushes start with an"
echo "        unreviewed AI-assisted commit; clean-* pushes are all reviewed or human)."
echo "  ratio = hook ms / rev-list ms, where rev-list is \`git rev-list \$old..\$new\`."
echo "  rev-list*: \`git rev-list \$new --not \$old <protected refs>\`, the commit set the hook walks."
echo "  RSS: peak resident set size (GNU time %M), median of 3 runs."
echo
echo "What the hook said (one run each):"
for label in "${cases[@]}"; do
  summary=$("$TRAILGATE" pre-receive <<<"$old ${NEW[$label]} refs/heads/main" 2>&1 |
    grep -m1 'checked' || true)
  printf '  %-13s %s\n' "$label" "${summary:-(no summary line)}"
done

# --- the signed push --------------------------------------------------------------------------
# The same SIGNED AI-assisted commits, each reviewed by Senior One with a Review-Signature,
# checked once under verification = "signature" and once under "roster" (which ignores the
# signatures). Runs alternate between the two modes.
signed_sig_ms="" signed_roster_ms="" signed_ratio="" signed_rss=""
if [ -n "$signed_repo" ]; then
  cd "$signed_repo"
  signed_old=$(git rev-parse refs/heads/main)
  signed_new=$(git rev-parse refs/bench/signed)
  signed_count=$(git rev-list --count "$signed_old..$signed_new")
  use_policy() { cp "$WORK/policy-$1.toml" trailgate.toml; }
  signed_hook() { "$TRAILGATE" pre-receive <<<"$signed_old $signed_new refs/heads/main" >/dev/null 2>&1; }
  for pass in warmup $(seq "$RUNS"); do
    for mode in signature roster; do
      use_policy "$mode"
      rc=0
      time_once "signed $mode" signed_hook || rc=$?
      EXIT[signed-$mode]=$rc
    done
    time_once "signed revlistp" revlist_protected "$signed_new"
    if [ "$pass" = warmup ]; then
      unset "SAMPLES[signed signature]" "SAMPLES[signed roster]" "SAMPLES[signed revlistp]"
    fi
  done

  echo
  echo "Signed push: $signed_count commits on top of main, every one AI-assisted and carrying"
  echo "\"Reviewed-by: Senior One\" and a Review-Signature by Senior One's ed25519 key"
  echo "($signed_repo, refs/bench/signed)"
  printf '%-14s %7s %4s %9s %17s %12s\n' verification commits exit "hook ms" "rev-list* ms" "hook RSS MB"
  rp=$(median_ms "${SAMPLES[signed revlistp]}")
  declare -A SIGNED_MS SIGNED_RSS
  for mode in roster signature; do
    SIGNED_MS[$mode]=$(median_ms "${SAMPLES[signed $mode]}")
    use_policy "$mode"
    SIGNED_RSS[$mode]=$(peak_rss_mb "$signed_old $signed_new refs/heads/main" "$TRAILGATE" pre-receive)
    printf '%-14s %7s %4s %9s %17s %12s\n' "$mode" "$signed_count" \
      "${EXIT[signed-$mode]}" "${SIGNED_MS[$mode]}" "$rp" "${SIGNED_RSS[$mode]}"
  done
  signed_sig_ms=${SIGNED_MS[signature]} signed_roster_ms=${SIGNED_MS[roster]}
  signed_rss=${SIGNED_RSS[signature]}
  signed_ratio=$(awk -v s="$signed_sig_ms" -v r="$signed_roster_ms" 'BEGIN { printf "%.2f", (r > 0 ? s / r : 0) }')
  signed_extra_us=$(awk -v s="$signed_sig_ms" -v r="$signed_roster_ms" -v n="$signed_count" \
    'BEGIN { printf "%.0f", (s - r) * 1000 / n }')
  echo
  echo "  signature / roster: ${signed_ratio}x; the signatures add ${signed_extra_us} us per commit"
  echo "  (payload, signature decoding and verification; compare with the verification rate below)."
  if [ "${EXIT[signed-signature]}" != 0 ] || [ "${EXIT[signed-roster]}" != 0 ]; then
    echo "  EXPECTED exit 0 for both: every commit is reviewed and signed. If only the signature run" \
      "fails, the cached signatures may predate a payload change: delete $signed_repo and rerun."
  fi
  echo
  echo "What the hook said (one run each):"
  for mode in roster signature; do
    use_policy "$mode"
    summary=$("$TRAILGATE" pre-receive <<<"$signed_old $signed_new refs/heads/main" 2>&1 |
      grep -m1 'checked' || true)
    printf '  %-11s %s\n' "$mode" "${summary:-(no summary line)}"
  done
  rm -f trailgate.toml
  cd "$repo"
fi

# --- SSH signature verification rate ----------------------------------------------------------
declare -A SSHSIG_RATE
if [ -x "$SSHSIG_BIN" ]; then
  echo
  echo "SSH signature verifications per second on one core (bench/sshsig_rate.sh):"
  sshsig_out=$("$here/sshsig_rate.sh" "$SSHSIG_BIN" "$SSHSIG_SECONDS" 2>&1) ||
    echo "  bench/sshsig_rate.sh failed:"
  while IFS= read -r line; do echo "  $line"; done <<<"$sshsig_out"
  key=""
  while read -r line; do
    case $line in
      "== "*) key=${line#== } ;;
      "verifications/s: "*) SSHSIG_RATE[$key]=${line#verifications/s: } ;;
    esac
  done <<<"$sshsig_out"
else
  echo
  echo "SSH signature verification rate: skipped, no $SSHSIG_BIN"
  echo "  (cmake --build <build dir> --target sshsig_rate builds it next to trailgate)."
fi

# --- the audit over the whole history (bench/audit.sh) ------------------------------------------
audit_ratio="" audit_share="" audit_rss=""
if [ "${BENCH_AUDIT:-1}" != 0 ]; then
  echo
  echo "Audit of refs/heads/main (bench/audit.sh), against git log --all with trailers:"
  audit_out=$("$here/audit.sh" "$TRAILGATE" "$repo" 2>&1) || echo "  bench/audit.sh failed:"
  while IFS= read -r line; do
    case $line in
      "audit-ratio "*) audit_ratio=${line#audit-ratio } ;;
      "audit-incremental-share "*) audit_share=${line#audit-incremental-share } ;;
      "audit-rss "*) audit_rss=${line#audit-rss } ;;
      *) echo "  $line" ;;
    esac
  done <<<"$audit_out"
fi

echo
echo "Targets (bench/README.md):"
if [ -n "$audit_ratio" ]; then
  verdict=$(awk -v r="$audit_ratio" 'BEGIN { print (r <= 1.0 ? (r <= 0.5 ? "met (and the 0.5 goal)" : "met") : "MISSED") }')
  echo "  audit jsonl / git log at most 1.0 (goal 0.5):  $audit_ratio  -> $verdict"
  verdict=$(awk -v r="$audit_share" 'BEGIN { print (r <= 5 ? "met" : "MISSED") }')
  echo "  audit rerun after 100 commits at most 5% of a full run:  $audit_share%  -> $verdict"
  worst=$(awk -v l="$audit_rss" 'BEGIN { split(l, m, " "); print (m[1] > m[2] ? m[1] : m[2]) }')
  verdict=$(awk -v m="$worst" 'BEGIN { print (m <= 200 ? "met" : "MISSED") }')
  echo "  audit peak RSS at most 200 MB:  $worst MB  -> $verdict"
fi
if [ -n "$worst_small_ratio" ]; then
  verdict=$(awk -v r="$worst_small_ratio" 'BEGIN { print (r <= 2 ? "met" : "MISSED") }')
  echo "  1-commit push within 2x of rev-list:  ${worst_small_ratio}x  -> $verdict"
fi
if [ -n "$big_rss" ]; then
  verdict=$(awk -v m="$big_rss" 'BEGIN { print (m <= 100 ? "met" : "MISSED") }')
  echo "  $push_len-commit push peak RSS <= 100 MB:  $big_rss MB  -> $verdict"
fi
if [ -n "$signed_rss" ] && [ "$signed_rss" != n/a ]; then
  verdict=$(awk -v m="$signed_rss" 'BEGIN { print (m <= 100 ? "met" : "MISSED") }')
  echo "  $signed_count-commit signed push (verification=signature) peak RSS <= 100 MB:  $signed_rss MB  -> $verdict"
fi

echo
echo "Signed reviews (issue \"Verified means verified\"):"
if [ ${#SSHSIG_RATE[@]} -gt 0 ]; then
  echo "  verifications/s per core:  ed25519 ${SSHSIG_RATE[ed25519]:-?}, rsa-3072 ${SSHSIG_RATE[rsa-3072]:-?}"
fi
if [ -n "$signed_sig_ms" ]; then
  echo "  $signed_count signed commits:  hook ${signed_sig_ms} ms under signature," \
    "${signed_roster_ms} ms under roster (${signed_ratio}x); exit ${EXIT[signed-signature]} / ${EXIT[signed-roster]};" \
    "peak RSS ${signed_rss} MB"
  if [ -n "${SSHSIG_RATE[ed25519]:-}" ]; then
    awk -v r="$signed_roster_ms" -v s="$signed_sig_ms" -v n="$signed_count" -v rate="${SSHSIG_RATE[ed25519]}" 'BEGIN {
      v = n / rate * 1000
      printf "  verification alone predicts roster + %.0f ms = %.0f ms; measured %.0f ms, so %.0f ms (%.0f us per commit) go elsewhere\n", v, r + v, s, s - r - v, (s - r - v) * 1000 / n }'
  fi
  echo "  chain: $signed_generation"
fi
