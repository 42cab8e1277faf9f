#!/usr/bin/env bash
# Provisions a Python virtual environment with a pinned MLflow, once per machine and version.
# The venv lives outside the clone (TRACKBENCH_CACHE, default ~/.cache/trackbench) so repeated
# CI runs on the same machine reuse it. Prints the path of the `mlflow` executable on its last line.
set -euo pipefail
version="${TRACKBENCH_MLFLOW_VERSION:-3.17.2}"
cache="${TRACKBENCH_CACHE:-$HOME/.cache/trackbench}"
venv="$cache/mlflow-$version"
marker="$venv/.trackbench-ok"
python="${PYTHON:-python3}"

if [ ! -f "$marker" ]; then
  echo "setup-mlflow: installing mlflow==$version into $venv (once per machine)" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mlflow==$version" >&2
  "$venv/bin/mlflow" --version >&2
  touch "$marker"
else
  echo "setup-mlflow: reusing $venv" >&2
fi
echo "$venv/bin/mlflow"
