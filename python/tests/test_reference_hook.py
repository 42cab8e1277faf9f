"""The Python reference hook against a fake MLflow: batching, every value, models, the spill."""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from time import struct_time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest

pytest.importorskip("kedro")

from conftest import FakeMlflow, description  # noqa: E402
from trackbench_kedro.description import Description  # noqa: E402
from trackbench_kedro.models import TinyModel  # noqa: E402
from trackbench_kedro.mlflow_rest import MlflowRest  # noqa: E402
from trackbench_kedro import reference_hook  # noqa: E402
from trackbench_kedro.reference_hook import PARAMS_PER_BATCH, ReferenceHook, _Sender  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


class Catalog:
    def __init__(self, kinds: Dict[str, str]) -> None:
        self.kinds = kinds

    def get(self, name: str) -> Any:
        return SimpleNamespace(trackbench_kind=self.kinds[name]) if name in self.kinds else None


def drive(hook: ReferenceHook, desc: Description) -> None:
    """What Kedro calls, in its order, for the described pipeline."""
    nodes = desc["pipeline"]["nodes"]
    kinds = {n["name"] + ".metrics": "metrics" for n in nodes}
    kinds.update({a["name"]: "artifact" for n in nodes for a in n["artifacts"]})
    kinds.update({m["name"]: "model" for n in nodes for m in n["models"]})
    catalog = Catalog(kinds)
    hook.after_catalog_created(catalog)
    hook.before_pipeline_run({"pipeline_names": ["p"], "runner": "SequentialRunner"}, SimpleNamespace(nodes=nodes))
    for n in nodes:
        node = SimpleNamespace(name=n["name"], namespace=n["namespace"])
        hook.before_node_run(node, {"params:" + k: v for k, v in n["params"].items()})
        prefix = len(n["name"]) + 1
        values = {k[prefix:]: [{"value": v[0], "step": 0}] for k, v in n["metrics"].items()}
        outputs: Dict[str, Any] = {n["name"] + ".metrics": values}
        outputs.update({a["name"]: b"\x01" * a["bytes"] for a in n["artifacts"]})
        outputs.update({m["name"]: TinyModel(m["name"], b"\x02" * m["bytes"]) for m in n["models"]})
        hook.after_node_run(node, catalog, outputs)
    hook.after_pipeline_run()


def test_the_articles_pipeline_takes_at_most_ten_requests(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description())
    assert len(fake_mlflow.requests) <= 10, fake_mlflow.endpoints()
    batches = [b for _, p, b in fake_mlflow.requests if p.endswith("runs/log-batch")]
    params = [p for b in batches for p in b["params"]]
    metrics = [m for b in batches for m in b["metrics"]]
    tags = [t for b in batches for t in b["tags"]]
    assert len(params) == 500 and len({p["key"] for p in params}) == 500
    assert len(metrics) == 250
    assert all(len(b["params"]) <= PARAMS_PER_BATCH for b in batches)
    assert all(len(b["params"]) + len(b["tags"]) + len(b["metrics"]) <= 1000 for b in batches)
    assert sum(1 for t in tags if t["key"].startswith("kedro.node.")) == 50
    assert {p["value"] for p in params if p["key"].endswith(".p0")} == {'{"a":0}'}
    assert fake_mlflow.requests[-1][1].endswith("runs/update") and fake_mlflow.requests[-1][2]["status"] == "FINISHED"
    assert not list(tmp_path.iterdir())  # nothing spilled


def test_every_model_is_registered_and_every_artifact_uploaded(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=4, artifacts=1, models=2))
    e = fake_mlflow.endpoints()
    assert e["artifacts"] == 4 + 8
    assert e["registered-models/create"] == 8
    versions = [b for _, p, b in fake_mlflow.requests if p.endswith("model-versions/create")]
    assert len({v["name"] for v in versions}) == 8 and all(v["run_id"] == "r1" for v in versions)


def test_a_long_parameter_becomes_a_tag_not_a_refused_request(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    desc = description(nodes=1, params=1, metrics=0)
    node = desc["pipeline"]["nodes"][0]
    node["params"] = {node["name"] + ".long": "x" * 7000}
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), desc)
    batch = next(b for _, p, b in fake_mlflow.requests if p.endswith("runs/log-batch"))
    assert batch["params"] == [] and any(len(t["value"]) == 7000 for t in batch["tags"])


