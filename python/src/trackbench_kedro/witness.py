"""What trackbench's conformance suite sees of a Kedro run it does not host (``command:`` and ``kedro:``
targets): when each node ran and which runner ran the pipeline, on the clock MLflow stamps values with
(Unix ms, ``time.time()`` floored, as MLflow's ``get_current_time_millis``). Two Kedro hooks: one runs
before every other hook when a node starts, the other after every other hook when it is done, so a node's
window holds all of any hook's work on it; and, as Kedro's hook spec has hooks observe, whether any hook
changed a node's inputs or outputs (in place: the node computes and saves what it was given). Lines
appended to $TRACKBENCH_NODES_FILE:

    <node>\\t<start ms>             the node starts (before its first input is loaded)
    <node>\\t<start ms>\\t<end ms>    after every hook's work on it so far (one line per output saved;
                                   the last one is when the node was done)
    #runner\\t<class name>          the runner Kedro ran the pipeline with
    #changed\\t<what>               at the pipeline's end: a node input found changed since it was handed
                                   to the hooks, or an output that was not saved as the node returned it
                                   (digested by content before any other hook, compared after them all)
    #digested\\t<count>             at the pipeline's end: how many values were compared (the check ran)
    #overridden\\t<what>            a node input a hook's before_node_run replaced with a value of other content
                                   (the node was called with it: Kedro hands after_node_run the inputs it ran with)
    #injected\\t<node>              a hook failed the pipeline at that node, as $TRACKBENCH_HOOK_ERROR_AT asked:
                                   after every other hook's before_node_run, so the node never ran (a pipeline
                                   error that is not a node error: Kedro calls on_pipeline_error, not on_node_error)

A line is written at once (one ``write`` in append mode), so the nodes that started before a crash
are known, and nodes run in threads or worker processes (ParallelRunner) append side by side.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import time
from typing import Any, Dict, List, Optional, Tuple

from kedro.framework.hooks import hook_impl

NODES_FILE = "TRACKBENCH_NODES_FILE"
HOOK_ERROR_AT = "TRACKBENCH_HOOK_ERROR_AT"


def injected_pipeline_error(node: str) -> str:
    """The error the pipeline-error situation's hook raises: over MLflow's 8000-character tag value limit, as a
    real error's deep cause chain often is, so a hook recording it must bound it itself (trackbench's
    injectedPipelineError, src/conformance/scenarios.ts, is the same text)."""
    chain = ["caused by: wrapped at depth %d of a deep cause chain" % (i + 1) for i in range(200)]
    what = "injected pipeline error (not a node error) at %s" % node
    return "%s; %s; end of the %s" % (what, "; ".join(chain), what)


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


def digest(value: Any) -> str:
    """A digest of a value's content (dict keys in order, bytes by their bytes, other objects pickled):
    equal digests, equal data, whatever order a dict's keys were put in."""
    h = hashlib.sha256()

    def walk(v: Any) -> None:
        if isinstance(v, (bytes, bytearray)):
            h.update(b"b%d:" % len(v) + bytes(v))
        elif isinstance(v, (list, tuple)):
            h.update(b"a%d[" % len(v))
            for x in v:
                walk(x)
            h.update(b"]")
        elif isinstance(v, dict):
            keys = sorted(v, key=repr)
            h.update(b"o%d{" % len(keys))
            for k in keys:
                h.update(repr(k).encode() + b":")
                walk(v[k])
            h.update(b"}")
        elif v is None or isinstance(v, (str, int, float, bool)):
            h.update(("%s:%r;" % (type(v).__name__, v)).encode())
        else:
            try:
                h.update(b"p" + pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:  # not picklable: its repr is all that can be compared
                h.update(b"r" + repr(v).encode())

    walk(value)
    return h.hexdigest()


class _Shared:
    """What the first and last witness share: the file, each node's start, each value handed over (an
    output until it is handed to its dataset; an input, compared when the node has run and at the end),
    what was found changed, and the node at which the last witness fails the pipeline, if asked."""

    def __init__(self, path: str, error_at: Optional[str] = None) -> None:
        self.path = path
        self.error_at = error_at
        self.starts: Dict[str, int] = {}
        # Each input as handed to the hooks, and its digest then, by node and name.
        self.held: Dict[Tuple[str, str], Tuple[Any, str]] = {}
        self.outputs: Dict[Tuple[str, str], Tuple[str, str]] = {}
        self.changed: List[str] = []
        self.digested = 0

    def reset(self) -> None:
        """A new pipeline run (the witness serves every session of its process): nothing of the last one is kept."""
        self.starts.clear()
        self.held.clear()
        self.outputs.clear()
        self.changed.clear()
        self.digested = 0

    def write(self, *fields: object) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write("\t".join(str(x) for x in fields) + "\n")

    def hold_inputs(self, inputs: Dict[str, Any], node: Any) -> None:
        for name, value in inputs.items():
            self.held[(node.name, name)] = (value, digest(value))
        self.digested += len(inputs)

    def called_with(self, inputs: Dict[str, Any], node: Any) -> None:
        """The inputs the node ran with: another object of other content than the one handed to the hooks is a
        hook's override (the same object changed is an in-place change, said at the pipeline's end)."""
        for name, value in inputs.items():
            handed = self.held.get((node.name, name))
            if handed is not None and value is not handed[0] and digest(value) != handed[1]:
                self.write("#overridden", "input %s of %s" % (name, node.name))

    def hold_outputs(self, outputs: Dict[str, Any], node: Any) -> None:
        for name, value in outputs.items():
            self.outputs[(node.name, name)] = ("output %s of %s" % (name, node.name), digest(value))
        self.digested += len(outputs)

    def saving(self, node: Any, name: str, data: Any) -> None:
        """An output as it goes to its dataset: what is saved must be what the node returned. (Not after:
        a dataset's save may touch what it is given, as MLflow's pyfunc log_model caches type hints on the
        model object; that is no hook's doing.)"""
        held = self.outputs.pop((node.name, name), None)
        if held is not None and digest(data) != held[1]:
            self.changed.append(held[0])


class FirstWitness:
    """Runs before every other hook: a node's start, and each input and output as handed over."""

    def __init__(self, shared: _Shared) -> None:
        self.shared = shared

    def _began(self, node: Any) -> None:
        if node.name not in self.shared.starts:
            self.shared.starts[node.name] = now_ms()
            self.shared.write(node.name, self.shared.starts[node.name])

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params: Dict[str, Any]) -> None:
        self.shared.reset()
        self.shared.write("#runner", runner_class(run_params.get("runner")))

    @hook_impl(tryfirst=True)
    def before_dataset_loaded(self, node: Any) -> None:
        self._began(node)

    @hook_impl(tryfirst=True)
    def before_node_run(self, node: Any, inputs: Dict[str, Any]) -> None:
        self._began(node)
        self.shared.hold_inputs(inputs, node)

    @hook_impl(tryfirst=True)
    def after_node_run(self, node: Any, outputs: Dict[str, Any]) -> None:
        self.shared.hold_outputs(outputs, node)


