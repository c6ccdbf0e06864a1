#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, in build-fuzz/) and runs each for
# a bounded time, starting from its seed corpus in tests/fuzz/corpus/<name>.
# Fails when a target crashes, leaks, trips a sanitizer or runs out of memory or
# time on one input; the input that did it is left in build-fuzz/crashes/<name>/.
#   FAMULOR_FUZZ_SECONDS  seconds per target (default 30)
#   FAMULOR_JOBS          build jobs (default: the number of CPUs)
#   tests/fuzz/run.sh [TARGET...]   only these (json_value, workflow, ...)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build-fuzz"
seconds="${FAMULOR_FUZZ_SECONDS:-30}"
jobs="${FAMULOR_JOBS:-$(nproc)}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "tests/fuzz/run.sh: clang++ is missing; cmake/install-deps.sh installs it" >&2
  exit 1
fi
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with line tables: fast to build, readable stack traces.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_COMPILER=clang++ \
  -DFAMULOR_FUZZ=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_all

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/*_fuzz.cpp; do
    n="$(basename "$f" _fuzz.cpp)"
    targets+=("$n")
  done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
for n in "${targets[@]}"; do
  corpus="$build/corpus/$n"      # grows while fuzzing; the repository's seeds stay as they are
  crashes="$build/crashes/$n"
  mkdir -p "$corpus" "$crashes"
  echo "== fuzz_$n for ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$n" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$root/tests/fuzz/corpus/$n" \
      2>"$build/fuzz_$n.log"; then
    tail -n 60 "$build/fuzz_$n.log" >&2
    echo "fuzz_$n FAILED: reproduce with $build/tests/fuzz/fuzz_$n $crashes/<file>" >&2
    failed=1
  else
    grep -E "^Done [0-9]+ runs|^stat::new_units_added" "$build/fuzz_$n.log" | sed "s/^/  /"
  fi
done
exit $failed