def test_an_error_over_the_tag_limit_is_cut_to_it_and_marked(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    # A server refuses a longer value (or cuts it without a word): the hook cuts it, its last character saying so.
    hook = ReferenceHook(experiment_name="e", spill_dir=str(tmp_path))
    hook.before_pipeline_run({"pipeline_names": ["p"], "runner": "SequentialRunner"}, SimpleNamespace(nodes=[]))
    hook.on_pipeline_error(RuntimeError("boom " + "x" * 9000))
    tags = [t for _, p, b in fake_mlflow.requests if p.endswith("runs/log-batch") for t in b["tags"]]
    error = next(t["value"] for t in tags if t["key"] == "trackbench.error")
    assert len(error) == 8000 and error.startswith("RuntimeError: boom x") and error.endswith("\u2026")


def test_server_down_the_pipeline_completes_and_values_are_spilled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01")
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=3, artifacts=1))
    warning = capsys.readouterr().err
    assert "value(s) were not delivered" in warning
    spill = next(tmp_path.iterdir())
    assert str(spill) in warning
    records = [json.loads(line) for line in spill.read_text().splitlines()]
    assert records[0]["type"] == "run" and records[0]["runId"] is None
    assert sum(len(r.get("items", [])) for r in records if r["type"] == "params") == 30
    assert sum(len(r.get("items", [])) for r in records if r["type"] == "metrics") == 15
    assert sum(1 for r in records if r["type"] == "artifact") == 3
    assert records[-1]["type"] == "end" and records[-1]["status"] == "FINISHED"


def test_an_unwritable_spill_folder_loses_the_values_and_says_so_without_holding_the_pipeline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    # A queue of 2 values: were the sender thread to die, the pipeline would block on it for good.
    hook = ReferenceHook(experiment_name="e", spill_dir=str(not_a_folder / "spill"), queue_bound=2)
    run = threading.Thread(target=drive, args=(hook, description(nodes=4)), daemon=True)
    run.start()
    run.join(timeout=60)
    assert not run.is_alive(), "the pipeline was held by the hook"
    warning = capsys.readouterr().err
    assert "were not delivered to MLflow" in warning and "could not be written to a spill file" in warning, warning
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_a_spill_file_that_fails_midway_names_what_it_holds_and_what_was_lost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    count = re.compile(r"(\d+) value\(s\) were not delivered")
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path / "whole")), description(nodes=4))
    (whole,) = capsys.readouterr().err.strip().splitlines()
    total = int(count.search(whole).group(1))  # type: ignore[union-attr]  # the message says its count
    # The disk fills after the spill file's first append: what was written can still be replayed.
    appends: List[str] = []

    def filling_open(path: str, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "a":
            appends.append(path)
            if len(appends) > 1:
                raise OSError(28, "No space left on device")
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(reference_hook, "open", filling_open, raising=False)
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path / "part")), description(nodes=4))
    spilled, lost = capsys.readouterr().err.strip().splitlines()
    assert len(appends) > 1, "the spill file was written once only: nothing failed"
    assert "written to %s; deliver them later with: trackbench replay %s" % (appends[0], appends[0]) in spilled
    assert Path(appends[0]).read_text().count("\n") >= 1
    assert "could not be written to a spill file" in lost and "No space left on device" in lost, lost
    parts = [int(count.search(line).group(1)) for line in (spilled, lost)]  # type: ignore[union-attr]
    assert sum(parts) == total and min(parts) > 0, (parts, total)


def test_no_secret_in_what_it_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "s3cr3t-token-value")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=1))
    assert "s3cr3t-token-value" not in capsys.readouterr().err
    assert all("s3cr3t-token-value" not in p.read_text() for p in tmp_path.iterdir())


@pytest.mark.parametrize("failure", ["drop", 502, "slow"])
def test_a_run_created_though_its_answer_was_lost_is_the_one_run_the_hook_logs_to(
    fake_mlflow: FakeMlflow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Any
) -> None:
    # The server makes the run, then its answer is lost: the connection closed, a proxy's 502, or a timeout.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "0.5")
    fake_mlflow.create_failures = [failure]
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=3, artifacts=1))
    assert [r["info"]["run_id"] for r in fake_mlflow.runs] == ["r1"]  # no twin
    e = fake_mlflow.endpoints()
    assert e["runs/create"] == 1 and e["runs/search"] == 1  # the retry looked, found it and did not create again
    logged = {b["run_id"] for _, p, b in fake_mlflow.requests if p.endswith(("runs/log-batch", "runs/update"))}
    assert logged == {"r1"} and e["artifacts"] == 3
    assert all("/r1/" in p for _, p, _ in fake_mlflow.requests if "mlflow-artifacts" in p)
    assert not list(tmp_path.iterdir())  # nothing spilled


