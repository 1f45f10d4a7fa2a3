#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is available for the browser tests (the leader-mailbox
# page is tested in a real browser through playwright-core, which does not download browsers).
# Debian/Ubuntu: installs the distribution's chromium package when /usr/bin/chromium is missing.
# Prints the executable path on success.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "$CHROMIUM"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  command -v chromium
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and apt-get is not available: install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
# One install at a time on a shared machine.
exec 9>/tmp/apt-chromium.lock
flock 9
if [ ! -x /usr/bin/chromium ]; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi
echo /usr/bin/chromium
