#!/usr/bin/env bash
# Provisions a Python virtual environment once per machine: provision-venv.sh <name> <requirement>...
# It lives outside the clone (TRACKBENCH_CACHE, default ~/.cache/trackbench/<name>), so repeated CI
# runs on the same machine reuse it. Prints the venv's folder on its last line.
# TRACKBENCH_CHECK_ONLY=1: install nothing; exit 1 when the environment is not there yet.
set -euo pipefail
name="$1"
shift
cache="${TRACKBENCH_CACHE:-$HOME/.cache/trackbench}"
venv="$cache/$name"
if [ ! -f "$venv/.trackbench-ok" ]; then
  [ -n "${TRACKBENCH_CHECK_ONLY:-}" ] && exit 1
  echo "provision-venv: installing $* into $venv (once per machine)" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  # pip's whole log to a file, not --quiet: --quiet drops the lines that say why a set cannot be installed
  # ("The conflict is caused by: ...", the releases skipped for their Requires-Python), which are printed on failure.
  log="$cache/$name.pip.log"
  if ! "$venv/bin/pip" install --disable-pip-version-check --progress-bar off "$@" >"$log" 2>&1; then
    awk '/^ERROR|^WARNING: Retrying|conflict is caused by|Requires-Python|^ *[^ ].* depends on |^ *The user requested /' \
      "$log" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$venv/.trackbench-ok"
else
  echo "provision-venv: reusing $venv" >&2
fi
echo "$venv"
