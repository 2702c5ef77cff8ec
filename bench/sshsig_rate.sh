#!/usr/bin/env bash
# bench/sshsig_rate.sh path/to/sshsig_rate [SECONDS]
#
# SSH signature verifications per second on one core, for an ssh-ed25519 key and an RSA-3072
# key (rsa-sha2-512). Generates both keys with ssh-keygen in a temporary directory, signs a
# 300-byte message with each (namespace trailgate-review), and runs sshsig_rate on each
# signature for SECONDS (default 3). Builds nothing; writes nothing outside the temp directory.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 path/to/sshsig_rate [SECONDS]" >&2
  exit 2
fi
rate_bin=$(realpath "$1")
seconds=${2:-3}
[[ -x $rate_bin ]] || { echo "$0: $rate_bin is not executable" >&2; exit 2; }
command -v ssh-keygen >/dev/null || { echo "$0: ssh-keygen not found (openssh-client)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 300 bytes, shaped like a review payload.
message="$work/message"
{
  printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n'
  printf 'parent 5d41402abc4b2a76b9719d911017c592ae4b5e91\n'
  printf 'author Dev One <dev@example.com> 1750000000 +0000\n'
  printf 'reviewer Senior One <senior@example.com>\n\n'
  head -c 1000 /dev/zero | tr '\0' 'x'
} | head -c 300 >"$message"
[[ $(wc -c <"$message") -eq 300 ]]

echo "sshsig_rate: single thread, ${seconds}s per key, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in "ed25519:-t ed25519" "rsa-3072:-t rsa -b 3072"; do
  name=${spec%%:*}
  # shellcheck disable=SC2086  # the key options are meant to split
  ssh-keygen ${spec#*:} -N '' -q -C "bench-$name" -f "$work/$name"
  ssh-keygen -Y sign -n trailgate-review -f "$work/$name" <"$message" >"$work/$name.sig" 2>/dev/null
  echo "== $name"
  "$rate_bin" "$work/$name.sig" "$message" "$seconds"
done
