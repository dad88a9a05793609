#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (never a
# downloaded browser). Install the package when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "chromium is not installed; installing the Debian package..." >&2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2
else
  echo "Cannot install it from here. Run:  sudo apt-get install -y chromium" >&2
  exit 1
fi
