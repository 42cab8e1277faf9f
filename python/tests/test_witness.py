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
from trackbench_kedro.runner import make_runner, run_project  # noqa: E402
from trackbench_kedro.description import Description  # noqa: E402
from trackbench_kedro.witness import digest, now_ms, runner_class, witness_hooks  # noqa: E402

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


class Mutator:
    """A hook that "normalises" a dict parameter in place (a plausible bug: the node gets the changed value),
    and one that tidies a node's dict output before it is saved."""

    @hook_impl
    def before_node_run(self, inputs: Dict[str, Any]) -> None:
        for value in inputs.values():
            if isinstance(value, dict) and "a" in value:
                value["a"] = str(value["a"])

    @hook_impl
    def after_node_run(self, node: Any, outputs: Dict[str, Any]) -> None:
        if node.name.endswith("01"):
            outputs[node.name + ".out"]["tidied"] = True


class Overrider:
    """A hook that hands a node a replaced parameter (a plausible bug: a value cut for logging handed back),
    and another node an equal copy of one (harmless: the node computes the same)."""

    @hook_impl
    def before_node_run(self, node: Any, inputs: Dict[str, Any]) -> Dict[str, Any]:
        name = next(k for k in inputs if k.startswith("params:"))
        if node.name.endswith("00"):
            return {name: {"a": "cut"}}
        return {name: dict(inputs[name])}


class Params:
    """Notes each node whose parameters a hook received, and whether on_node_error or on_pipeline_error ran."""

    seen: List[str] = []

    @hook_impl
    def before_node_run(self, node: Any) -> None:
        Params.seen.append(node.name)

    @hook_impl
    def on_node_error(self, node: Any) -> None:
        Params.seen.append("on_node_error " + node.name)

    @hook_impl
    def on_pipeline_error(self) -> None:
        Params.seen.append("on_pipeline_error")


def run_witnessed_rows(tmp_path: Path) -> List[List[str]]:
    """The nodes file's lines, split at tabs."""
    return [line.split("\t") for line in (tmp_path / "nodes.txt").read_text().splitlines()]


def run_witnessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, desc: Description, hook: str) -> List[List[str]]:
    """Runs the project with the extra hook and the witness on; the nodes file's lines, split at tabs."""
    nodes_file = tmp_path / "nodes.txt"
    monkeypatch.setenv("TRACKBENCH_NODES_FILE", str(nodes_file))
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:  # an earlier test's project
        monkeypatch.delitem(sys.modules, module)
    root = write_project(desc, tmp_path / "project", tracking=True, hooks=[hook], plugins=False)
    run_project(root, "p")
    return run_witnessed_rows(tmp_path)


def test_runner_class_reads_kedros_run_params() -> None:
    assert runner_class(None) == "SequentialRunner"  # Kedro records None when given no runner, then runs this
    assert runner_class("None") == "SequentialRunner"
    assert runner_class("<kedro.runner.thread_runner.ThreadRunner object at 0x7f00>") == "ThreadRunner"
    assert runner_class("ParallelRunner") == "ParallelRunner"


def test_no_witness_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKBENCH_NODES_FILE", raising=False)
    assert witness_hooks() == ()
    assert len(witness_hooks("/tmp/nodes.txt")) == 2  # the first and the last


def test_windows_hold_every_hooks_work_and_the_runner_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desc = description(nodes=4, params=1, metrics=1, artifacts=1)
    SEEN.clear()
    before = now_ms()
    rows = run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Recorder")
    after = now_ms()
    facts = {row[0]: row[1:] for row in rows if row[0].startswith("#")}
    assert facts["#runner"] == ["SequentialRunner"]
    # Each node's param and output values (3 nodes take the one before's output too), none changed.
    assert int(facts["#digested"][0]) >= 4 * 3 and "#changed" not in facts
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


def test_a_hook_changing_an_input_in_place_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desc = description(nodes=2, params=1, metrics=0)  # each node's p0 is the dict {"a": 0}
    rows = run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Mutator")
    changed = sorted(row[1] for row in rows if row[0] == "#changed")
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    output = "output %s.out of %s" % (names[1], names[1])
    assert changed == sorted(["input params:%s.p0 of %s" % (n, n) for n in names] + [output])


