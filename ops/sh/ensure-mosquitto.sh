#!/usr/bin/env bash
# Make sure a Mosquitto binary is installed (the demo starts its own broker
# with the project's config; embedded Python brokers drop offline queues
# and lack MQTT v5, so they are not an option).
set -euo pipefail
if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then
  exit 0
fi
echo "mosquitto is not installed; installing the Debian package..." >&2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto >&2; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto >&2
else
  echo "Cannot install it from here. Run:  sudo apt-get install -y mosquitto" >&2
  exit 1
fi