def test_healthy_delivery_makes_no_search(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=3, artifacts=1))
    e = fake_mlflow.endpoints()
    assert e["runs/create"] == 1 and "runs/search" not in e and len(fake_mlflow.runs) == 1


def test_a_run_a_lost_last_answer_may_have_made_is_spilled_with_its_start_time(
    fake_mlflow: FakeMlflow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01")
    fake_mlflow.create_failures = [503, 503, "drop"]  # the last attempt made the run; its answer was lost
    fake_mlflow.page_token = "again"  # and the look for it fails: replay must look, not make a twin
    drive(ReferenceHook(experiment_name="e", spill_dir=str(tmp_path)), description(nodes=2))
    records = [json.loads(line) for line in next(tmp_path.iterdir()).read_text().splitlines()]
    runs = [r for r in records if r["type"] == "run"]
    assert len(runs) == 1 and records[0]["type"] == "run"
    assert runs[0]["runId"] is None and runs[0]["maybeCreatedAt"] == fake_mlflow.runs[0]["info"]["start_time"]


def test_the_run_record_is_written_again_when_what_it_says_of_the_run_changes(
    fake_mlflow: FakeMlflow, tmp_path: Path
) -> None:
    sender = _Sender(MlflowRest(), "e", str(tmp_path), 10, 60.0)
    try:
        run = sender.run_key
        sender.run_record = {"type": "run", "run": run, "experimentName": "e", "runName": "p", "runId": None}
        sender._spill({"type": "params", "run": run, "items": [], "reason": "r"}, "params", 0)
        sender._spill({"type": "params", "run": run, "items": [], "reason": "r"}, "params", 0)  # nothing new to say
        sender.run_record["maybeCreatedAt"] = 1234  # a creation failed after values were spilled
        sender._spill({"type": "end", "run": run, "status": "FAILED", "endTime": 1, "reason": "r"}, "end", 0)
    finally:
        sender.close()
    assert sender.spill_file is not None
    records = [json.loads(line) for line in Path(sender.spill_file).read_text().splitlines()]
    assert [r["type"] for r in records] == ["run", "params", "params", "run", "end"]
    assert "maybeCreatedAt" not in records[0] and records[3]["maybeCreatedAt"] == 1234


class FrozenTime:
    """The time module as the hook sees it, stopped at one instant: runs that start in the same millisecond."""

    def __init__(self, at: float) -> None:
        self.at = at

    def time(self) -> float:
        return self.at

    def gmtime(self, secs: Optional[float] = None) -> struct_time:
        return time.gmtime(self.at if secs is None else secs)

    def localtime(self, secs: Optional[float] = None) -> struct_time:
        return time.localtime(self.at if secs is None else secs)

    def strftime(self, fmt: str, t: Optional[struct_time] = None) -> str:
        return time.strftime(fmt, time.localtime(self.at) if t is None else t)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def marked(desc: Description, mark: str) -> Description:
    """The description with every parameter's value set to ``mark``: which run a spilled value came from."""
    for n in desc["pipeline"]["nodes"]:
        n["params"] = {k: mark for k in n["params"]}
    return desc


def two_runs_while_down(monkeypatch: pytest.MonkeyPatch, spill_dir: Path) -> None:
    """Two pipeline runs of one hook in one process, at the same instant, the server unreachable."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setattr(reference_hook, "time", FrozenTime(1_780_000_000.25))
    hook = ReferenceHook(experiment_name="e", spill_dir=str(spill_dir))
    drive(hook, marked(description(nodes=2, params=2, metrics=1), "first"))
    drive(hook, marked(description(nodes=2, params=2, metrics=1), "second"))


def replayed_runs(spill_dir: Path) -> List[Tuple[Set[str], List[str]]]:
    """The runs ``trackbench replay`` makes of every spill file in ``spill_dir`` (one per run key of a file): the
    parameter values delivered to each, and the statuses it is ended with."""
    runs: List[Tuple[Set[str], List[str]]] = []
    for spill in sorted(spill_dir.iterdir()):
        by_key: Dict[str, Tuple[Set[str], List[str]]] = {}
        for r in (json.loads(line) for line in spill.read_text().splitlines()):
            values, ends = by_key.setdefault(r["run"], (set(), []))
            if r["type"] == "params":
                values.update(p["value"] for p in r["items"])
            elif r["type"] == "end":
                ends.append(r["status"])
        runs += by_key.values()
    return runs


def test_two_runs_in_the_same_millisecond_are_spilled_as_two_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    two_runs_while_down(monkeypatch, tmp_path)
    runs = sorted(replayed_runs(tmp_path), key=lambda r: sorted(r[0]))
    assert runs == [({"first"}, ["FINISHED"]), ({"second"}, ["FINISHED"])]


def test_replay_delivers_two_runs_spilled_in_the_same_millisecond_each_into_its_own_run(
    fake_mlflow: FakeMlflow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    node, cli = shutil.which("node"), REPO / "dist" / "cli" / "main.js"
    if node is None or not cli.exists():
        pytest.skip("needs node and trackbench built (npm run build)")
    spill_dir = tmp_path / "spill"
    two_runs_while_down(monkeypatch, spill_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    for spill in sorted(spill_dir.glob("*.jsonl")):
        replay = [node, str(REPO / "bin" / "trackbench.js"), "replay", str(spill), "--tracking-uri", fake_mlflow.uri]
        done = subprocess.run(replay, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    values: Dict[str, Set[str]] = {}
    ended: Dict[str, List[str]] = {}
    for _, path, body in fake_mlflow.requests:
        if path.endswith("runs/log-batch"):
            values.setdefault(body["run_id"], set()).update(p["value"] for p in body["params"])
        elif path.endswith("runs/update"):
            ended.setdefault(body["run_id"], []).append(body["status"])
    assert len(fake_mlflow.runs) == 2
    assert sorted(values.values(), key=sorted) == [{"first"}, {"second"}]
    assert ended == {r["info"]["run_id"]: ["FINISHED"] for r in fake_mlflow.runs}


def test_a_run_after_a_failed_one_is_not_tagged_with_its_failed_node(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    hook = ReferenceHook(experiment_name="e", spill_dir=str(tmp_path))
    nodes = description(nodes=1)["pipeline"]["nodes"]
    for fails_at_node in (True, False):  # the second run fails before any node runs (e.g. a missing input)
        hook.before_pipeline_run({"pipeline_names": ["p"]}, SimpleNamespace(nodes=nodes))
        if fails_at_node:
            hook.on_node_error(SimpleNamespace(name="stage_0.node_00"))
        hook.on_pipeline_error(RuntimeError("boom"))
    tags: Dict[str, Dict[str, str]] = {}
    for _, path, body in fake_mlflow.requests:
        if path.endswith("runs/log-batch"):
            tags.setdefault(body["run_id"], {}).update({t["key"]: t["value"] for t in body["tags"]})
    assert tags["r1"]["trackbench.failed_node"] == "stage_0.node_00"
    assert "trackbench.error" in tags["r2"] and "trackbench.failed_node" not in tags["r2"]


def test_a_run_kedro_never_ended_is_ended_failed_when_the_next_starts(fake_mlflow: FakeMlflow, tmp_path: Path) -> None:
    # Kedro calls before_pipeline_run outside its try: another hook's raising there leaves the run unended.
    hook = ReferenceHook(experiment_name="e", spill_dir=str(tmp_path))
    hook.before_pipeline_run({"pipeline_names": ["p"]}, SimpleNamespace(nodes=[]))
    drive(hook, description(nodes=1))
    ended = [(b["run_id"], b["status"]) for _, p, b in fake_mlflow.requests if p.endswith("runs/update")]
    assert ended == [("r1", "FAILED"), ("r2", "FINISHED")]
    assert not [t for t in threading.enumerate() if t.name == "trackbench-reference-hook"]  # no sender left behind


INTERRUPTED = """
import os, signal, sys
from types import SimpleNamespace
from trackbench_kedro.reference_hook import ReferenceHook

hook = ReferenceHook(experiment_name="e", spill_dir=sys.argv[1])
hook.before_pipeline_run({"pipeline_names": ["p"]}, SimpleNamespace(nodes=[]))
hook.before_node_run(SimpleNamespace(name="n1", namespace=None), {"params:a": 1})
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C mid-run: a KeyboardInterrupt no Kedro hook is called for
"""


def test_a_run_interrupted_by_ctrl_c_ends_killed_when_its_process_exits(
    fake_mlflow: FakeMlflow, tmp_path: Path
) -> None:
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED, str(tmp_path)], env=env, capture_output=True, text=True, timeout=60
    )
    assert "KeyboardInterrupt" in done.stderr, done.stderr
    updates = [b for _, p, b in fake_mlflow.requests if p.endswith("runs/update")]
    assert [u["status"] for u in updates] == ["KILLED"], fake_mlflow.endpoints()
    assert updates[0]["end_time"] > 0
    batches = [b for _, p, b in fake_mlflow.requests if p.endswith("runs/log-batch")]
    assert [p["key"] for b in batches for p in b["params"]] == ["a"]
