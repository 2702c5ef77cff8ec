#!/usr/bin/env bash
# Builds (or reuses) the repository for the signed-push benchmark: a copy of the synthetic
# repository (bench/make_synthetic_repo.sh) plus BENCH_SIGNED AI-assisted commits on top of main,
# every one of them approved with `trailgate approve` by Senior One's ed25519 key.
#
# usage: bench/make_signed_chain.sh path/to/trailgate [DIR]     (default: bench/work/signed.git)
#
# Prints the repository's path on stdout; progress and timings go to stderr.
#
# Environment: BENCH_SIGNED (default 10000) commits in the chain; BENCH_MAIN, BENCH_PUSH,
# BENCH_REFS and BENCH_COMMIT_GRAPH are passed on to make_synthetic_repo.sh.
#
# What it builds:
#
#   everything in the synthetic repository: the same pack (hard-linked when the file system
#   allows, else copied) and the same packed refs, 200,000 commits and 5,206 refs
#   refs/bench/signed   BENCH_SIGNED commits on top of refs/heads/main. Every one is AI-assisted
#                       (Assisted-by, Claude Code footer + Co-Authored-By, Generated-by, Cursor,
#                       aider author, copilot-swe-agent[bot] author) and carries
#                       "Reviewed-by: Senior One <senior@example.com>" and a valid
#                       Review-Signature, made by `trailgate approve`.
#   bench-key/senior, bench-key/senior.pub   the ed25519 key that signed them (no passphrase; a
#                       throwaway key that exists only for this benchmark)
#
# Steps: a --shared non-bare clone in a temporary directory, `git fast-import` of the unsigned
# chain onto main, `trailgate approve --key bench-key/senior --as "Senior One
# <senior@example.com>" main..HEAD` (one ssh-keygen -Y sign per commit), a fetch of the
# approved chain back into refs/bench/signed, `git pack-refs --all` and a new commit-graph over
# everything, as make_synthetic_repo.sh leaves its repository.
#
# The result is cached: a stamp file written last records the synthetic repository's stamp and
# the chain's parameters, and a repository whose stamp matches is reused as it is. The stamp
# does not name the trailgate binary: if a later trailgate changes the review payload, the
# cached signatures stop verifying and bench/run.sh reports a non-zero exit for the signed
# push. Delete the directory to rebuild.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: bench/make_signed_chain.sh path/to/trailgate [DIR]" >&2
  exit 2
fi
TRAILGATE=$(readlink -f "$1")
[ -x "$TRAILGATE" ] || { echo "make_signed_chain: no trailgate binary at $1" >&2; exit 2; }
command -v ssh-keygen >/dev/null || { echo "make_signed_chain: ssh-keygen not found (openssh-client)" >&2; exit 2; }

BENCH_SIGNED=${BENCH_SIGNED:-10000}
CHAIN_VERSION=1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/stamped_repo.sh
source "$here/stamped_repo.sh"

base_repo=$("$here/make_synthetic_repo.sh")
default_name=signed.git
[ "${BENCH_COMMIT_GRAPH:-1}" = 0 ] && default_name=signed-nograph.git
repo=${2:-$here/work/$default_name}
stamp_want="signed-chain=$CHAIN_VERSION commits=$BENCH_SIGNED key=ed25519 base: $(cat "$base_repo/$STAMP_NAME")"

stamped_reuse "$repo" "$stamp_want" "signed chain"

# A private environment: no user or system git configuration, ssh agent or policy changes what
# gets built.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-bench-signed.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" GIT_CONFIG_NOSYSTEM=1
unset TRAILGATE_POLICY SSH_AUTH_SOCK GIT_DIR GIT_WORK_TREE GIT_OBJECT_DIRECTORY \
  GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH
mkdir -p "$HOME"

echo "signed chain: building $repo ($stamp_want)" >&2
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
start_ns=$(date +%s%N)

