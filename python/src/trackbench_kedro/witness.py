"""What trackbench's conformance suite sees of a Kedro run it does not host (``command:`` and ``kedro:``
targets): when each node ran and which runner ran the pipeline, on the clock MLflow stamps values with
(Unix ms, ``time.time()`` floored, as MLflow's ``get_current_time_millis``). A Kedro hook that runs
before every other hook when a node starts and after every other hook when it is done, so a node's
window holds all of any hook's work on it. Lines appended to $TRACKBENCH_NODES_FILE:

    <node>\\t<start ms>             the node starts (before its first input is loaded)
    <node>\\t<start ms>\\t<end ms>    after every hook's work on it so far (one line per output saved;
                                   the last one is when the node was done)
    #runner\\t<class name>          the runner Kedro ran the pipeline with

A line is written at once (one ``write`` in append mode), so the nodes that started before a crash
are known, and nodes run in threads or worker processes (ParallelRunner) append side by side.
"""
from __future__ import annotations

import os
import re
import time
from typing import Any, Dict, Optional, Tuple

from kedro.framework.hooks import hook_impl

NODES_FILE = "TRACKBENCH_NODES_FILE"


def now_ms() -> int:
    """The wall clock in whole ms, floored (MLflow: ``int(time.time() * 1000)``)."""
    return time.time_ns() // 1_000_000


def runner_class(value: Any) -> str:
    """The runner class named in Kedro's ``run_params["runner"]``: a class's name, or ``str()`` of an
    instance (``<kedro.runner.sequential_runner.SequentialRunner object at 0x..>``); Kedro records
    ``None`` when it was given none and then runs a SequentialRunner."""
    text = str(value)
    if value is None or text == "None":
        return "SequentialRunner"
    found = re.findall(r"\b([A-Z]\w*Runner)\b", text)
    return found[-1] if found else text


class NodeWitness:
    """Writes each node's window and the runner to ``path`` (see the module's docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.starts: Dict[str, int] = {}

    def _write(self, *fields: object) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write("\t".join(str(x) for x in fields) + "\n")

    def _began(self, node: Any) -> None:
        if node.name not in self.starts:
            self.starts[node.name] = now_ms()
            self._write(node.name, self.starts[node.name])

    def _ended(self, node: Any) -> None:
        start = self.starts.get(node.name)
        if start is not None:
            self._write(node.name, start, now_ms())

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params: Dict[str, Any]) -> None:
        self._write("#runner", runner_class(run_params.get("runner")))

    @hook_impl(tryfirst=True)
    def before_dataset_loaded(self, node: Any) -> None:
        self._began(node)

    @hook_impl(tryfirst=True)
    def before_node_run(self, node: Any) -> None:
        self._began(node)

    @hook_impl(trylast=True)
    def after_node_run(self, node: Any) -> None:
        self._ended(node)

    @hook_impl(trylast=True)
    def on_node_error(self, node: Any) -> None:
        self._ended(node)

    @hook_impl(trylast=True)
    def after_dataset_saved(self, node: Any) -> None:
        self._ended(node)


def witness_hooks(path: Optional[str] = None) -> Tuple[Any, ...]:
    """The witness when $TRACKBENCH_NODES_FILE (or ``path``) is set, else none (measured runs pay nothing)."""
    target = path if path is not None else os.environ.get(NODES_FILE)
    return (NodeWitness(target),) if target else ()
