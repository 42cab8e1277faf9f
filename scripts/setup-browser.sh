#!/usr/bin/env bash
# The browser for the HTML tests: Debian's `chromium` package (playwright-core drives it; nothing is
# downloaded by npm). Prints the executable's path on its last line. Set TRACKBENCH_CHROMIUM to use
# another Chromium binary.
set -euo pipefail
bin="${TRACKBENCH_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$bin" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "no $bin and no apt-get: install Chromium and set TRACKBENCH_CHROMIUM to its path" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # An image whose package lists were cleaned has no candidate for chromium until it is updated.
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then $sudo apt-get update -qq; fi
  $sudo apt-get install -y -qq chromium >/dev/null
fi
"$bin" --version >&2 || true
echo "$bin"
