#!/usr/bin/env bash
# The real Kedro and kedro-mlflow (with the MLflow they talk through) and this repository's Python
# helper (python/), for checking and measuring the real plugin as a `command:` target. Prints the
# path of its python on the last line.
set -euo pipefail
kedro="${TRACKBENCH_KEDRO_VERSION:-1.7.0}"
plugin="${TRACKBENCH_KEDRO_MLFLOW_VERSION:-2.0.3}"
datasets="${TRACKBENCH_KEDRO_DATASETS_VERSION:-9.6.0}"
mlflow="${TRACKBENCH_MLFLOW_VERSION:-3.17.2}"
venv=$(bash "$(dirname "$0")/provision-venv.sh" "kedro-${kedro}-kedro-mlflow-${plugin}-datasets-${datasets}-mlflow-${mlflow}" \
  "kedro==$kedro" "kedro-mlflow==$plugin" "kedro-datasets==$datasets" "mlflow==$mlflow" | tail -n 1)
bash "$(dirname "$0")/install-local.sh" "$venv" "$(dirname "$0")/../python" --no-deps
echo "$venv/bin/python"
