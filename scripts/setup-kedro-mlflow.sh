#!/usr/bin/env bash
# A Python environment with the real Kedro and kedro-mlflow (and the MLflow they talk through), for
# checking and measuring the real plugin as a `command:` target. Once per machine and version, in a
# cache outside the clone. Prints the path of its python on the last line.
set -euo pipefail
kedro="${TRACKBENCH_KEDRO_VERSION:-1.7.0}"
plugin="${TRACKBENCH_KEDRO_MLFLOW_VERSION:-2.0.3}"
datasets="${TRACKBENCH_KEDRO_DATASETS_VERSION:-9.6.0}"
mlflow="${TRACKBENCH_MLFLOW_VERSION:-3.17.2}"
cache="${TRACKBENCH_CACHE:-$HOME/.cache/trackbench}"
venv="$cache/kedro-${kedro}-kedro-mlflow-${plugin}-datasets-${datasets}-mlflow-${mlflow}"
if [ ! -f "$venv/.trackbench-ok" ]; then
  # TRACKBENCH_CHECK_ONLY: only say whether the environment exists (tests use it; it installs nothing).
  [ -n "${TRACKBENCH_CHECK_ONLY:-}" ] && exit 1
  echo "setup-kedro-mlflow: installing kedro==$kedro kedro-mlflow==$plugin mlflow==$mlflow into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kedro==$kedro" "kedro-mlflow==$plugin" "kedro-datasets==$datasets" "mlflow==$mlflow" >&2
  touch "$venv/.trackbench-ok"
fi
echo "$venv/bin/python"
