#!/usr/bin/env bash
# Installs the Debian 12 packages famulor builds with, when any is missing.
# Safe to run again: it does nothing when everything is there.
# Also installs Stoplight Prism (pinned) into .deps/prism for the `spec` tests, which
# validate connector requests against the vendors' API descriptions; set
# FAMULOR_SKIP_PRISM=1 to skip it (those tests then fail saying how to install it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prism_version="5.16.0"

packages=(build-essential cmake ninja-build pkg-config libasio-dev libsimdjson-dev libfmt-dev
  libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev catch2 libhowardhinnant-date-dev
  libphonenumber-dev tzdata ca-certificates)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Prism needs Node.js 18+ and npm; Debian's packages are the fallback.
if [ "${FAMULOR_SKIP_PRISM:-0}" != "1" ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "${FAMULOR_SKIP_PRISM:-0}" = "1" ] && exit 0
prism="$root/.deps/prism/node_modules/.bin/prism"
if [ -x "$prism" ] && [ "$("$prism" --version 2>/dev/null)" = "$prism_version" ]; then
  exit 0
fi
echo "installing @stoplight/prism-cli@$prism_version into .deps/prism (about 30 s)" >&2
mkdir -p "$root/.deps/prism"
npm install --prefix "$root/.deps/prism" --no-audit --no-fund --loglevel=error \
  "@stoplight/prism-cli@$prism_version" >/dev/null
"$prism" --version >/dev/null
