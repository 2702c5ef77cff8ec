#!/usr/bin/env bash
# The Action's install step: puts a trailgate binary on the runner and writes its path to
# $GITHUB_OUTPUT as `trailgate=<path>`. The first of these that is set wins:
#
#   TG_TRAILGATE_PATH  an executable trailgate already on the runner (input trailgate-path):
#                      used as it is, nothing is installed (the tests run the steps this way);
#   TG_DEB             a trailgate_<version>_<arch>.deb on the runner (input deb), such as the
#                      one packaging/release-check.sh builds: installed with apt, which pulls its
#                      Depends (Debian 12 library versions, so a debian:12 job container);
#   otherwise          built from the Action's own source (TG_ACTION_PATH, github.action_path:
#                      the Action's pinned revision, never the pull request's code) with the
#                      Debian packages dev.sh lists, Release, tests off, into
#                      $RUNNER_TEMP/trailgate-build.
#
# Exit 0 with the output written, or non-zero with a ::error line that says why.
set -euo pipefail

fail() {
  echo "::error title=trailgate install::$*"
  exit 2
}
output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The installed binary must run and say it is trailgate.
verify() {
  local version
  version=$("$1" --version 2>&1) || fail "$1 --version failed: $version"
  case "$version" in
    trailgate*) echo "trailgate: using $1 ($version)" ;;
    *) fail "$1 is not trailgate: $version" ;;
  esac
  output trailgate "$1"
}

if [ -n "${TG_TRAILGATE_PATH:-}" ]; then
  if [ ! -f "$TG_TRAILGATE_PATH" ] || [ ! -x "$TG_TRAILGATE_PATH" ]; then
    fail "trailgate-path $TG_TRAILGATE_PATH is not an executable file"
  fi
  verify "$TG_TRAILGATE_PATH"
  exit 0
fi

if [ -n "${TG_DEB:-}" ]; then
  [ -f "$TG_DEB" ] || fail "deb $TG_DEB is not a file"
  deb=$(realpath -- "$TG_DEB")
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$deb"
  verify /usr/bin/trailgate
  exit 0
fi

src=${TG_ACTION_PATH:?TG_ACTION_PATH (the Action source) is not set}
if [ ! -f "$src/dev.sh" ] || [ ! -f "$src/CMakeLists.txt" ]; then
  fail "$src holds no trailgate source"
fi
# The build packages, by the names dev.sh installs (Debian 12; Ubuntu runners have most of them).
eval "$(sed -n '/^PACKAGES=(/,/^)/p' "$src/dev.sh")"
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "trailgate: installing build packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
build=${RUNNER_TEMP:?RUNNER_TEMP is not set}/trailgate-build
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRAILGATE_TESTS=OFF \
  "${launcher[@]}" >/dev/null
cmake --build "$build" --target trailgate -j "$(nproc)"
verify "$build/trailgate"
