"""A complete Kedro project from a trackbench pipeline description, for Kedro 0.19.x and 1.x:
pyproject.toml (the installed Kedro's version), settings.py (plugin hooks on or off, extra hooks),
a pipeline registry building namespaced modular pipelines, parameters.yml, catalog.yml declaring
every output (with kedro-mlflow's datasets for metrics, artifacts and models when the plugin is
installed and tracking is on) and mlflow.yml from the scenario's tracking configuration."""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import doubles
from .description import Description
from .plugins import disabled_plugins, version_of

PACKAGE = "tbproj"


def parameters_tree(desc: Description) -> Dict[str, Any]:
    """Every parameter in one nested tree, so ``params:<a.b.c>`` resolves as in any Kedro project."""
    tree: Dict[str, Any] = {}
    for node in desc["pipeline"]["nodes"]:
        for key, value in node["params"].items():
            cur = tree
            parts = key.split(".")
            for p in parts[:-1]:
                cur = cur.setdefault(p, {})
            cur[parts[-1]] = value
    return tree


def kedro_mlflow_installed() -> bool:
    return importlib.util.find_spec("kedro_mlflow") is not None


def _model_dataset(name: str) -> Dict[str, Any]:
    """kedro-mlflow's model dataset for a pyfunc model, registered under its dataset name. Its
    arguments differ across versions (0.14.x logs to ``artifact_path``, "model" unless told; 2.0.x
    names the logged model itself), so they are read from the installed class."""
    from kedro_mlflow.io.models import MlflowModelTrackingDataset

    accepted = inspect.signature(MlflowModelTrackingDataset.__init__).parameters
    entry: Dict[str, Any] = {
        "type": "kedro_mlflow.io.models.MlflowModelTrackingDataset",
        "flavor": "mlflow.pyfunc",
        "pyfunc_workflow": "python_model",
        # A fixed requirement list: inferring one starts a subprocess per model.
        "save_args": {"registered_model_name": name, "pip_requirements": ["mlflow"]},
    }
    if "artifact_path" in accepted:
        entry["artifact_path"] = "models/" + name
    else:
        entry["save_args"]["name"] = name.replace(".", "_")
    return entry


def catalog(desc: Description, root: Path, plugin_datasets: bool, plugin_models: bool = True) -> Dict[str, Any]:
    """Every output declared. ``plugin_models`` off keeps models local even with the plugin's datasets
    (TRACKBENCH_KEDRO_PLUGIN_MODELS=off: where the backend cannot take the plugin's model logging)."""
    entries: Dict[str, Any] = {}
    data = root / "data"
    for node in desc["pipeline"]["nodes"]:
        name = node["name"]
        if int(node.get("work", {}).get("outputBytes", 0)) > 0:
            # The main output goes through a real file, read back by every consumer.
            entries[name + ".out"] = {
                "type": "trackbench_kedro.datasets.PickleFileDataset",
                "filepath": str(data / (name + ".pkl")),
            }
        if node["metrics"]:
            entries[name + ".metrics"] = (
                {"type": "kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset", "prefix": name}
                if plugin_datasets
                else {"type": "trackbench_kedro.datasets.MetricsDataset", "prefix": name}
            )
        for a in node["artifacts"]:
            local = {"type": "trackbench_kedro.datasets.BytesFileDataset", "filepath": str(data / a["name"])}
            entries[a["name"]] = (
                {"type": "kedro_mlflow.io.artifacts.MlflowArtifactDataset", "dataset": local, "artifact_path": name}
                if plugin_datasets
                else local
            )
        for m in node["models"]:
            entries[m["name"]] = (
                _model_dataset(m["name"])
                if plugin_datasets and plugin_models
                else {
                    "type": "trackbench_kedro.datasets.ModelFileDataset",
                    "filepath": str(data / (m["name"] + ".pkl")),
                }
            )
    return entries



def write_project(
    desc: Description,
    root: Path,
    tracking: bool,
    hooks: Optional[List[str]] = None,
    mlflow_yml: Optional[Dict[str, Any]] = None,
    plugins: bool = True,
) -> Path:
    """Writes the project into ``root`` (created) and returns it. ``hooks``: extra hook objects as
    ``module:attribute`` (a class is instantiated), added to settings.HOOKS when tracking is on.
    ``plugins``: whether installed hook plugins run when tracking is on (off: only ``hooks`` track).
    kedro-mlflow's datasets declare metrics, artifacts and models when the plugin tracks."""
    plugin_datasets = tracking and plugins and kedro_mlflow_installed()
    pkg = root / "src" / PACKAGE
    pkg.mkdir(parents=True, exist_ok=True)
    (root / "conf" / "base").mkdir(parents=True, exist_ok=True)
    (root / "conf" / "local").mkdir(parents=True, exist_ok=True)
    kedro_version = version_of("kedro") or "1.0.0"
    (root / "pyproject.toml").write_text(
        '[tool.kedro]\npackage_name = "%s"\nproject_name = "%s"\nkedro_init_version = "%s"\nsource_dir = "src"\n'
        % (PACKAGE, PACKAGE, kedro_version)
    )
    (root / "pipeline.json").write_text(doubles.dumps(desc))
    (pkg / "__init__.py").write_text("")
    settings = [
        "from trackbench_kedro.settings_support import held_memory_hooks, hook_objects",
        "from trackbench_kedro.witness import witness_hooks",
        "DISABLE_HOOKS_FOR_PLUGINS = %r" % (tuple(disabled_plugins(tracking and plugins)),),
        # trackbench's witness (when a conformance run asks for it) and retained-memory point (when measured),
        # tracking on or off, then the extra hooks.
        "HOOKS = witness_hooks() + held_memory_hooks() + hook_objects(%r)" % (list(hooks or []) if tracking else [],),
    ]
    (pkg / "settings.py").write_text("\n".join(settings) + "\n")
    (pkg / "pipeline_registry.py").write_text(
        "from pathlib import Path\n"
        "from trackbench_kedro.description import load\n"
        "from trackbench_kedro.nodes import build_pipelines\n\n\n"
        "def register_pipelines():\n"
        "    return build_pipelines(load(str(Path(__file__).resolve().parents[2] / 'pipeline.json')))\n"
    )
    # JSON is YAML, but not JSON's surrogate-pair escapes (an emoji as \ud83d\ude80): YAML refuses them, so UTF-8.
    (root / "conf" / "base" / "parameters.yml").write_text(
        json.dumps(parameters_tree(desc), ensure_ascii=False), encoding="utf-8"
    )
    plugin_models = os.environ.get("TRACKBENCH_KEDRO_PLUGIN_MODELS", "on") != "off"
    (root / "conf" / "base" / "catalog.yml").write_text(json.dumps(catalog(desc, root, plugin_datasets, plugin_models)))
    if kedro_mlflow_installed():
        config: Dict[str, Any] = json.loads(json.dumps(mlflow_yml or {}))
        tracking_section = config.setdefault("tracking", {})
        tracking_section.setdefault("experiment", {}).setdefault("name", desc["experimentName"])
        (root / "conf" / "local" / "mlflow.yml").write_text(json.dumps(config))
    return root


def remove_project(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