class LastWitness:
    """Runs after every other hook: a node's end (after each output is saved), whether the node ran with the
    inputs handed to the hooks and each output goes to its dataset as the node returned it, at the pipeline's
    end which inputs changed since; and, asked by $TRACKBENCH_HOOK_ERROR_AT, it fails the pipeline at a node."""

    def __init__(self, shared: _Shared) -> None:
        self.shared = shared

    def _ended(self, node: Any) -> None:
        start = self.shared.starts.get(node.name)
        if start is not None:
            self.shared.write(node.name, start, now_ms())

    def _compare(self) -> None:
        changed = self.shared.changed + [
            "input %s of %s" % (name, node) for (node, name), (value, before) in self.shared.held.items()
            if digest(value) != before
        ]
        for what in changed:
            self.shared.write("#changed", what)
        self.shared.write("#digested", self.shared.digested)

    @hook_impl(trylast=True)
    def before_node_run(self, node: Any) -> None:
        if node.name == self.shared.error_at:
            self.shared.write("#injected", node.name)
            raise RuntimeError(injected_pipeline_error(node.name))

    @hook_impl(trylast=True)
    def after_node_run(self, node: Any, inputs: Dict[str, Any]) -> None:
        self.shared.called_with(inputs, node)
        self._ended(node)

    @hook_impl(trylast=True)
    def on_node_error(self, node: Any, inputs: Dict[str, Any]) -> None:
        self.shared.called_with(inputs, node)
        self._ended(node)

    @hook_impl(trylast=True)
    def before_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        self.shared.saving(node, dataset_name, data)

    @hook_impl(trylast=True)
    def after_dataset_saved(self, node: Any) -> None:
        self._ended(node)

    @hook_impl(trylast=True)
    def after_pipeline_run(self) -> None:
        self._compare()

    @hook_impl(trylast=True)
    def on_pipeline_error(self) -> None:
        self._compare()


def witness_hooks(path: Optional[str] = None) -> Tuple[Any, ...]:
    """The witness when $TRACKBENCH_NODES_FILE (or ``path``) is set, else none (measured runs pay nothing)."""
    target = path if path is not None else os.environ.get(NODES_FILE)
    if not target:
        return ()
    shared = _Shared(target, os.environ.get(HOOK_ERROR_AT) or None)
    return (FirstWitness(shared), LastWitness(shared))
