#!/usr/bin/env bash
# The release check: builds trailgate's Debian package and proves that it installs with apt on
# a fresh Debian 12, where `trailgate --version` and the installed demo must then succeed.
#
# usage: sudo packaging/release-check.sh [--refresh | --lintian-only]
#
#   1. builds trailgate in packaging/work/build (Release, tests off) and runs `cpack -G DEB`;
#   2. shows the package's control fields and contents, and checks the files it must hold;
#      runs lintian on it: no error, no warning but the ones docs/release.md accepts, no
#      hardening tag at any level (--lintian-only stops here: no root, no network needed when
#      the packages are installed);
#   3. makes a fresh Debian 12 (bookworm) root file system with debootstrap (minbase: the
#      smallest system apt works in, so the package's Depends have to bring everything else),
#      cached in $TRAILGATE_RELEASE_CACHE (default /var/tmp/trailgate-release-check) and copied
#      anew for every run; --refresh builds the cached system again;
#   4. inside it, as root: `apt install ./trailgate_<version>_<arch>.deb`, resolving the
#      dependencies from the Debian mirror;
#   5. inside it, as an ordinary user: `trailgate --version`, the man page's presence, and
#      /usr/share/doc/trailgate/examples/demo.sh /usr/bin/trailgate, which must exit 0;
#   6. `apt remove trailgate` leaves no trailgate file behind.
#
# It needs root (debootstrap, chroot, mount) and a Debian mirror ($DEBIAN_MIRROR, default
# http://deb.debian.org/debian), so it is a release step and not part of ./dev.sh test.
# The package is left in packaging/work/. docs/release.md says what a run looks like.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=$PWD
WORK=$SOURCE/packaging/work
CACHE=${TRAILGATE_RELEASE_CACHE:-/var/tmp/trailgate-release-check}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
REFRESH=no
LINTIAN_ONLY=no
for arg in "$@"; do
  case "$arg" in
    --refresh) REFRESH=yes ;;
    --lintian-only) LINTIAN_ONLY=yes ;;
    *) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nrelease-check: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "$LINTIAN_ONLY" = no ] && [ "$(id -u)" -ne 0 ]; then
  echo "release-check: needs root (debootstrap, chroot, mount); run it with sudo" >&2
  exit 2
fi

# --- what this machine needs: the build packages dev.sh lists, and the packaging tools --------
# Installed here, where they are needed, the way dev.sh installs its packages; lintian only for
# this check, never for ./dev.sh test.
eval "$(sed -n '/^PACKAGES=(/,/^)/p' dev.sh)"
missing=()
tools=(dpkg-dev file groff-base lintian)
[ "$LINTIAN_ONLY" = yes ] || tools+=(debootstrap)
for pkg in "${PACKAGES[@]}" "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "missing packages (run as root to install them): ${missing[*]}"
  step "installing on this machine: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- 1. build the package ------------------------------------------------------------------
step "building the package (packaging/work/build; Release, hardened, stripped by cpack)"
mkdir -p "$WORK"
rm -f "$WORK"/build/trailgate_*.deb "$WORK"/trailgate_*.deb
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# The Maintainer is TRAILGATE_MAINTAINER's (docs/release.md): pass -DTRAILGATE_MAINTAINER through
# $TRAILGATE_CMAKE_ARGS, or set DEBFULLNAME and DEBEMAIL, for a published release.
# shellcheck disable=SC2086 # word splitting of the extra arguments is meant
cmake -S . -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRAILGATE_TESTS=OFF \
  -DTRAILGATE_WERROR=ON "${launcher[@]}" ${TRAILGATE_CMAKE_ARGS:-} >/dev/null
cmake --build "$WORK/build" -j "$(nproc)"
(cd "$WORK/build" && cpack -G DEB)
debs=("$WORK"/build/trailgate_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  fail "cpack made no trailgate_*.deb (or more than one)"
fi
cp "${debs[0]}" "$WORK/"
DEB=$WORK/$(basename "${debs[0]}")
version=$(dpkg-deb -f "$DEB" Version)
arch=$(dpkg-deb -f "$DEB" Architecture)
[ "$(basename "$DEB")" = "trailgate_${version}_${arch}.deb" ] || fail "unexpected file name $(basename "$DEB")"

# --- 2. what is in it ------------------------------------------------------------------------
step "the package: $(basename "$DEB")"
dpkg-deb -f "$DEB"
dpkg-deb -c "$DEB" | awk '{print $1, $NF}'
contents=$(dpkg-deb -c "$DEB" | awk '{print $NF}')
for want in ./usr/bin/trailgate ./usr/share/trailgate/hooks/pre-receive \
  ./usr/share/man/man1/trailgate.1.gz ./usr/share/doc/trailgate/README.md \
  ./usr/share/doc/trailgate/copyright ./usr/share/doc/trailgate/changelog.Debian.gz \
  ./usr/share/doc/trailgate/examples/policy.toml ./usr/share/doc/trailgate/examples/demo.sh; do
  grep -qx -- "$want" <<<"$contents" || fail "the package has no $want"
done
depends=$(dpkg-deb -f "$DEB" Depends)
for want in git openssh-client libgit2-1.5 libc6; do
  grep -q "\\b$want\\b" <<<"$depends" || fail "Depends lacks $want: $depends"
done
if [ -z "$(dpkg-deb -f "$DEB" Maintainer)" ] || [ -z "$(dpkg-deb -f "$DEB" Section)" ]; then
  fail "Maintainer or Section is empty"
fi
step "the man page renders without warnings (groff -ww)"
man_warnings=$(groff -man -Tutf8 -ww -z "$WORK/build/trailgate.1" 2>&1)
[ -z "$man_warnings" ] || fail "groff warns about trailgate.1: $man_warnings"
echo "ok"

# --- lintian ---------------------------------------------------------------------------------
# The warnings accepted, each justified in docs/release.md ("lintian"). Anything else at error or
# warning level fails, and so does any hardening-* tag, at whatever level lintian shows it.
LINTIAN_ACCEPTED=(
  initial-upload-closes-no-bugs
)
step "lintian --pedantic --display-info $(basename "$DEB")"
lintian_out=$(lintian --pedantic --display-info --tag-display-limit 0 "$DEB" 2>&1) || true
printf '%s\n' "${lintian_out:-(no tags)}"
lintian_bad=()
while read -r level _ tag _; do
  case "$level" in
    E: | W:) ;;
    *) [[ "$tag" == hardening-* ]] || continue ;;
  esac
  accepted=no
  for ok in "${LINTIAN_ACCEPTED[@]}"; do [ "$tag" = "$ok" ] && accepted=yes; done
  [ "$accepted" = yes ] && [[ "$tag" != hardening-* ]] || lintian_bad+=("$level $tag")
