#!/usr/bin/env bash
# The cost attacks of issue 12 (class 6): small pushes built to make the hook work hard. Each is
# run through the pre-receive hook as git runs it, against git's own connectivity walk on the
# same push, and with the hook's work counters from its decision log. See bench/README.md
# ("Cost attacks").
#
# usage: bench/attack_cost.sh path/to/trailgate [path/to/other/trailgate]
#   The optional second binary (an older build) runs the same attacks, each under
#   `timeout ATTACK_TIMEOUT`, to compare.
#
# Environment:
#   ATTACK_REVIEWS=600   Reviewed-by lines (and copies of one old signature) in the one commit
#   ATTACK_NOTES=300     garbage notes in the notes push
#   ATTACK_TIPS=51       protected tips (main and release/1..50) for the notes push
#   ATTACK_REFS=200      protected refs created in one push at one tip
#   ATTACK_DEPTH=2000    commits below that tip
#   ATTACK_TIMEOUT=120   seconds before a run is killed
# Uses only bash, git, coreutils, awk, ssh-keygen and GNU time is not needed. Runs once each.
set -euo pipefail
export LC_ALL=C

[ $# -ge 1 ] && [ $# -le 2 ] ||
  { echo "usage: bench/attack_cost.sh path/to/trailgate [path/to/other/trailgate]" >&2; exit 2; }
BINARIES=()
for b in "$@"; do
  [ -x "$b" ] || { echo "attack_cost: no trailgate binary at $b" >&2; exit 2; }
  BINARIES+=("$(readlink -f "$b")")
done
REVIEWS=${ATTACK_REVIEWS:-600}
NOTES=${ATTACK_NOTES:-300}
TIPS=${ATTACK_TIPS:-51}
REFS=${ATTACK_REFS:-200}
DEPTH=${ATTACK_DEPTH:-2000}
TIMEOUT=${ATTACK_TIMEOUT:-120}
[ "$TIPS" -ge 1 ] && [ "$DEPTH" -ge "$NOTES" ] && [ "$DEPTH" -ge "$TIPS" ] ||
  { echo "attack_cost: need ATTACK_TIPS >= 1 and ATTACK_DEPTH >= ATTACK_NOTES, ATTACK_TIPS" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-attack.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
unset TRAILGATE_POLICY GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH
mkdir -p "$HOME"
server="$WORK/server.git"
ZERO=0000000000000000000000000000000000000000

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# --- the repository ---------------------------------------------------------------------------
# main: a chain of ATTACK_DEPTH plain commits (already on the server, as history is);
# release/1 .. release/(TIPS-1) on the TIPS-1 commits below main's tip; refs/pending/* hold what
# the attacks push and are deleted before measuring, so the pushed objects are on no ref, as a
# push's objects are before git moves the ref.
ssh-keygen -q -t ed25519 -N "" -C senior -f "$WORK/senior" >/dev/null
echo "something another commit's reviewer signed" >"$WORK/other.txt"
ssh-keygen -q -Y sign -n trailgate-review -f "$WORK/senior" "$WORK/other.txt" >/dev/null 2>&1
old_signature=$(sed '1d;$d' "$WORK/other.txt.sig" | tr -d '\n')

git init -q --bare "$server"
git -C "$server" config gc.auto 0
git -C "$server" config receive.autogc false
git -C "$server" symbolic-ref HEAD refs/heads/main
cat >"$server/trailgate.toml" <<POLICY
# Written by bench/attack_cost.sh.
[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"
keys = ["$(cat "$WORK/senior.pub")"]

[[protect]]
refs = ["refs/heads/main", "refs/heads/release/*", "refs/heads/stable/*"]
approvals = 1
min_level = "senior"
POLICY

awk -v depth="$DEPTH" -v reviews="$REVIEWS" -v sig="$old_signature" -v t0=1700000000 '
BEGIN {
  for (i = 1; i <= depth; i++) {
    msg = "Plain change " i "\n"
    printf "commit refs/heads/main\nmark :%d\n", i
    printf "author Dev One <dev@example.com> %d +0000\ncommitter Dev One <dev@example.com> %d +0000\n", t0 + i, t0 + i
    printf "data %d\n%s", length(msg), msg
    if (i > 1) printf "from :%d\n", i - 1
    printf "M 100644 inline f%d.txt\ndata %d\n%d\n\n", i % 64, length(i "") + 1, i
  }
  # The review attack: one AI-assisted commit with `reviews` claims and copies of one old signature.
  msg = "Tune the cache\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
  for (i = 0; i < reviews; i++) msg = msg "Reviewed-by: Senior One <senior@example.com>\n"
  for (i = 0; i < reviews; i++) msg = msg "Review-Signature: " sig "\n"
  printf "commit refs/pending/review\nmark :%d\n", depth + 1
  printf "author Dev One <dev@example.com> %d +0000\ncommitter Dev One <dev@example.com> %d +0000\n", t0 + depth + 1, t0 + depth + 1
  printf "data %d\n%s", length(msg), msg
  printf "from :%d\nM 100644 inline cache.txt\ndata 6\ntuned\n\n", depth
  # The same history again as new commits (other files), for the protected refs created at a tip.
  for (i = 1; i <= depth; i++) {
    msg = "Fresh change " i "\n"
    printf "commit refs/pending/fresh\nmark :%d\n", depth + 1 + i
    printf "author Dev One <dev@example.com> %d +0000\ncommitter Dev One <dev@example.com> %d +0000\n", t0 + i, t0 + i
    printf "data %d\n%s", length(msg), msg
    if (i > 1) printf "from :%d\n", depth + i
    printf "M 100644 inline g%d.txt\ndata %d\n%d\n\n", i % 64, length(i "") + 1, i
  }
}' | git -C "$server" fast-import --quiet

mapfile -t chain < <(git -C "$server" rev-list --reverse refs/heads/main)
for ((i = 1; i < TIPS; i++)); do
  git -C "$server" update-ref "refs/heads/release/$i" "${chain[$((DEPTH - 1 - i))]}"
done
review_commit=$(git -C "$server" rev-parse refs/pending/review)
fresh_tip=$(git -C "$server" rev-parse refs/pending/fresh)
main_tip=${chain[$((DEPTH - 1))]}

# The notes attack: NOTES garbage notes on commits of main, in one notes commit.
{
  printf "blob\nmark :1\ndata 8\ngarbage\n"
  printf "commit refs/pending/notes\ncommitter Notes <notes@example.com> 1700000000 +0000\ndata 6\nnotes\n"
  for ((i = 0; i < NOTES; i++)); do printf "M 100644 :1 %s\n" "${chain[$i]}"; done
} | git -C "$server" fast-import --quiet
notes_commit=$(git -C "$server" rev-parse refs/pending/notes)
# The same notes, well-formed: each an approval by Senior One with the old signature, so each
# is parsed, placed on a protected ref and verified (and rejected: the signature is for other data).
{
  note="Reviewed-by: Senior One <senior@example.com>
Review-Signature: $old_signature
"
  printf "blob\nmark :1\ndata %d\n%s" "${#note}" "$note"
  printf "commit refs/pending/notes-signed\ncommitter Notes <notes@example.com> 1700000000 +0000\ndata 6\nnotes\n"
  for ((i = 0; i < NOTES; i++)); do printf "M 100644 :1 %s\n" "${chain[$i]}"; done
} | git -C "$server" fast-import --quiet
signed_notes_commit=$(git -C "$server" rev-parse refs/pending/notes-signed)
for ref in review fresh notes notes-signed; do git -C "$server" update-ref -d "refs/pending/$ref"; done

refs_input=""
for ((i = 1; i <= REFS; i++)); do refs_input+="$ZERO $fresh_tip refs/heads/stable/$i"$'\n'; done

# --- measuring ----------------------------------------------------------------------------------
# run_hook BINARY INPUT: the hook as git runs it, in the server, under the timeout; prints
# "ms exit work" (work: the decision log's "work" object, or "-" when the line has none).
run_hook() {
  local binary=$1 input=$2 start rc=0 work log="$server/trailgate/decisions.jsonl"
  start=$(date +%s%N)
  (cd "$server" && GIT_DIR=. timeout "$TIMEOUT" "$binary" pre-receive <<<"$input" \
    >/dev/null 2>&1) || rc=$?
  local ms
  ms=$(ms_since "$start")
  work="-"
  if [ "$rc" -ne 124 ] && [ -f "$log" ]; then
    work=$(tail -1 "$log" | grep -o '"work":{[^}]*}' | sed 's/"work"://; s/"//g' || true)
    [ -n "$work" ] || work="-"
  fi
  [ "$rc" -eq 124 ] && ms=">$((TIMEOUT * 1000))"
  echo "$ms $rc $work"
}

# git's least work for the same push: its connectivity walk over the pushed objects.
git_ms() {
  local start
  start=$(date +%s%N)
  git -C "$server" rev-list --objects "$@" --not --all >/dev/null
  ms_since "$start"
}

echo "attack cost: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "repository: main $DEPTH commits, $TIPS protected tips; ATTACK_REVIEWS=$REVIEWS" \
  "ATTACK_NOTES=$NOTES ATTACK_REFS=$REFS"
printf "%-34s %-12s %9s %7s %8s %5s  %s\n" attack binary "hook ms" "git ms" ratio exit work
row() {
  local name=$1 binary=$2 input=$3 git=$4 result ms rc work ratio
  result=$(run_hook "$binary" "$input")
  read -r ms rc work <<<"$result"
  ratio=$(awk -v h="${ms#>}" -v g="$git" 'BEGIN { printf "%.1f", h / (g > 0 ? g : 1) }')
  printf "%-34s %-12s %9s %7s %8s %5s  %s\n" "$name" "$(basename "$(dirname "$binary")")" "$ms" \
    "$git" "$ratio" "$rc" "$work"
}
refs_input=${refs_input%$'\n'}
g_review=$(git_ms "$review_commit")
g_notes=$(git_ms "$notes_commit")
g_signed=$(git_ms "$signed_notes_commit")
g_refs=$(git_ms "$fresh_tip")
for binary in "${BINARIES[@]}"; do
  row "review: $REVIEWS claims x $REVIEWS sigs" "$binary" \
    "$main_tip $review_commit refs/heads/main" "$g_review"
  row "notes: $NOTES garbage, $TIPS tips" "$binary" "$ZERO $notes_commit refs/notes/trailgate" \
    "$g_notes"
  row "notes: $NOTES signed, $TIPS tips" "$binary" \
    "$ZERO $signed_notes_commit refs/notes/trailgate" "$g_signed"
  row "refs: $REFS protected at $DEPTH deep" "$binary" "$refs_input" "$g_refs"
done
echo "exit 1 = rejected (every attack here must be rejected, except refs: its commits are plain)"
