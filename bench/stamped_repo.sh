# shellcheck shell=bash
# Sourced by the generators of the bench repositories (make_synthetic_repo.sh,
# make_signed_chain.sh, make_merge_repo.sh): a repository is built in REPO.tmp, marked as being
# built, and moved to REPO with a stamp file naming its parameters; a repository whose stamp
# matches is reused as it is. Only what a generator built (a stamp or the marker inside) is ever
# deleted.

STAMP_NAME=trailgate-bench.stamp
BUILDING_NAME=trailgate-bench.building

# stamped_reuse REPO STAMP LABEL: when REPO was built with STAMP, says so on stderr, prints REPO
# and exits the script with 0.
stamped_reuse() {
  if [ -f "$1/$STAMP_NAME" ] && [ "$(cat "$1/$STAMP_NAME")" = "$2" ]; then
    echo "$3: reusing $1 ($2)" >&2
    echo "$1"
    exit 0
  fi
}

# stamped_start REPO SCRIPT: removes REPO and REPO.tmp when a generator built them (exits 2,
# naming SCRIPT, when either exists otherwise), then makes REPO.tmp an empty bare repository,
# marked as being built, with HEAD on main and no automatic gc.
stamped_start() {
  local dir
  for dir in "$1" "$1.tmp"; do
    if [ -f "$dir/$STAMP_NAME" ] || [ -f "$dir/$BUILDING_NAME" ]; then
      rm -rf "$dir"
    elif [ -e "$dir" ]; then
      echo "$2: $dir exists and was not built by this script; not touching it" >&2
      exit 2
    fi
  done
  mkdir -p "$(dirname "$1")"
  git init -q --bare "$1.tmp"
  : >"$1.tmp/$BUILDING_NAME"
  git -C "$1.tmp" config gc.auto 0
  git -C "$1.tmp" symbolic-ref HEAD refs/heads/main
}

# stamped_finish REPO STAMP: stamps REPO.tmp and moves it to REPO.
stamped_finish() {
  rm "$1.tmp/$BUILDING_NAME"
  echo "$2" >"$1.tmp/$STAMP_NAME"
  mv "$1.tmp" "$1"
}
