#!/usr/bin/env bash
# The real `mlflow server`'s environment, pinned. Prints the path of the `mlflow` executable on its
# last line (src/backends/local-server.ts looks for it at the same place).
set -euo pipefail
version="${TRACKBENCH_MLFLOW_VERSION:-3.17.2}"
venv=$(bash "$(dirname "$0")/provision-venv.sh" "mlflow-$version" "mlflow==$version" | tail -n 1)
echo "$venv/bin/mlflow"
