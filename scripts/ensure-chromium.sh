#!/usr/bin/env bash
# Make Debian's headless-capable `chromium` available for the report's browser test and the
# screenshot script. Prints the browser's path on stdout and exits 0, or exits 1 with a reason on
# stderr when it cannot be installed (no root, no apt, no package mirror).
#
# Usage: scripts/ensure-chromium.sh [TIMEOUT_SECONDS]   (default 600 for the install step)
set -u
limit="${1:-600}"

find_browser() {
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

if path="$(find_browser)"; then echo "$path"; exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: chromium is not installed and apt-get is not available" >&2
  exit 1
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: chromium is not installed and installing it needs root (apt-get install -y chromium)" >&2
  exit 1
fi

# One installer at a time: a second caller waits for the first one's lock.
lock="${TMPDIR:-/tmp}/atlas-ensure-chromium.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then flock -w "$limit" 9 || { echo "ensure-chromium: timed out waiting for another install" >&2; exit 1; }; fi
if path="$(find_browser)"; then echo "$path"; exit 0; fi

export DEBIAN_FRONTEND=noninteractive
if ! timeout "$limit" apt-get install -y --no-install-recommends chromium >&2; then
  timeout "$limit" apt-get update >&2 || true
  if ! timeout "$limit" apt-get install -y --no-install-recommends chromium >&2; then
    echo "ensure-chromium: apt-get install -y chromium failed" >&2
    exit 1
  fi
fi
if path="$(find_browser)"; then echo "$path"; exit 0; fi
echo "ensure-chromium: chromium was installed but no browser binary was found on PATH" >&2
exit 1
