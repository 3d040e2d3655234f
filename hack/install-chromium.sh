#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser tests (driven by playwright-core,
# which never downloads a browser here): Debian's package, installed once.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: chromium is missing; install it (Debian: apt-get install -y chromium) or the browser tests are skipped" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(chromium --version)"
