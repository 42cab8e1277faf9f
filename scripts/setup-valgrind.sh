#!/usr/bin/env bash
# Installs Valgrind (the instruction-count instrument, `run --instrument cpu-sim`) from the
# distribution's packages when it is missing. Debian/Ubuntu (apt-get); elsewhere it says what to do.
set -euo pipefail
if command -v valgrind >/dev/null 2>&1; then
  echo "valgrind: $(valgrind --version)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "valgrind is missing and apt-get is not here: install Valgrind 3.19+ with your package manager" >&2
  exit 3
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >/dev/null
echo "valgrind: $(valgrind --version)"
