#!/usr/bin/env bash
# The scale benchmark: trailgate's pre-receive hook on pushes of up to 1,000,000 commits, in a
# repository with 100,000 refs and on top of a 1,000,000-commit history, each against git doing
# the least the same push needs. See bench/README.md ("Huge pushes").
#
# usage: bench/huge_push.sh path/to/trailgate
#
# Environment:
#   HUGE_SIZES="250000 500000 1000000"  push sizes, in commits (the largest is generated)
#   HUGE_REFS=100000                    refs in the many-refs case (1% of them loose); 0 skips it
#   HUGE_AUDIT=1                        0 skips `trailgate audit` over the deep history
#   TMPDIR                              where the repository is built (1.3 GB for 1M commits);
#                                       it is deleted at the end
# Uses only bash, git, coreutils, awk and GNU time (/usr/bin/time, Debian package "time").
# Everything runs once (these runs take seconds to minutes; rerun when the load is high).
set -euo pipefail
export LC_ALL=C

[ $# -eq 1 ] || { echo "usage: bench/huge_push.sh path/to/trailgate" >&2; exit 2; }
TRAILGATE=$(readlink -f "$1")
[ -x "$TRAILGATE" ] || { echo "huge_push: no trailgate binary at $1" >&2; exit 2; }
SIZES=${HUGE_SIZES:-250000 500000 1000000}
REFS=${HUGE_REFS:-100000}
GNU_TIME=/usr/bin/time
"$GNU_TIME" -f %M true >/dev/null 2>&1 ||
  { echo "huge_push: needs GNU time at $GNU_TIME (apt-get install time)" >&2; exit 2; }
MAX=0
for n in $SIZES; do [ "$n" -gt "$MAX" ] && MAX=$n; done
[ "$MAX" -gt 0 ] || { echo "huge_push: HUGE_SIZES is empty" >&2; exit 2; }

# A private environment: neither the user's nor the system's git configuration, nor a
# TRAILGATE_POLICY from the caller, changes what is measured.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-huge.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
unset TRAILGATE_POLICY GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH
mkdir -p "$HOME"
server="$WORK/server.git"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# measure NAME INPUT CMD...: runs CMD once under GNU time with INPUT on stdin, in the server;
# sets MS[NAME] (wall ms), RSS[NAME] (peak RSS, KiB), RC[NAME] and OUT[NAME] (stdout+stderr).
declare -A MS RSS RC OUT
measure() {
  local name=$1 input=$2 start rc=0
  shift 2
  start=$(date +%s%N)
  (cd "$server" && GIT_DIR=. "$GNU_TIME" -f %M -o "$WORK/rss" "$@" <<<"$input" \
    >"$WORK/out" 2>&1) || rc=$?
  MS[$name]=$(ms_since "$start")
  RSS[$name]=$(tail -1 "$WORK/rss")
  RC[$name]=$rc
  OUT[$name]=$(tr -d '\0' <"$WORK/out")  # git log's output holds NUL bytes
}

# --- the repository ---------------------------------------------------------------------------
# One fast-import stream (awk): main = one root commit; then three chains of MAX commits each
# on top of it, every commit changing one of 64 small files:
#   refs/pending/pass   9 in 10 plain, every 10th AI-assisted (Assisted-by:) with
#                       "Reviewed-by: Senior One": every commit passes the policy
#   refs/pending/fail   every 10th AI-assisted without review: a tenth fail
#   refs/pending/all    every commit AI-assisted without review: every one fails
#   refs/pending/one    one plain commit on top of refs/pending/pass (the 1-commit push)
# Afterwards the pending refs are deleted: their commits are in the repository but reachable
# from no ref, as a push's objects are before git moves the ref, so that
# `git rev-list --count $new --not --all` counts exactly the pushed commits.
echo "huge push: building $server ($MAX commits per chain, 3 chains)" >&2
gen_start=$(date +%s%N)
git init -q --bare "$server"
git -C "$server" config gc.auto 0
git -C "$server" config receive.autogc false
git -C "$server" symbolic-ref HEAD refs/heads/main
# shellcheck disable=SC2016
awk -v max="$MAX" -v t0=1700000000 '
function commit(ref, mark, from, author, msg, file,    body) {
  printf "commit %s\nmark :%d\n", ref, mark
  printf "author %s %d +0000\ncommitter %s %d +0000\n", author, t0 + mark, author, t0 + mark
  printf "data %d\n%s", length(msg), msg
  if (from) printf "from :%d\n", from
  body = sprintf("int v = %d;\n", mark)
  printf "M 100644 inline src/f%02d.c\ndata %d\n%s\n", file, length(body), body
}
BEGIN {
  dev = "Dev One <dev@example.com>"
  commit("refs/heads/main", 1, 0, dev, "Initial commit\n", 0)
  for (chain = 0; chain < 3; chain++) {
    ref = chain == 0 ? "refs/pending/pass" : chain == 1 ? "refs/pending/fail" : "refs/pending/all"
    base = 2 + chain * max
    for (i = 0; i < max; i++) {
      mark = base + i
      ai = chain == 2 || i % 10 == 9
      msg = sprintf("Change %d of %s\n\nA small change to keep the history moving.\n", i + 1, ref)
      if (ai) {
        msg = msg "\nAssisted-by: Claude:claude-sonnet-4\n"
        if (chain == 0) msg = msg "Reviewed-by: Senior One <senior@example.com>\n"
      }
      commit(ref, mark, i == 0 ? 1 : mark - 1, dev, msg, mark % 64)
    }
  }
  commit("refs/pending/one", 2 + 3 * max, 1 + max, dev, "One more change\n", 7)
  print "done"
}' | git -C "$server" fast-import --quiet --done 2>&1 | grep -v '^$' >&2 || true
declare -A TIP
for chain in pass fail all one; do
  TIP[$chain]=$(git -C "$server" rev-parse --verify -q "refs/pending/$chain") ||
    { echo "huge_push: fast-import did not write refs/pending/$chain" >&2; exit 1; }
  git -C "$server" update-ref -d "refs/pending/$chain"
done
root=$(git -C "$server" rev-parse refs/heads/main)
echo "huge push: built in $(($(ms_since "$gen_start") / 1000)) s," \
  "$(du -sm "$server" | cut -f1) MB" >&2

# The hook finds <git dir>/trailgate.toml, as on a real server.
cat >"$server/trailgate.toml" <<'POLICY'
# Written by bench/huge_push.sh.
[review]
verification = "roster"

[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"

[[protect]]
refs = ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]
approvals = 1
min_level = "senior"
POLICY
"$TRAILGATE" policy check "$server/trailgate.toml" >/dev/null ||
  { echo "huge_push: trailgate rejects the bench policy" >&2; exit 1; }

echo "trailgate huge-push benchmark"
echo "  binary:  $TRAILGATE ($("$TRAILGATE" --version 2>/dev/null | head -1))"
echo "  git:     $(git --version | cut -d' ' -f3)"
echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "  method:  one run each; the hook as git runs it (cd server.git && GIT_DIR=."
echo "           trailgate pre-receive <<< \"\$old \$new refs/heads/main\"), the new commits in the"
echo "           repository but on no ref; git = git rev-list --count \$new --not --all, the"
echo "           connectivity walk git itself does on every push. Wall time from bash, peak RSS"
echo "           from GNU time (%M)."
echo

# --- pushes of N commits ----------------------------------------------------------------------
# For each size N and chain, new = the chain's N-th commit above the root.
printf '%-14s %8s %4s %9s %8s %6s %9s %9s %8s %9s\n' \
  push commits exit "hook ms" "git ms" ratio "hook MB" "git MB" "us/commit" "B/commit"
declare -A SUMMARY
for chain in pass fail all; do
  for n in $SIZES; do
    label="$chain-$n"
    new=$(git -C "$server" rev-parse "${TIP[$chain]}~$((MAX - n))")
    measure "hook $label" "$root $new refs/heads/main" "$TRAILGATE" pre-receive
    measure "git $label" "" git rev-list --count "$new" --not --all
    count=${OUT[git $label]}
    [ "$count" = "$n" ] || echo "huge_push: $label: git counts $count commits, not $n" >&2
    h=${MS[hook $label]} g=${MS[git $label]}
    printf '%-14s %8s %4s %9s %8s %5sx %9s %9s %8s %9s\n' "$label" "$n" "${RC[hook $label]}" \
      "$h" "$g" "$(awk -v h="$h" -v g="$g" 'BEGIN { printf "%.1f", (g > 0 ? h / g : 0) }')" \
      "$(awk -v k="${RSS[hook $label]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
      "$(awk -v k="${RSS[git $label]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
      "$(awk -v h="$h" -v n="$n" 'BEGIN { printf "%.2f", h * 1000 / n }')" \
      "$(awk -v k="${RSS[hook $label]}" -v n="$n" 'BEGIN { printf "%.0f", k * 1024 / n }')"
    SUMMARY[$label]=$(grep -m1 'checked' <<<"${OUT[hook $label]}" || echo "(no summary line)")
  done
done
echo
echo "  pass-N: every commit passes (exit 0); fail-N: every 10th commit is an unreviewed"
echo "  AI-assisted one (exit 1); all-N: every commit is (exit 1), the cost of failing commits."
echo "  B/commit: the hook's peak RSS / N. Linear time and bounded memory mean us/commit and"
echo "  B/commit stay flat as N grows."
echo
echo "What the hook said:"
for label in "${!SUMMARY[@]}"; do printf '  %-14s %s\n' "$label" "${SUMMARY[$label]}"; done | sort

# --- the same push through git ----------------------------------------------------------------
# A real `git push` (the server pushing into itself, so no pack is sent) that fast-forwards main
# over the whole pass chain once it sits on an unprotected branch: receive-pack runs the hook,
# which must still check all MAX commits (an unprotected branch exempts nothing). The installed
# hook runs trailgate under GNU time. Afterwards main holds MAX + 1 commits: the deep history.
git -C "$server" update-ref refs/heads/staging "${TIP[pass]}"
cat >"$server/hooks/pre-receive" <<HOOK
#!/bin/sh
exec "$GNU_TIME" -f "%e %M" -o "$WORK/push-rss" "$TRAILGATE" pre-receive
HOOK
chmod +x "$server/hooks/pre-receive"
push_start=$(date +%s%N)
push_rc=0
git -C "$server" push -q "file://$server" refs/heads/staging:refs/heads/main >"$WORK/push-out" 2>&1 ||
  push_rc=$?
push_ms=$(ms_since "$push_start")
read -r push_hook_s push_hook_kb <"$WORK/push-rss"
rm -f "$server/hooks/pre-receive"
git -C "$server" update-ref -d refs/heads/staging
echo
echo "Real git push of $MAX commits (main fast-forwarded to an unprotected branch):"
echo "  git push exit $push_rc in $push_ms ms; the hook inside it: ${push_hook_s}s," \
  "peak RSS $(awk -v k="$push_hook_kb" 'BEGIN { printf "%.1f", k / 1024 }') MB"
echo "  main now: $(git -C "$server" rev-parse refs/heads/main | cut -c1-12)" \
  "(expected $(cut -c1-12 <<<"${TIP[pass]}"))"

# --- a 1-commit push on top of the deep history -----------------------------------------------
deep_tip=$(git -C "$server" rev-parse refs/heads/main)
one_input="$deep_tip ${TIP[one]} refs/heads/main"
print_row() {
  printf '  %-34s %4s %9s %9s\n' "$1" "${RC[$2]}" "${MS[$2]}" \
    "$(awk -v k="${RSS[$2]}" 'BEGIN { printf "%.1f", k / 1024 }')"
}
echo
echo "Deep history: main is a linear chain of $((MAX + 1)) commits; a 1-commit push on top"
measure "deep hook" "$one_input" "$TRAILGATE" pre-receive
measure "deep git" "" git rev-list --count "${TIP[one]}" --not --all
measure "deep check" "" "$TRAILGATE" check --ref refs/heads/main "$deep_tip..${TIP[one]}"
measure "deep check-all" "" "$TRAILGATE" check --ref refs/heads/main "${TIP[pass]}"
printf '  %-34s %4s %9s %9s\n' what exit ms "RSS MB"
print_row "hook, 1-commit push" "deep hook"
print_row "git rev-list --count new --not --all" "deep git"
print_row "check main..new" "deep check"
print_row "check all $((MAX + 1)) commits of main" "deep check-all"
if [ "${HUGE_AUDIT:-1}" != 0 ]; then
  measure "deep audit" "" "$TRAILGATE" audit --no-cache --format jsonl refs/heads/main -o "$WORK/audit.jsonl"
  measure "deep log" "" git log --format='%H%x00%(trailers:unfold)' refs/heads/main
  print_row "audit --format jsonl (no cache)" "deep audit"
  print_row "git log with trailers" "deep log"
  # The first jsonl line is the report's header, the others one commit each.
  echo "  the audit listed $(grep -vc '^{"type":"header"' "$WORK/audit.jsonl" 2>/dev/null || echo 0) records"
  rm -f "$WORK/audit.jsonl"
fi
echo "  deep hook said: $(grep -m1 'checked' <<<"${OUT[deep hook]}" || echo "(no summary line)")"

# --- 100,000 refs -----------------------------------------------------------------------------
# REFS refs written straight into packed-refs (sorted, as git writes it), 1% more as loose refs:
# feature branches on commits along main, every 100th a protected refs/tags/v* tag, and
# refs/heads/release/9 among the loose ones. Then the same 1-commit push.
if [ "$REFS" -gt 0 ]; then
  git -C "$server" rev-list --max-count="$REFS" refs/heads/main >"$WORK/ids"
  awk -v refs="$REFS" '
    { id[NR - 1] = $1 } END {
      n = NR
      for (i = 0; i < refs; i++) {
        if (i % 100 == 0) printf "%s refs/tags/v1.%d.%d\n", id[i % n], i / 100, 0
        else printf "%s refs/heads/feature/f%06d\n", id[i % n], i
      }
    }' "$WORK/ids" >"$WORK/refs"
  # packed-refs is sorted by name; merge with what it already holds (no peeled lines here).
  { grep '^[0-9a-f]' "$server/packed-refs" 2>/dev/null || true; } >>"$WORK/refs"
  {
    echo "# pack-refs with: peeled fully-peeled sorted "
    sort -k2 "$WORK/refs"
  } >"$server/packed-refs.new"
  mv "$server/packed-refs.new" "$server/packed-refs"
  loose=$((REFS / 100))
  head -n "$loose" "$WORK/ids" | awk '{ printf "create refs/heads/loose/l%05d %s\n", NR, $1 }' |
    git -C "$server" update-ref --stdin
  git -C "$server" update-ref refs/heads/release/9 "$(sed -n 2p "$WORK/ids")"
  total_refs=$(git -C "$server" for-each-ref | wc -l)
  packed=$(grep -c '^[0-9a-f]' "$server/packed-refs")
  echo
  echo "Many refs: $total_refs refs ($packed packed, the rest loose), 1-commit push on main"
  measure "refs hook" "$one_input" "$TRAILGATE" pre-receive
  measure "refs git" "" git rev-list --count "${TIP[one]}" --not --all
  measure "refs for-each-ref" "" git for-each-ref
  printf '  %-34s %4s %9s %9s\n' what exit ms "RSS MB"
  print_row "hook, 1-commit push" "refs hook"
  print_row "git rev-list --count new --not --all" "refs git"
  print_row "git for-each-ref" "refs for-each-ref"
  echo "  hook / for-each-ref: $(awk -v h="${MS[refs hook]}" -v g="${MS[refs for-each-ref]}" \
    'BEGIN { printf "%.1f", (g > 0 ? h / g : 0) }')x;" \
    "hook / rev-list: $(awk -v h="${MS[refs hook]}" -v g="${MS[refs git]}" \
      'BEGIN { printf "%.1f", (g > 0 ? h / g : 0) }')x"
  echo "  refs hook said: $(grep -m1 'checked' <<<"${OUT[refs hook]}" || echo "(no summary line)")"
fi
