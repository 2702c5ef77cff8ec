#!/usr/bin/env bash
# The trailgate demo: a bare "server" repository with trailgate as its pre-receive hook, a
# clone, and a narrated session of pushes. Every step states what should happen and checks
# that it did; the demo exits non-zero if trailgate ever behaves otherwise.
#
# usage: examples/demo.sh [path/to/trailgate]     (default: build/trailgate, else trailgate on PATH)
set -uo pipefail

# Default: the build tree's binary, else the installed one (the packaged demo runs from
# /usr/share/doc/trailgate/examples/).
default=build/trailgate
[ -x "$default" ] || default=$(command -v trailgate || echo build/trailgate)
TRAILGATE=$(readlink -f "${1:-$default}")
[ -x "$TRAILGATE" ] || { echo "demo: no trailgate binary at $TRAILGATE" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trailgate-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A private HOME so the demo never reads or writes your own git configuration.
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global user.name "Junior One"
git config --global user.email junior@example.com
git config --global advice.detachedHead false

bold="" plain=""
if [ -t 1 ]; then bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true); fi
failures=0

say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# run CMD...: show the command like a transcript, run it, indent its output.
run() {
  printf '%s$ %s%s\n' "$bold" "$*" "$plain"
  "$@" 2>&1 | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}
expect() { # expect accepted|rejected STATUS WHAT
  local want=$1 status=$2 what=$3 got=accepted
  [ "$status" -eq 0 ] || got=rejected
  if [ "$got" = "$want" ]; then
    printf '   -> %s, as expected: %s\n' "$got" "$what"
  else
    printf '   -> UNEXPECTED: %s was %s\n' "$what" "$got"
    failures=$((failures + 1))
  fi
}

cd "$WORK"
say "A senior engineer's SSH key (the one they already sign commits with)"
run ssh-keygen -q -t ed25519 -N "" -C senior@laptop -f senior_key
SENIOR_KEY=$(cat senior_key.pub)

say "A Git server with trailgate installed"
run git init -q --bare server.git
cat > server.git/trailgate.toml <<POLICY
# verification = "signature" is the default: a review counts only with an SSH signature by
# one of the reviewer's keys below, over the commit's content.

[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"
keys = ["$SENIOR_KEY"]

[[person]]
name = "Junior One"
emails = ["junior@example.com"]
level = "junior"

[[protect]]
refs = ["refs/heads/main", "refs/heads/release/*"]
approvals = 1                    # AI-assisted commits need one verified senior review
min_level = "senior"
POLICY
echo "The policy, server.git/trailgate.toml:"
sed 's/^/    /' server.git/trailgate.toml
run "$TRAILGATE" policy check server.git/trailgate.toml
run "$TRAILGATE" install --repo server.git

say "A developer clones it and pushes a human-written commit to main"
run git clone -q server.git clone
cd clone
echo "service: billing" > config.yaml
git add config.yaml
run git commit -q -m "Add billing service config"
run git push -q origin HEAD:main
expect accepted $? "a human commit to main needs no review"

say "An AI agent's commit, pushed to main without review"
echo "replicas: 3" >> config.yaml
git add config.yaml
run git commit -q -m "Scale billing to three replicas" -m "Co-authored-by: Claude <noreply@anthropic.com>"
git branch attempt-unreviewed
run git push origin HEAD:main
expect rejected $? "an AI-assisted commit without a senior's review"

say "Typing a Reviewed-by line by hand proves nothing: anyone can type it"
run git commit -q --amend --no-edit --trailer "Reviewed-by: Senior One <senior@example.com>"
run git push origin HEAD:main
expect rejected $? "an unsigned Reviewed-by"
git reset -q --hard attempt-unreviewed

say "The senior reviews it and approves with their SSH key"
run "$TRAILGATE" approve --key "$WORK/senior_key" --as "Senior One <senior@example.com>"
run git log -1 --format='author: %an%n%n%B'
run git push origin HEAD:main
expect accepted $? "the same change with a senior's signed review"

say "Anyone can check that signature with stock ssh-keygen"
echo "senior@example.com $SENIOR_KEY" > "$WORK/allowed_signers"
"$TRAILGATE" explain --payload HEAD > "$WORK/payload"
{
  echo "-----BEGIN SSH SIGNATURE-----"
  git log -1 --format='%(trailers:key=Review-Signature,valueonly)' | tr -d '\n' | fold -w 70
  echo
  echo "-----END SSH SIGNATURE-----"
} > "$WORK/review.sig"
run sed -n 1,7p "$WORK/payload"
run ssh-keygen -Y verify -f "$WORK/allowed_signers" -I senior@example.com -n trailgate-review \
  -s "$WORK/review.sig" < "$WORK/payload"
expect accepted $? "ssh-keygen -Y verify over trailgate explain --payload"

say "Someone tries to delete main (the git form of 'delete and recreate the environment')"
run git push origin :main
expect rejected $? "deleting a protected branch"

say "AI-assisted work on a feature branch"
run git checkout -q -b feature
echo "cache: on" >> config.yaml
git add config.yaml
run git commit -q -m "Turn on the cache" -m "Assisted-by: Cursor"
run git push origin HEAD:feature
expect accepted $? "feature branches are not protected"

say "...and then a fast-forward of main to that feature branch"
run git push origin feature:main
expect rejected $? "commits already on the server still get checked when they enter main"

say "trailgate check, run on the clone before pushing, gives the same verdicts"
POLICY_FILE="$WORK/server.git/trailgate.toml"
run "$TRAILGATE" check --policy "$POLICY_FILE" --ref refs/heads/main origin/main~1..attempt-unreviewed
expect rejected $? "check on the unreviewed attempt"
run "$TRAILGATE" check --policy "$POLICY_FILE" --ref refs/heads/main origin/main~1..origin/main
expect accepted $? "check on the approved commit now on main"
run "$TRAILGATE" check --policy "$POLICY_FILE" --ref refs/heads/main origin/main..feature
expect rejected $? "check on the feature branch, judged by main's rules"

say "Why? trailgate explain shows what it sees in a commit"
run "$TRAILGATE" explain --policy "$POLICY_FILE" --ref refs/heads/main feature

echo
if [ "$failures" -eq 0 ]; then
  echo "${bold}Demo complete: every verdict was as expected.${plain}"
else
  echo "${bold}Demo FAILED: $failures unexpected verdict(s).${plain}"
  exit 1
fi
