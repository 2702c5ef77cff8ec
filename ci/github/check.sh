#!/usr/bin/env bash
# The Action's check step: `trailgate check` on the fetched pull request, with the policy read
# from the base commit (never from the pull request), as GitHub workflow commands (annotations on
# the job log) plus the Markdown summary trailgate appends to $GITHUB_STEP_SUMMARY.
#
# Input (the install and fetch steps' outputs, and the Action's inputs):
#   TG_TRAILGATE    the trailgate binary
#   TG_REPO         the bare repository the fetch step made
#   TG_BASE, TG_HEAD, TG_REF   the range base..head, judged as entering TG_REF
#   TG_POLICY_PATH  the policy's path in the base commit (default .trailgate.toml)
#   TG_SARIF        when set, also writes SARIF 2.1.0 to this file (for
#                   github/codeql-action/upload-sarif)
#
# Writes to $GITHUB_OUTPUT: verdict=passed|rejected|error, exit-code=<trailgate's exit code>, and
# sarif=<file> when TG_SARIF is set. Exits with trailgate's exit code (0 passed, 1 violations,
# 2 usage or policy error, 3 git error), so the job fails unless the pull request passes.
set -uo pipefail

output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
for var in TG_TRAILGATE TG_REPO TG_BASE TG_HEAD TG_REF; do
  if [ -z "${!var:-}" ]; then
    echo "::error title=trailgate check::$var is not set (the install and fetch steps give it)"
    output verdict error
    output exit-code 2
    exit 2
  fi
done
policy="$TG_BASE:${TG_POLICY_PATH:-.trailgate.toml}"
args=(--repo "$TG_REPO" --color never check --policy-rev "$policy" --ref "$TG_REF"
  --base "$TG_BASE" --head "$TG_HEAD")

"$TG_TRAILGATE" "${args[@]}" --format github
code=$?

if [ -n "${TG_SARIF:-}" ]; then
  # The same judgement again as SARIF (standard output is one document; its notes go to stderr).
  # A SARIF run that disagrees with the first is an error, never a pass.
  "$TG_TRAILGATE" "${args[@]}" --format sarif >"$TG_SARIF"
  sarif_code=$?
  if [ "$sarif_code" -ne "$code" ]; then
    echo "::error title=trailgate check::the SARIF run exited $sarif_code, the check $code"
    [ "$code" -ne 0 ] || code=$sarif_code
  fi
  output sarif "$TG_SARIF"
fi

case "$code" in
  0) verdict=passed ;;
  1) verdict=rejected ;;
  *) verdict=error ;;
esac
output verdict "$verdict"
output exit-code "$code"
exit "$code"
