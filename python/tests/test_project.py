"""The generated Kedro project: namespaced modular pipelines, every parameter and output declared,
run for real by the installed Kedro (0.19.x or 1.x)."""
import json
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

pytest.importorskip("kedro")

from conftest import FakeMlflow, description  # noqa: E402
from trackbench_kedro.nodes import build_pipelines  # noqa: E402
from trackbench_kedro.project import PACKAGE, catalog, parameters_tree, write_project  # noqa: E402
from trackbench_kedro.runner import preload, run_project  # noqa: E402


def test_nodes_keep_their_names_and_namespaces() -> None:
    desc = description(nodes=6, params=2, metrics=1)
    p = build_pipelines(desc)["p"]
    assert sorted(n.name for n in p.nodes) == sorted(n["name"] for n in desc["pipeline"]["nodes"])
    by_name = {n.name: n for n in p.nodes}
    first = desc["pipeline"]["nodes"][1]
    node = by_name[first["name"]]
    assert node.namespace == "stage_1"
    assert "params:" + next(iter(first["params"])) in node.inputs
    assert desc["pipeline"]["nodes"][0]["name"] + ".out" in node.inputs  # from another modular pipeline


def test_parameters_and_catalog(tmp_path: Path) -> None:
    desc = description(nodes=2, params=2, metrics=1, artifacts=1, models=1)
    tree = parameters_tree(desc)
    assert tree["stage_0"]["node_00"]["p0"] == {"a": 0}
    entries = catalog(desc, tmp_path, plugin_datasets=False)
    kinds = {k: v["type"].rsplit(".", 1)[1] for k, v in entries.items()}
    assert kinds["stage_0.node_00.metrics"] == "MetricsDataset"
    assert kinds["stage_0.node_00.artifact_0"] == "BytesFileDataset"
    assert kinds["stage_0.node_00.model_0"] == "ModelFileDataset"


def test_the_project_runs_with_the_reference_hook(
    fake_mlflow: FakeMlflow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desc = description(nodes=5, params=2, metrics=2, artifacts=1, models=1)
    desc["pipeline"]["nodes"][2]["work"]["outputBytes"] = 1000
    hook = "trackbench_kedro.reference_hook:ReferenceHook"
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "tests")
    monkeypatch.setenv("TRACKBENCH_SPILL_DIR", str(tmp_path / "spill"))
    root = write_project(desc, tmp_path / "project", tracking=True, hooks=[hook], plugins=False)
    preload([hook])
    run_project(root, "p")
    e = fake_mlflow.endpoints()
    assert e["runs/create"] == 1 and e["artifacts"] == 10 and e["registered-models/create"] == 5
    batches = [b for _, p, b in fake_mlflow.requests if p.endswith("runs/log-batch")]
    assert sum(len(b["params"]) for b in batches) == 10
    assert sum(len(b["metrics"]) for b in batches) == 10
    assert (root / "data" / (desc["pipeline"]["nodes"][2]["name"] + ".pkl")).exists()
    settings = (root / "src" / "tbproj" / "settings.py").read_text()
    assert "HOOKS" in settings and json.loads((root / "conf" / "base" / "parameters.yml").read_text())


def test_nodes_file_records_the_order_kedro_ran_the_nodes_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three independent nodes; the failing one (index 1) sorts last by name, so Kedro runs index 2 before it.
    desc = description(nodes=3, params=0, metrics=0)
    desc["pipeline"]["edges"] = []
    failing = desc["pipeline"]["nodes"][1]
    failing.update({"namespace": "stage_9", "name": "stage_9.node_01", "fails": True})
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    nodes_file = tmp_path / "nodes.txt"
    monkeypatch.setenv("TRACKBENCH_NODES_FILE", str(nodes_file))
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:  # an earlier test's project
        monkeypatch.delitem(sys.modules, module)
    root = write_project(desc, tmp_path / "project", tracking=False, plugins=False)
    with pytest.raises(RuntimeError, match="injected failure"):
        run_project(root, "p")
    rows = [line.split("\t") for line in nodes_file.read_text().splitlines()]
    started = [row for row in rows if len(row) == 2 and not row[0].startswith("#")]
    assert [name for name, _ in started] == [names[0], names[2], names[1]]
    starts = [int(ms) for _, ms in started]
    assert starts == sorted(starts) and all(ms > 1_000_000_000_000 for ms in starts)  # Unix ms, in run order


def test_parameters_yml_reads_back_as_the_values(tmp_path: Path) -> None:
    """What Kedro's config loader (OmegaConf) reads from parameters.yml is the description's values: emoji (not
    JSON's surrogate-pair escapes, which YAML refuses), null, booleans, lists, floats written in exponent form."""
    from omegaconf import OmegaConf

    desc = description(nodes=1, params=1, metrics=0)
    node = desc["pipeline"]["nodes"][0]
    edge: Dict[str, Any] = {"emoji": "naïve 🚀", "quoted": "it's \"q\"\n", "nothing": None, "flag": False,
                            "tiny": 1e-7, "huge": 1e21, "zero": 0, "list": [1, "a", None], "empty": {}}
    for k, v in edge.items():
        node["params"][f"{node['name']}.{k}"] = v
    root = write_project(desc, tmp_path / "project", tracking=False, hooks=[], plugins=False)
    loaded = OmegaConf.to_container(OmegaConf.load(root / "conf" / "base" / "parameters.yml"))
    assert loaded == parameters_tree(desc)
