#!/usr/bin/env bash
# The README's first command: installs what is missing, builds famulor and runs the
# demo workflows offline: the triage workflow (built-in nodes only) and the CRM
# workflow (OpenAI, HubSpot, Slack) against the built-in sandbox. Prints each run as JSON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cmake/install-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target famulor_cli
echo "== famulor validate examples/workflows/*.json"
"$root/build/famulor" validate "$root/examples/workflows/"*.json
echo "== famulor run examples/workflows/triage_call.json --event examples/events/call_ended.json"
"$root/build/famulor" run "$root/examples/workflows/triage_call.json" --event "$root/examples/events/call_ended.json"
echo "== famulor run examples/workflows/post_call_crm.json --event examples/events/call_ended.json --sandbox"
echo "   (every connector points at the in-process sandbox: no network, no real credentials)"
"$root/build/famulor" run "$root/examples/workflows/post_call_crm.json" --event "$root/examples/events/call_ended.json" --sandbox
echo "== famulor run examples/workflows/inbound_lookup.json --event examples/events/call_incoming.json --sandbox"
echo "   (a call comes in: HubSpot lookup by the caller's number -> the assistant's variables; docs/voice.md)"
"$root/build/famulor" run "$root/examples/workflows/inbound_lookup.json" --event "$root/examples/events/call_incoming.json" --sandbox
