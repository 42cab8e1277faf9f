#!/usr/bin/env bash
# Installs a local Python project folder into a venv: install-local.sh <venv> <folder> [--no-deps]
# (this repository's python/ helper, or a plugin author's working tree). Skipped when the venv already
# holds this exact version of the folder's files (a hash in a stamp file per folder). Builds from a
# temporary copy, so the folder stays clean.
set -euo pipefail
venv="$1"
src="$(cd "$2" && pwd)"
shift 2
hash=$(cd "$src" && find . -type f -not -path '*/__pycache__/*' -not -path '*.egg-info*' -not -path './build/*' \
  -not -path './.git/*' -not -path './tests/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
stamp="$venv/.trackbench-local-$(echo -n "$src" | sha256sum | cut -c1-12)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$hash" ]; then
  [ -n "${TRACKBENCH_CHECK_ONLY:-}" ] && exit 1
  echo "install-local: installing $src into $venv" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$src" && tar --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ --exclude=./.git -cf - .) | (cd "$tmp" && tar -xf -)
  pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
  "${pip[@]}" --no-deps --force-reinstall "$tmp" >&2
  # Then its dependencies (already there: nothing to do), unless told --no-deps.
  [ "${1:-}" = "--no-deps" ] || "${pip[@]}" "$tmp" >&2
  echo "$hash" > "$stamp"
fi