def test_digests_compare_content_not_key_order() -> None:
    assert digest({"a": 1, "b": [1, b"x"]}) == digest({"b": [1, b"x"], "a": 1})
    assert digest({"a": 1}) != digest({"a": "1"}) and digest([1.0]) != digest([1])


def test_an_input_override_of_other_content_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desc = description(nodes=2, params=1, metrics=0)  # each node's p0 is the dict {"a": 0}
    rows = run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Overrider")
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    overridden = [row[1] for row in rows if row[0] == "#overridden"]
    # The equal copy handed to the second node is no override of other content; nothing was changed in place.
    assert overridden == ["input params:%s.p0 of %s" % (names[0], names[0])]
    assert not [row for row in rows if row[0] == "#changed"]


def test_the_asked_node_fails_the_pipeline_after_every_hook_had_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desc = description(nodes=3, params=1, metrics=0)
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    monkeypatch.setenv("TRACKBENCH_HOOK_ERROR_AT", names[1])
    Params.seen = []
    with pytest.raises(RuntimeError, match="injected pipeline error"):
        run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Params")
    rows = run_witnessed_rows(tmp_path)
    assert ["#injected", names[1]] in rows
    # The other hook had the node's parameters; Kedro then reports a pipeline error, not a node error.
    assert Params.seen == [names[0], names[1], "on_pipeline_error"]
    started = [row[0] for row in rows if not row[0].startswith("#")]
    assert names[2] not in started


def test_a_thread_runner_when_asked_and_the_witness_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desc = description(nodes=6, params=1, metrics=1)
    monkeypatch.setenv("TRACKBENCH_RUNNER", "ThreadRunner:4")
    rows = run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Params")
    assert ["#runner", "ThreadRunner"] in rows
    ended = {row[0] for row in rows if len(row) == 3 and not row[0].startswith("#")}
    assert ended == {n["name"] for n in desc["pipeline"]["nodes"]}


def test_an_unknown_runner_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("ParallelRunner", "ThreadRunner:x", "ThreadRunner:0", "SequentialRunner:2"):
        monkeypatch.setenv("TRACKBENCH_RUNNER", bad)
        with pytest.raises(ValueError, match="TRACKBENCH_RUNNER=%s:" % bad):
            make_runner()
    monkeypatch.delenv("TRACKBENCH_RUNNER")
    assert type(make_runner()).__name__ == "SequentialRunner"


def test_pipeline_runs_runs_the_pipeline_again_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two Kedro sessions, one process: each run's node lines, then its #pipeline line; the witness, which
    # serves both sessions, writes every node's start again for the second run.
    desc = description(nodes=3, params=1, metrics=1)
    monkeypatch.setenv("TRACKBENCH_PIPELINE_RUNS", "2")
    rows = run_witnessed(tmp_path, monkeypatch, desc, "test_witness:Recorder")
    ends = [i for i, row in enumerate(rows) if row[0] == "#pipeline"]
    assert len(ends) == 2 and ends[1] == len(rows) - 1
    # It says first that it takes both runs on, so one ending short of them is not run again.
    assert rows[0] == ["#runs", "2"] and [row[0] for row in rows].count("#runs") == 1
    names = [n["name"] for n in desc["pipeline"]["nodes"]]
    for run in (rows[: ends[0]], rows[ends[0] + 1 : ends[1]]):
        assert sorted({row[0] for row in run if not row[0].startswith("#")}) == sorted(names)
        assert [row[0] for row in run].count("#runner") == 1
    first_end, second_start = int(rows[ends[0]][2]), min(int(r[1]) for r in rows[ends[0] + 1 :] if r[0] in names)
    assert first_end <= second_start  # the second run starts after the first one ended


def test_pipeline_runs_must_be_a_small_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from trackbench_kedro.runner import pipeline_runs

    for bad in ("0", "-1", "two", "101", ""):
        monkeypatch.setenv("TRACKBENCH_PIPELINE_RUNS", bad)
        with pytest.raises(ValueError, match="TRACKBENCH_PIPELINE_RUNS"):
            pipeline_runs()
    monkeypatch.delenv("TRACKBENCH_PIPELINE_RUNS")
    assert pipeline_runs() == 1
