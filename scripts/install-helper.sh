#!/usr/bin/env bash
# Installs this repository's Python helper (python/, the trackbench-kedro package) into a venv:
# install-helper.sh <venv>. Skipped when the venv already holds this exact version of its sources
# (a hash of python/ in a stamp file). Builds from a temporary copy, so the clone stays clean.
set -euo pipefail
venv="$1"
src="$(cd "$(dirname "$0")/../python" && pwd)"
hash=$(cd "$src" && find pyproject.toml src -type f -not -path '*/__pycache__/*' -not -path '*.egg-info*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
stamp="$venv/.trackbench-helper"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$hash" ]; then
  [ -n "${TRACKBENCH_CHECK_ONLY:-}" ] && exit 1
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$src/pyproject.toml" "$src/src" "$tmp/"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$tmp" >&2
  echo "$hash" > "$stamp"
fi