# 1. The copy of the synthetic repository. Git never rewrites a pack in place, so a hard link
#    is safe; packed-refs and the rest are copied or made fresh.
stamped_start "$repo" make_signed_chain
for f in "$base_repo"/objects/pack/*; do
  ln "$f" "$repo.tmp/objects/pack/" 2>/dev/null || cp "$f" "$repo.tmp/objects/pack/"
done
cp "$base_repo/packed-refs" "$repo.tmp/packed-refs"
base=$(git -C "$repo.tmp" rev-parse refs/heads/main)

# 2. The key.
mkdir "$repo.tmp/bench-key"
ssh-keygen -q -t ed25519 -N '' -C "senior@example.com (trailgate bench)" -f "$repo.tmp/bench-key/senior"

# 3. The unsigned chain, in a non-bare clone that borrows the repository's objects.
wt="$scratch/wt"
git clone -q --shared --no-checkout "$repo.tmp" "$wt"
git -C "$wt" checkout -q -b signed "$base"
t=$(date +%s%N)
# shellcheck disable=SC2016
chain_program='
function rnd(n) { seed = (seed * 16807) % 2147483647; return int(seed / 2147483647 * n) }
function pick(arr, n) { return arr[rnd(n) + 1] }
function wrap(text,    words, n, i, line, out) {
  n = split(text, words, " "); line = ""; out = ""
  for (i = 1; i <= n; i++) {
    if (line != "" && length(line) + 1 + length(words[i]) > 72) { out = out line "\n"; line = words[i] }
    else line = (line == "" ? words[i] : line " " words[i])
  }
  return out line "\n"
}
function paragraph(    k, i, s) {
  k = 1 + rnd(3); s = ""
  for (i = 0; i < k; i++) s = s (s == "" ? "" : " ") pick(sentences, nsentences)
  return wrap(s)
}
function human(    i) { i = rnd(nfirst * nlast); return first[int(i / nlast) + 1] " " last[i % nlast + 1] }
function email_of(name,    e) { e = tolower(name); gsub(/ /, ".", e); return e "@example.com" }
BEGIN {
  seed = 20260202; T0 = 1577836800 + 400000 * 600
  nfirst = split("Alice|Bob|Carol|Dmitri|Eve|Farah|Gustavo|Hiro|Ines|Jamal|Kirsten|Li|Mateo|Nadia|Oskar|Priya|Quentin|Rosa|Sven|Tariq|Uma|Viktor|Wen|Yusuf", first, "|")
  nlast = split("Adams|Berg|Chen|Dubois|Evans|Fischer|Garcia|Haddad|Ivanova|Jensen|Kowalski|Lopez|Moreau|Novak|Okafor|Petrov", last, "|")
  nverbs = split("Fix|Add|Refactor|Update|Remove|Improve|Document|Simplify|Speed up|Handle|Test|Rename", verbs, "|")
  nobjects = split("parser for config files|retry logic in the HTTP client|cache eviction order|login redirect loop|CSV export of invoices|null check in session restore|flaky scheduler test|logging of failed jobs|pagination in the search API|migration for user settings|timeout handling in the worker pool|error message for bad tokens", objects, "|")
  nsentences = split("The previous implementation assumed the list was never empty.|This keeps the behaviour for existing callers unchanged.|Found while debugging a production incident last week.|Benchmarks show no measurable difference.|This also removes a duplicated helper.|Tests cover both the success and the failure case.|No user-visible change is intended.", sentences, "|")
  nassistants = split("Claude|Claude:claude-sonnet-4|GitHub Copilot|ChatGPT:gpt-4o|Gemini", assistants, "|")
  for (m = 1; m <= N; m++) {
    t = T0 + m * 600 + rnd(300)
    an = human(); ae = email_of(an); cn = an; ce = ae
    body = ""; trailers = ""
    if (rnd(100) < 65) body = "\n" paragraph()
    r = rnd(100)
    if (r < 40) {            # kernel-style declaration, as in the issue
      trailers = "Assisted-by: " pick(assistants, nassistants) "\n"
      if (rnd(100) < 50) trailers = trailers "Signed-off-by: " an " <" ae ">\n"
    } else if (r < 70) {     # Claude Code footer
      body = body "\n\360\237\244\226 Generated with [Claude Code](https://claude.com/claude-code)\n"
      trailers = "Co-Authored-By: Claude <noreply@anthropic.com>\n"
    } else if (r < 80) {     # aider renames author and committer
      an = an " (aider)"; cn = an
    } else if (r < 88) {     # Copilot coding agent, assigned by a human
      trailers = "Co-authored-by: " an " <" ae ">\n"
      an = "copilot-swe-agent[bot]"; ae = "198982749+Copilot@users.noreply.github.com"
      cn = "GitHub"; ce = "noreply@github.com"
    } else if (r < 94) {     # Cursor
      trailers = "Co-authored-by: Cursor Agent <cursoragent@cursor.com>\n"
    } else {                 # ASF-style declaration
      trailers = "Generated-by: " pick(assistants, nassistants) "\n"
    }
    msg = pick(verbs, nverbs) " " pick(objects, nobjects) "\n" body (trailers == "" ? "" : "\n" trailers)
    printf "commit refs/heads/signed\nmark :%d\n", m
    printf "author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n", an, ae, t, cn, ce, t
    printf "data %d\n%s", length(msg), msg
    if (m == 1) printf "from %s\n", BASE
    d = rnd(16); f = rnd(32)
    c = sprintf("/* module %d file %d */\nint signed_%d = %d;\n", d, f, m, rnd(100000))
    printf "M 100644 inline src/mod%02d/file%02d.c\ndata %d\n%s\n", d, f, length(c), c
  }
  printf "done\n"
}'
awk -v N="$BENCH_SIGNED" -v BASE="$base" "$chain_program" </dev/null |
  git -C "$wt" fast-import --quiet --done
