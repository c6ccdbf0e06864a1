#!/usr/bin/env bash
# Installs the Debian 12 packages famulor builds with, when any is missing.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libasio-dev libsimdjson-dev libfmt-dev
  libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev catch2 libhowardhinnant-date-dev
  libphonenumber-dev tzdata ca-certificates)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
