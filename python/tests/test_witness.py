"""trackbench's witness in a real Kedro run: each node's window (from before any hook sees it start to
after every hook is done with it), the runner, and the pipeline run's window, in $TRACKBENCH_NODES_FILE."""
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

pytest.importorskip("kedro")

from kedro.framework.hooks import hook_impl  # noqa: E402

from conftest import description  # noqa: E402
from trackbench_kedro.project import PACKAGE, write_project  # noqa: E402
from trackbench_kedro.runner import run_project  # noqa: E402
from trackbench_kedro.witness import now_ms, runner_class, witness_hooks  # noqa: E402

# What Recorder saw: (event, node, ms), across the instances Kedro makes from settings.py.
SEEN: List[Tuple[str, str, int]] = []


class Recorder:
    """Another hook, registered after the witness (so called before it, unless the witness says tryfirst):
    it notes the time as it starts a call about a node's start and as it ends one about its end, and takes a
    few ms at each, so a witness that did not run first at a node's start and last at its end would leave
    these times outside the node's window."""

    def _before(self, event: str, node: Any) -> None:
        SEEN.append((event, node.name, now_ms()))
        time.sleep(0.003)

    @hook_impl
    def before_dataset_loaded(self, node: Any) -> None:
        self._before("loading", node)

    @hook_impl
    def before_node_run(self, node: Any) -> None:
        self._before("starting", node)

    @hook_impl
    def after_dataset_saved(self, node: Any) -> None:
        time.sleep(0.003)
        SEEN.append(("saved", node.name, now_ms()))


def test_runner_class_reads_kedros_run_params() -> None:
    assert runner_class(None) == "SequentialRunner"  # Kedro records None when given no runner, then runs this
    assert runner_class("None") == "SequentialRunner"
    assert runner_class("<kedro.runner.thread_runner.ThreadRunner object at 0x7f00>") == "ThreadRunner"
    assert runner_class("ParallelRunner") == "ParallelRunner"


def test_no_witness_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKBENCH_NODES_FILE", raising=False)
    assert witness_hooks() == ()
    assert len(witness_hooks("/tmp/nodes.txt")) == 1


def test_windows_hold_every_hooks_work_and_the_runner_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desc = description(nodes=4, params=1, metrics=1, artifacts=1)
    nodes_file = tmp_path / "nodes.txt"
    monkeypatch.setenv("TRACKBENCH_NODES_FILE", str(nodes_file))
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:  # an earlier test's project
        monkeypatch.delitem(sys.modules, module)
    SEEN.clear()
    root = write_project(desc, tmp_path / "project", tracking=True, hooks=["test_witness:Recorder"], plugins=False)
    before = now_ms()
    run_project(root, "p")
    after = now_ms()
    rows = [line.split("\t") for line in nodes_file.read_text().splitlines()]
    facts = {row[0]: row[1:] for row in rows if row[0].startswith("#")}
    assert facts["#runner"] == ["SequentialRunner"]
    pipeline_start, pipeline_end = (int(x) for x in facts["#pipeline"])
    assert before <= pipeline_start <= pipeline_end <= after
    windows: Dict[str, List[int]] = {}
    for row in rows:
        if row[0].startswith("#"):
            continue
        w = windows.setdefault(row[0], [int(row[1]), 0])
        if len(row) == 3:
            w[1] = max(w[1], int(row[2]))
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    assert sorted(windows) == sorted(names)
    events = {(event, node) for event, node, _ in SEEN}
    for name in names:  # every node loaded its params, saved its outputs: the recorder saw each
        assert {("loading", name), ("starting", name), ("saved", name)} <= events
    for event, node, ms in SEEN:
        start, end = windows[node]
        assert start <= ms <= end, (event, node, ms, windows[node])
    # Sequential: each node's window ends before the next one's begins, all within the pipeline run.
    ordered = sorted(windows.values())
    assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:]))
    assert pipeline_start <= ordered[0][0] and ordered[-1][1] <= pipeline_end
