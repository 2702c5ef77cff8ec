#!/usr/bin/env bash
# trailgate's developer entry point. On a fresh Debian 12 machine:
#   ./dev.sh demo    install what is missing, build, and run the narrated demo
#   ./dev.sh test    install what is missing, then build and run the whole suite twice:
#                    a normal build and an ASan+UBSan build, plus the clang-format check
#                    and a short run of each fuzz target
#   ./dev.sh build   just build (build/trailgate)
#   ./dev.sh bench   the benchmarks in bench/ (see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config git openssh-client clang-format
  libgit2-dev libfmt-dev libtomlplusplus-dev catch2 libssl-dev libre2-dev
  nlohmann-json3-dev libcli11-dev libsodium-dev libdeflate-dev libjemalloc-dev
)
# Only the test suite needs these: the audit page's browser test (tests/e2e/audit_html_browser_test)
# opens the report in headless chromium; the smart HTTP push tests (tests/e2e/transport_test) run
# git http-backend behind lighttpd. The tests start their own lighttpd on a free 127.0.0.1 port
# with a config they write; the system service that the package's postinst may start (port 80)
# is not used, and a failure to start it does not fail the install. git daemon is part of git.
# clang and its runtime build the libFuzzer targets (fuzz/run.sh) for a short fuzz run. GNU time
# measures the peak memory of the 1,000,000-commit push (tests/e2e/adversarial_scale_test).
# gitolite3 and openssh-server make the real gitolite site over SSH (tests/e2e/gitolite_test);
# python3-jsonschema and libxml2-utils validate the SARIF and JUnit that check writes;
# pre-commit runs .pre-commit-hooks.yaml at the pre-push stage (tests/e2e/pre_commit_test);
# python3-yaml reads action.yml for the Action's steps (tests/e2e/github_action_test).
TEST_PACKAGES=(chromium lighttpd clang libclang-rt-14-dev time gitolite3 openssh-server
  python3-jsonschema libxml2-utils pre-commit python3-yaml)

ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [cmake args...]
build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DTRAILGATE_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

check_format() {
  echo "==> clang-format check"
  git ls-files -- '*.cpp' '*.h' | xargs clang-format --dry-run -Werror
}

case "${1:-}" in
  demo)
    ensure_packages "${PACKAGES[@]}"
    build build
    exec examples/demo.sh "$PWD/build/trailgate"
    ;;
  test)
    ensure_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    check_format
    echo "==> normal build (Release, -O3: what the package ships, warnings as errors)"
    build build -DCMAKE_BUILD_TYPE=Release
    ctest --test-dir build --output-on-failure -j "$(nproc)"
    echo "==> ASan+UBSan build"
    build build-asan -DTRAILGATE_SANITIZE=ON
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
    echo "==> short fuzz run of every libFuzzer target (clang, ASan+UBSan)"
    fuzz/run.sh --time 15
    ;;
  build)
    ensure_packages "${PACKAGES[@]}"
    build build
    ;;
  bench)
    ensure_packages "${PACKAGES[@]}" time
    build build
    exec bench/run.sh "$PWD/build/trailgate"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
