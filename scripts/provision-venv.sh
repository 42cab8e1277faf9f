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
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
  touch "$venv/.trackbench-ok"
else
  echo "provision-venv: reusing $venv" >&2
fi
echo "$venv"
