"""``trackbench-kedro run``: what its measured block holds. Hook construction (settings.py's HOOKS) and the Kedro
session's creation are set-up, before the block; the block holds session.run; the session is closed after it. A
failure setting up is no measurement; a failing pipeline still is."""
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator, List, Optional

import pytest

pytest.importorskip("kedro")

from kedro.framework.hooks import hook_impl  # noqa: E402
from kedro.framework.session import KedroSession  # noqa: E402

from conftest import description  # noqa: E402
from trackbench_kedro import cli, probes  # noqa: E402
from trackbench_kedro.description import Description  # noqa: E402
from trackbench_kedro.project import PACKAGE  # noqa: E402

EVENTS: List[str] = []
CONSTRUCTION_S = 1.0


class Built:
    """A hook whose constructor does measurable work (a second's wait, as a client that connects at start)."""

    def __init__(self) -> None:
        EVENTS.append("hook constructed")
        time.sleep(CONSTRUCTION_S)

    @hook_impl
    def before_pipeline_run(self) -> None:
        EVENTS.append("before_pipeline_run")

    @hook_impl
    def after_pipeline_run(self) -> None:
        EVENTS.append("after_pipeline_run")


class Broken:
    """A hook whose constructor fails (a missing setting)."""

    def __init__(self) -> None:
        raise RuntimeError("no tracking server configured")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Records the measured block's start and end, the sessions' creation and closing, in EVENTS; the environment
    ``run`` sets is put back afterwards; an earlier test's project is forgotten, and this one's after it. The probes
    file's path."""
    EVENTS.clear()
    for name, value in (("MLFLOW_EXPERIMENT_NAME", "tests"), ("OMEGACONF_MAX_YAML_EXPANDED_NODES", "10000000"),
                        ("KEDRO_DISABLE_TELEMETRY", "true"), ("TRACKBENCH_PIPELINE_RUNS", "1")):
        monkeypatch.setenv(name, value)
    for name in ("TRACKBENCH_NODES_FILE", "TRACKBENCH_KEDRO_HOOKS", "TRACKBENCH_RUNNER", "TRACKBENCH_INSTRUMENT"):
        monkeypatch.delenv(name, raising=False)
    probes_file = tmp_path / "probes.json"
    monkeypatch.setenv("TRACKBENCH_PROBES_FILE", str(probes_file))
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:  # its settings.py constructed hooks
        monkeypatch.delitem(sys.modules, module)
    block = probes.measured

    @contextlib.contextmanager
    def measured(path: Optional[str] = None) -> Iterator[None]:
        with block(path):
            EVENTS.append("block starts")
            try:
                yield
            finally:
                EVENTS.append("block ends")

    create, close = KedroSession.create, KedroSession.close

    def created(**kwargs: Any) -> Any:
        session = create(**kwargs)
        EVENTS.append("session created")
        return session

    def closed(self: Any) -> None:
        close(self)
        EVENTS.append("session closed")

    monkeypatch.setattr(cli, "measured", measured)
    monkeypatch.setattr(KedroSession, "create", created)
    monkeypatch.setattr(KedroSession, "close", closed)
    yield probes_file
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:  # gone, not put back by monkeypatch
        del sys.modules[module]


def run(tmp_path: Path, desc: Description, hook: str) -> int:
    pipeline_file = tmp_path / "pipeline.json"
    pipeline_file.write_text(json.dumps(desc))
    project = tmp_path / "project"
    args = ["run", "--pipeline-file", str(pipeline_file), "--tracking", "on", "--plugins", "off"]
    return cli.main(args + ["--hook", hook, "--project", str(project)])


def test_hooks_are_constructed_and_the_session_created_before_the_block(tmp_path: Path, recorded: Path) -> None:
    assert run(tmp_path, description(nodes=2, params=1, metrics=1), "test_cli_run:Built") == 0
    assert EVENTS == [
        "hook constructed",
        "session created",
        "block starts",
        "before_pipeline_run",
        "after_pipeline_run",
        "block ends",
        "session closed",
    ]
    # The constructor's second is set-up: the block's figures are the pipeline run's, set-up its own figure.
    written = json.loads(recorded.read_text())
    assert written["wallMs"] < CONSTRUCTION_S * 1000
    assert written["setupMs"] >= CONSTRUCTION_S * 900
    assert written["setupCpuMs"] < written["setupMs"] - CONSTRUCTION_S * 500  # the constructor waited, not worked


