#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (never a
# downloaded browser), and the POS shows Hindi: a Devanagari font must be
# there or the Hindi strings render as empty boxes (the kiosk image installs
# the same package). Install what is missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=hi family 2>/dev/null)" ]; then
  need+=(fonts-noto-core)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "missing: ${need[*]}; installing the Debian packages..." >&2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2
else
  echo "Cannot install them from here. Run:  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
