#!/usr/bin/env bash
# Installs what is missing, builds famulor and runs the whole test suite.
#   tests/run.sh              release build in build/
#   tests/run.sh --sanitize   ASan+UBSan build in build-asan/
# Extra arguments after -- go to ctest (e.g. -- -R value).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cmake/install-deps.sh"

build="$root/build"
flags=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build="$root/build-asan"
  flags=(-DCMAKE_BUILD_TYPE=Debug -DFAMULOR_SANITIZE=ON -DFAMULOR_BUILD_BENCHMARKS=OFF)
fi
[ "${1:-}" = "--" ] && shift

jobs="${FAMULOR_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
