#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + libFuzzer) in build-fuzz/ and runs each
# on a scratch copy of its seed corpus in tests/fuzz/<target>/.
#   fuzz/run.sh [--time SECONDS | --runs N] [TARGET...]
# Default: 20 seconds per target (what ./dev.sh test runs). Any crash, leak, UB report or
# timeout stops the run with a non-zero exit; libFuzzer leaves the input as ./crash-* etc. in
# the scratch directory it names.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=20)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(trailers policy sshsig hook_stdin payload commit_object pack_entry)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTRAILGATE_FUZZ=ON -DTRAILGATE_TESTS=OFF -DTRAILGATE_WERROR=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  cp tests/fuzz/"$target"/* "$scratch"/
  echo "==> fuzz_$target (${limit[*]}), scratch corpus $scratch"
  log="$scratch/fuzz.log"
  if ! (cd "$scratch" && "$OLDPWD/build-fuzz/fuzz/fuzz_$target" "${limit[@]}" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$scratch" >"$log" 2>&1); then
    tail -n 60 "$log"
    echo "fuzz_$target FAILED; the input is in $scratch" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | tr '\n' ' '
  echo
  rm -rf "$scratch"
done
