#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, builds tests/install/consumer
# against it with find_package(famulor), runs it. Usage: install_consumer.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"; src="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/famulor" || { echo "famulor binary not installed" >&2; exit 1; }
! grep -rlE '#include\s*[<"](asio|simdjson|fmt/|sqlite3|curl/)' "$tmp/prefix/include/famulor" || { echo "public header includes a dependency" >&2; exit 1; }
cmake -S "$src/tests/install/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out="$("$tmp/consumer/consumer")"
echo "consumer printed: $out"
[ "$out" = '"hello Ada"' ]