git -C "$wt" reset -q --hard
[ "$(git -C "$wt" rev-list --count "$base..HEAD")" -eq "$BENCH_SIGNED" ] ||
  { echo "make_signed_chain: fast-import did not give $BENCH_SIGNED commits" >&2; exit 1; }
import_ms=$(ms_since "$t")

# 4. Senior One approves all of it.
t=$(date +%s%N)
(cd "$wt" && "$TRAILGATE" approve --key "$repo.tmp/bench-key/senior" \
  --as "Senior One <senior@example.com>" "$base..HEAD") >"$scratch/approve.log" 2>&1 ||
  { tail -20 "$scratch/approve.log" >&2; echo "make_signed_chain: trailgate approve failed" >&2; exit 1; }
approve_ms=$(ms_since "$t")
[ "$(grep -c '^approved ' "$scratch/approve.log")" -eq "$BENCH_SIGNED" ] ||
  { echo "make_signed_chain: approve did not report $BENCH_SIGNED commits" >&2; exit 1; }

# 5. Back into the repository, packed as the rest.
t=$(date +%s%N)
git -C "$repo.tmp" fetch -q "$wt" +refs/heads/signed:refs/bench/signed
rm -f "$repo.tmp/FETCH_HEAD"
git -C "$repo.tmp" pack-refs --all --prune
[ "${BENCH_COMMIT_GRAPH:-1}" = 0 ] || git -C "$repo.tmp" commit-graph write --reachable --no-progress
finish_ms=$(ms_since "$t")
tip=$(git -C "$repo.tmp" rev-parse refs/bench/signed)
signatures=$(git -C "$repo.tmp" log --format='%(trailers:key=Review-Signature,valueonly)' "$base..$tip" | grep -c .)
[ "$signatures" -eq "$BENCH_SIGNED" ] ||
  { echo "make_signed_chain: $signatures Review-Signature trailers, expected $BENCH_SIGNED" >&2; exit 1; }

stamped_finish "$repo" "$stamp_want"
echo "signed chain: built in $(ms_since "$start_ns") ms: fast-import ${import_ms} ms," \
  "trailgate approve ${approve_ms} ms ($BENCH_SIGNED signatures)," \
  "fetch + pack-refs + commit-graph ${finish_ms} ms; $(du -sh "$repo" | cut -f1) (most of it the" \
  "pack it shares with $(basename "$base_repo"))" >&2
echo "$repo"
