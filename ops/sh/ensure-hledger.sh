#!/usr/bin/env bash
# The books' export is checked by hledger, an independent double-entry tool
# (Debian's package). Install it when it is missing.
set -euo pipefail
if command -v hledger >/dev/null 2>&1; then
  exit 0
fi
echo "hledger is not installed; installing the Debian package..." >&2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y hledger >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y hledger >&2; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y hledger >&2
else
  echo "Cannot install it from here. Run:  sudo apt-get install -y hledger" >&2
  exit 1
fi