done < <(grep -E '^[EWIPX]: ' <<<"$lintian_out" || true)
[ ${#lintian_bad[@]} -eq 0 ] || fail "lintian: ${lintian_bad[*]}"
echo "lintian: no error, no warning but the accepted ones (${LINTIAN_ACCEPTED[*]})"
if [ "$LINTIAN_ONLY" = yes ]; then
  step "lintian-only check passed: $DEB"
  exit 0
fi

# --- 3. a fresh Debian 12 ----------------------------------------------------------------------
BASE=$CACHE/$SUITE-minbase
if [ "$REFRESH" = yes ] || [ ! -f "$BASE.complete" ]; then
  step "debootstrap --variant=minbase $SUITE (cached in $BASE)"
  rm -rf "$BASE" "$BASE.tmp" "$BASE.complete"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase "$SUITE" "$BASE.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log"; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  mv "$BASE.tmp" "$BASE"
  date -u +%FT%TZ >"$BASE.complete"
else
  step "using the cached $SUITE minbase system from $(cat "$BASE.complete") ($BASE; --refresh rebuilds it)"
fi

ROOT=$(mktemp -d "$CACHE/run.XXXXXX")
cleanup() {
  umount "$ROOT/dev/pts" 2>/dev/null || true
  umount "$ROOT/proc" 2>/dev/null || true
  # Only ever delete the copy, and only once nothing is mounted in it any more.
  if ! grep -q " $ROOT/" /proc/mounts; then rm -rf "$ROOT"; fi
}
trap cleanup EXIT
cp -a "$BASE/." "$ROOT/"
mount -t proc proc "$ROOT/proc"
mount --bind /dev/pts "$ROOT/dev/pts"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
SOURCES
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }
echo "Debian $(cat "$ROOT/etc/debian_version") in $ROOT"
if in_root sh -c 'command -v git || command -v ssh-keygen || ls /usr/lib/*/libgit2*' 2>/dev/null; then
  fail "the fresh system already has git, ssh-keygen or libgit2: it would prove nothing"
fi
echo "no git, no ssh-keygen, no libgit2: apt has to bring them"

# --- 4. apt install ./trailgate_*.deb -----------------------------------------------------------
step "apt install ./$(basename "$DEB") in the fresh system"
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -qq
in_root sh -c "cd /tmp && apt install -y --no-install-recommends ./$(basename "$DEB")" 2>&1 |
  grep -v 'does not have a stable CLI interface' || fail "apt install failed"
# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' trailgate

# --- 5. trailgate --version and the demo, as an ordinary user ----------------------------------
step "as an ordinary user: trailgate --version, the man page, the installed demo"
in_root useradd --create-home --shell /bin/bash reviewer
as_user() { chroot --userspec=reviewer:reviewer "$ROOT" /usr/bin/env -i HOME=/home/reviewer \
  PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=dumb "$@"; }
as_user sh -c 'cd && command -v trailgate && trailgate --version' || fail "trailgate --version"
as_user test -s /usr/share/man/man1/trailgate.1.gz || fail "no man page"
as_user sh -c 'cd && trailgate install --help' >/dev/null || fail "trailgate install --help"
as_user sh -c 'cd && /usr/share/doc/trailgate/examples/demo.sh /usr/bin/trailgate' ||
  fail "the installed demo failed"

# --- 6. removal ------------------------------------------------------------------------------
step "apt remove trailgate"
in_root apt-get remove -y -qq trailgate >/dev/null
left=$(in_root sh -c 'ls -d /usr/bin/trailgate /usr/share/trailgate /usr/share/doc/trailgate /usr/share/man/man1/trailgate.1.gz 2>/dev/null' || true)
[ -z "$left" ] || fail "left behind after removal: $left"
echo "removed; nothing left behind"

step "release check passed: $DEB installs with apt on a fresh Debian $(cat "$ROOT/etc/debian_version"), trailgate --version and the demo work"
