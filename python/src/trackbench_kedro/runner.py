"""Runs a generated project with KedroSession, the way ``kedro run --pipeline <name>`` does, on
Kedro 0.19.x (``pipeline_name=``) and 1.x (``pipeline_names=``)."""
from __future__ import annotations

import contextlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, Iterator, List, Optional

from .plugins import _entry_points
from .probes import NotMeasured, outside
from .raised import raised_at


def preload(hooks: Optional[List[str]] = None) -> None:
    """Imports Kedro, every installed hook plugin and the extra hooks' modules, so imports happen
    before the clock starts, with tracking on or off alike (Kedro imports an installed plugin even
    when its hooks are disabled)."""
    import kedro.framework.session  # noqa: F401
    import kedro.runner  # noqa: F401

    for ep in _entry_points("kedro.hooks"):
        try:
            ep.load()
        except Exception:  # a broken plugin fails later, where Kedro loads it, with Kedro's message
            pass
    for spec in hooks or []:
        __import__(spec.partition(":")[0])


def run_kwargs(run: Any, pipeline_name: str) -> Dict[str, Any]:
    params = inspect.signature(run).parameters
    return {"pipeline_names": [pipeline_name]} if "pipeline_names" in params else {"pipeline_name": pipeline_name}


RUNNER = "TRACKBENCH_RUNNER"


def make_runner(spec: Optional[str] = None) -> Any:
    """The runner ``$TRACKBENCH_RUNNER`` (or ``spec``) names: ``ThreadRunner:<workers>`` (``kedro run --runner
    ThreadRunner``: nodes in threads, their hooks interleaved, as a parallel situation asks), else a
    SequentialRunner."""
    from kedro.runner import SequentialRunner, ThreadRunner

    text = spec if spec is not None else os.environ.get(RUNNER, "")
    name, _, workers = text.partition(":")
    if name == "ThreadRunner" and (workers == "" or workers.isdigit() and int(workers) > 0):
        return ThreadRunner(max_workers=int(workers) if workers else None)
    if name not in ("", "SequentialRunner") or workers:
        raise ValueError("%s=%s: ThreadRunner[:<workers>] or SequentialRunner" % (RUNNER, text))
    return SequentialRunner()


PIPELINE_RUNS = "TRACKBENCH_PIPELINE_RUNS"


def pipeline_runs() -> int:
    """How many times to run the pipeline in this process (``$TRACKBENCH_PIPELINE_RUNS``, default 1)."""
    text = os.environ.get(PIPELINE_RUNS, "1")
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise ValueError("%s=%s: a whole number from 1 to 100" % (PIPELINE_RUNS, text))
    return int(text)


class SetUpFailed(NotMeasured):
    """The project or a Kedro session could not be set up (bootstrap_project, the project's settings.py, whose
    import constructs settings.HOOKS, KedroSession.create, the runner): no pipeline run started, so there is
    nothing to measure. Its message says what failed, with the error and where it was raised."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__("%s: %s: %s%s" % (what, type(error).__name__, error, raised_at(error)))


@contextlib.contextmanager
def _setting_up(what: str) -> Iterator[None]:
    try:
        yield
    except Exception as e:
        raise SetUpFailed(what, e) from e


def run_project(
    root: Path,
    pipeline_name: str,
    env: str = "local",
    window: Optional[Callable[[], ContextManager[Any]]] = None,
) -> None:
    """Runs the project's named pipeline ``pipeline_runs()`` times, a KedroSession each, in this process:
    the hook objects (settings.HOOKS, a plugin's module-level hooks) serve every session, as in a notebook
    or a scheduler that runs a project again, so state a hook keeps from one run to the next shows. Raises
    what a run raised (no later run starts). Like ``kedro run``, it hands Kedro a runner instance (given
    none, Kedro records the runner as None in run_params, which hooks tag): ``make_runner()``'s. With
    $TRACKBENCH_NODES_FILE set, first appends ``#runs<TAB>n``, then ``#pipeline<TAB>start ms<TAB>end ms`` after
    each run: from before its session is created to after it is closed, the span every hook call of the run lies
    in.

    ``window`` (``probes.measured``) makes the context the runs' ``session.run`` calls are made in: entered after
    the project is bootstrapped and the first session created (settings.py imported: its HOOKS constructed), left
    as the last ``session.run`` returns or raises, before that session is closed. Between runs, the last session
    is closed and the next created inside it, held out of its figures (``probes.outside()``). A failure setting
    up (bootstrap, settings, a hook's constructor, a session, the runner) raises SetUpFailed: before the window,
    or out of it with no probes written."""
    from kedro.framework.startup import bootstrap_project

    src = str(root / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    with _setting_up("the Kedro project could not be set up"):
        runs = pipeline_runs()
        bootstrap_project(root)
    _say_runs(runs)
    with contextlib.ExitStack() as open_session:
        run = open_session.enter_context(_session(root, pipeline_name, env))
        with (window or contextlib.nullcontext)():
            for i in range(runs):
                if i:
                    with outside():
                        open_session.close()  # the last run's session, and its #pipeline line
                        run = open_session.enter_context(_session(root, pipeline_name, env))
                run()


def _say_runs(runs: int) -> None:
    """Tells trackbench (``#runs<TAB>n`` in $TRACKBENCH_NODES_FILE) that this process takes on ``runs`` runs, so
    that one ending short of them is a failure, not a command to start again for the rest."""
    from .witness import NODES_FILE

    path = os.environ.get(NODES_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write("#runs\t%d\n" % runs)


@contextlib.contextmanager
def _session(root: Path, pipeline_name: str, env: str) -> Iterator[Callable[[], Any]]:
    """A new KedroSession, open while the context is, and its run (``session.run`` with this run's runner);
    ``#pipeline<TAB>start<TAB>end`` in $TRACKBENCH_NODES_FILE from before it is created to after it is closed."""
    from kedro.framework.session import KedroSession

    from .witness import NODES_FILE, now_ms

    started = now_ms()
    try:
        with _setting_up("the Kedro session could not be created"):
            session = KedroSession.create(project_path=root, env=env)
        with session:
            with _setting_up("the pipeline run could not be set up"):
                kwargs = run_kwargs(session.run, pipeline_name)
                kwargs["runner"] = make_runner()
            yield lambda: session.run(**kwargs)
    finally:
        path = os.environ.get(NODES_FILE)
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write("#pipeline\t%d\t%d\n" % (started, now_ms()))
