#!/usr/bin/env bash
# The Action's fetch step: brings a pull request's commits into a fresh bare repository as
# objects, with no work tree, no checkout and nothing of the pull request run (no hooks, filters,
# submodules or build). Writes to $GITHUB_OUTPUT:
#
#   repo=<dir>   the bare repository ($RUNNER_TEMP/trailgate-pr-<number>-XXXX)
#   base=<id>    the commit the policy is read from and the range starts at
#   head=<id>    the pull request's tip, the range's end
#   ref=<ref>    refs/heads/<base branch>, the ref the commits would enter
#
# Input, from the pull_request or pull_request_target event (action.yml passes them from
# github.event.pull_request):
#   TG_BASE_SHA, TG_HEAD_SHA  pull_request.base.sha and .head.sha (full object ids)
#   TG_BASE_REF               pull_request.base.ref (the target branch's short name)
#   TG_PR_NUMBER              pull_request.number
#   TG_REPOSITORY_URL         where to fetch from; default $GITHUB_SERVER_URL/$GITHUB_REPOSITORY.git
#   TG_TOKEN                  sent as an HTTP Authorization header when set (never stored in the
#                             repository's config or on a command line)
#
# The target branch and refs/pull/<number>/head are fetched by name; an event's commit that
# neither brings (the branch or the pull request moved since) is then fetched by id. A commit
# that cannot be had is an error: the check never runs on less than the event names.
set -euo pipefail

fail() {
  echo "::error title=trailgate fetch::$*"
  exit 3
}
output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
is_id() { [[ $1 =~ ^([0-9a-f]{40}|[0-9a-f]{64})$ ]]; }

command -v git >/dev/null || fail "git is not installed on the runner (a bare job container needs it)"

base=${TG_BASE_SHA:-}
head=${TG_HEAD_SHA:-}
base_ref=${TG_BASE_REF:-}
number=${TG_PR_NUMBER:-}
if [ -z "$base" ] || [ -z "$head" ] || [ -z "$base_ref" ] || [ -z "$number" ]; then
  echo "::error title=trailgate fetch::no pull request in this event (${GITHUB_EVENT_NAME:-unknown});" \
    "run the Action on pull_request or pull_request_target"
  exit 2
fi
is_id "$base" || fail "pull_request.base.sha is not an object id: $base"
is_id "$head" || fail "pull_request.head.sha is not an object id: $head"
[[ $number =~ ^[1-9][0-9]*$ ]] || fail "pull_request.number is not a number: $number"
git check-ref-format "refs/heads/$base_ref" || fail "pull_request.base.ref is not a branch name: $base_ref"

url=${TG_REPOSITORY_URL:-}
if [ -z "$url" ]; then
  url=${GITHUB_SERVER_URL:?GITHUB_SERVER_URL is not set}/${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}.git
fi

repo=$(mktemp -d "${RUNNER_TEMP:?RUNNER_TEMP is not set}/trailgate-pr-$number-XXXXXX")
git init -q --bare "$repo"
git -C "$repo" remote add origin "$url"

export GIT_TERMINAL_PROMPT=0
if [ -n "${TG_TOKEN:-}" ]; then
  # Per-process configuration (git 2.31+): the token is in neither argv nor .git/config.
  export GIT_CONFIG_COUNT=1
  export GIT_CONFIG_KEY_0="http.$url.extraheader"
  GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $(printf 'x-access-token:%s' "$TG_TOKEN" | base64 -w0)"
  export GIT_CONFIG_VALUE_0
fi

fetch() {
  git -C "$repo" -c protocol.version=2 fetch --quiet --no-tags --no-recurse-submodules \
    --no-write-fetch-head origin "$@"
}
has_commit() { git -C "$repo" cat-file -e "$1^{commit}" 2>/dev/null; }

fetch "+refs/heads/$base_ref:refs/remotes/origin/$base_ref" \
  "+refs/pull/$number/head:refs/pull/$number/head" ||
  fail "cannot fetch refs/heads/$base_ref and refs/pull/$number/head from $url"
for id in "$base" "$head"; do
  if ! has_commit "$id"; then
    echo "trailgate: $id is not on the fetched refs (they moved since the event); fetching it by id"
    fetch "$id" || true
    has_commit "$id" || fail "commit $id of the event cannot be fetched from $url"
  fi
done
tip=$(git -C "$repo" rev-parse "refs/pull/$number/head")
if [ "$tip" != "$head" ]; then
  echo "::notice title=trailgate::pull request #$number is now at $tip; this run checks the" \
    "event's head $head (a later run checks the new one)"
fi

echo "trailgate: pull request #$number: $base..$head into refs/heads/$base_ref, objects only, in $repo"
output repo "$repo"
output base "$base"
output head "$head"
output ref "refs/heads/$base_ref"
