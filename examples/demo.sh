#!/usr/bin/env bash
# The README's first command: installs what is missing, builds famulor and runs the
# demo workflow offline. Prints the run as JSON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cmake/install-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target famulor_cli
echo "== famulor validate examples/workflows/triage_call.json"
"$root/build/famulor" validate "$root/examples/workflows/triage_call.json"
echo "== famulor run examples/workflows/triage_call.json --event examples/events/call_ended.json"
"$root/build/famulor" run "$root/examples/workflows/triage_call.json" --event "$root/examples/events/call_ended.json"