def test_later_runs_sessions_are_held_out_of_the_block(
    tmp_path: Path, recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKBENCH_PIPELINE_RUNS", "2")
    nodes_file = tmp_path / "nodes.txt"
    monkeypatch.setenv("TRACKBENCH_NODES_FILE", str(nodes_file))
    create = KedroSession.create

    def slow(**kwargs: Any) -> Any:
        time.sleep(CONSTRUCTION_S)  # a session that takes a second to create, each time
        return create(**kwargs)

    monkeypatch.setattr(KedroSession, "create", slow)
    assert run(tmp_path, description(nodes=2, params=1, metrics=1), "test_cli_run:Built") == 0
    run_events = ["before_pipeline_run", "after_pipeline_run"]
    assert EVENTS == ["hook constructed", "session created", "block starts", *run_events, "session closed",
                      "session created", *run_events, "block ends", "session closed"]
    # One block, two runs; the second session's creation inside it is held out of its figures.
    assert json.loads(recorded.read_text())["wallMs"] < CONSTRUCTION_S * 1000
    rows = [line.split("\t") for line in nodes_file.read_text().splitlines()]
    assert rows[0] == ["#runs", "2"]
    ends = [i for i, row in enumerate(rows) if row[0] == "#pipeline"]
    assert len(ends) == 2
    # Each run's span is from before its session was created (a second before its first node) to after it closed.
    for begin, end in zip([0, ends[0] + 1], ends):
        first_node = next(int(row[1]) for row in rows[begin:end] if not row[0].startswith("#"))
        start, stop = int(rows[end][1]), int(rows[end][2])
        assert start <= first_node - CONSTRUCTION_S * 1000 and first_node < stop
    assert int(rows[ends[0]][2]) <= int(rows[ends[1]][1])


def test_a_hook_that_cannot_be_constructed_fails_the_run_unmeasured(
    tmp_path: Path, recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, description(nodes=2, params=1, metrics=1), "test_cli_run:Broken") == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith(
        "trackbench-kedro: set-up failed, no pipeline run: the Kedro project could not be set up: "
        "RuntimeError: no tracking server configured "
        "in Broken.__init__() at %s:" % __file__
    )
    assert "block starts" not in EVENTS and not recorded.exists()  # no run, so no figures


def test_a_later_session_that_cannot_be_created_fails_the_run_unmeasured(
    tmp_path: Path, recorded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKBENCH_PIPELINE_RUNS", "2")
    create = KedroSession.create

    def once(**kwargs: Any) -> Any:
        if "session created" in EVENTS:
            raise OSError("no space left for the session store")
        return create(**kwargs)

    monkeypatch.setattr(KedroSession, "create", once)
    assert run(tmp_path, description(nodes=2, params=1, metrics=1), "test_cli_run:Built") == 1
    said = capsys.readouterr().err
    said_last = said.strip().splitlines()[-1]
    assert said_last.startswith("trackbench-kedro: set-up failed, no pipeline run: the Kedro session could not be "
                                "created: OSError: no space left for the session store in once() at ")
    assert "pipeline failed" not in said
    assert EVENTS[-2:] == ["session closed", "block ends"] and not recorded.exists()


def test_a_failing_pipeline_is_still_measured_and_said(
    tmp_path: Path, recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desc = description(nodes=2, params=1, metrics=1)
    desc["pipeline"]["nodes"][1]["fails"] = True
    assert run(tmp_path, desc, "test_cli_run:Built") == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith("pipeline failed: RuntimeError: injected failure")
    assert EVENTS[-3:] == ["before_pipeline_run", "block ends", "session closed"]
    assert json.loads(recorded.read_text())["wallMs"] > 0


def test_a_runner_that_cannot_be_made_fails_the_run_unmeasured(
    tmp_path: Path, recorded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKBENCH_RUNNER", "ParallelRunner")
    assert run(tmp_path, description(nodes=2, params=1, metrics=1), "test_cli_run:Built") == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith("trackbench-kedro: set-up failed, no pipeline run: the pipeline run could not be set up: "
                           "ValueError: TRACKBENCH_RUNNER=ParallelRunner: ")
    assert "block starts" not in EVENTS and EVENTS[-1] == "session closed" and not recorded.exists()
