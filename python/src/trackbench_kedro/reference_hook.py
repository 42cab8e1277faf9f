"""The reference tracking hook, for Kedro, in Python: what trackbench's TypeScript reference hook
does, as a Kedro plugin author would write it. One MLflow run per pipeline run; every ``params:``
input, metric value (at its step), artifact and model; every model registered as a model version;
values packed into ``log-batch`` requests up to MLflow's limits and sent by a background thread, so
a node never waits for the network; when the server is gone the pipeline still completes, a warning
says how many values were not delivered, and they are written to a JSONL file that
``trackbench replay`` delivers later.

Use it in a Kedro project's settings.py:  ``HOOKS = (ReferenceHook(),)``. It logs to
MLFLOW_TRACKING_URI, into the experiment MLFLOW_EXPERIMENT_NAME (default: the project folder's name).
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import pickle
import queue
import re
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from kedro.framework.hooks import hook_impl

from . import doubles
from .mlflow_rest import MlflowError, MlflowRest, Unreachable

# MLflow's server-side limits (mlflow/utils/validation.py).
PARAMS_PER_BATCH = 100
TAGS_PER_BATCH = 100
ITEMS_PER_BATCH = 1000
PARAM_VALUE_LENGTH = 6000
TAG_VALUE_LENGTH = 8000
KEY_LENGTH = 250
RUN = "pipeline"  # the start of the spill file's key for a run; each run's key ends with its own random part

KeyValue = Dict[str, str]
Metric = Dict[str, Any]


def sanitize_key(key: str) -> str:
    return re.sub(r"[^/\w.\- :]", "_", key)[:KEY_LENGTH]


def spill_name(now: float) -> str:
    """A spill file's name, as the TypeScript hook's: UTC to the millisecond (file-names.ts timestamped), pid."""
    ms = int(now * 1000)
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime(ms // 1000))
    return "trackbench-undelivered-%s-%03dZ-%d" % (stamp, ms % 1000, os.getpid())


def param_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)


def dataset_kind(catalog: Any, name: str) -> Optional[str]:
    """What a catalog entry holds: trackbench's datasets say it; others by their class name."""
    dataset = None
    for getter in ("get", "_get_dataset"):  # Kedro 1.x, Kedro 0.19
        fn = getattr(catalog, getter, None)
        if fn is None:
            continue
        try:
            dataset = fn(name)
        except Exception:
            dataset = None
        if dataset is not None:
            break
    if dataset is None:
        return None
    kind = getattr(dataset, "trackbench_kind", None)
    if isinstance(kind, str):
        return kind
    cls = type(dataset).__name__.lower()
    for word, k in (("metric", "metrics"), ("model", "model"), ("artifact", "artifact")):
        if word in cls:
            return k
    return None


def metric_items(prefix: str, value: Any, now: int) -> List[Metric]:
    """Metrics from a dataset's value: {key: number | [numbers] | [{value, step}]}."""
    out: List[Metric] = []
    if not isinstance(value, dict):
        return out
    for key, v in value.items():
        full = sanitize_key("%s.%s" % (prefix, key) if prefix else str(key))
        series = v if isinstance(v, list) else [v]
        for i, point in enumerate(series):
            if isinstance(point, dict):
                out.append(
                    {"key": full, "value": float(point["value"]), "step": int(point.get("step", i)), "timestamp": now}
                )
            else:
                out.append({"key": full, "value": float(point), "step": i, "timestamp": now})
    return out


class _Sender:
    """The background thread: owns the MLflow connection, packs values into batches, spills."""

    def __init__(self, client: MlflowRest, experiment: str, spill_dir: str, bound: int, flush_s: float) -> None:
        self.client = client
        self.experiment = experiment
        self.spill_dir = spill_dir
        self.flush_s = flush_s
        self.inbox: "queue.Queue[Tuple[Any, ...]]" = queue.Queue(maxsize=bound)
        self.params: List[KeyValue] = []
        self.tags: List[KeyValue] = []
        self.metrics: List[Metric] = []
        self.run_id: Optional[str] = None
        self.artifact_uri: Optional[str] = None
        self.run_record: Dict[str, Any] = {}
        self.unreachable: Optional[str] = None
        # Values not delivered, by kind: written to the spill file (replay delivers them), or not even that.
        self.spilled: Dict[str, int] = {}
        self.unspilled: Dict[str, int] = {}
        self.spill_file: Optional[str] = None
        # Why the spill file could not be written, once it failed: the values are then lost, and counted so.
        self.spill_failure: Optional[str] = None
        # The run's key in the spill file: its own, so values of two runs never read as one run's.
        self.run_key = "%s-%s" % (RUN, secrets.token_hex(4))
        # What the run record last written to the spill file said of where the run is (None: not written yet).
        self.announced: Optional[Tuple[Any, Any]] = None
        self.thread = threading.Thread(target=self._loop, name="trackbench-reference-hook", daemon=True)
        self.thread.start()

    # -- spill: trackbench replay's format
    def _spill(self, record: Dict[str, Any], kind: str, count: int) -> None:
        written = self._write_spill(record)
        tally = self.spilled if written else self.unspilled
        tally[kind] = tally.get(kind, 0) + count

    def _write_spill(self, record: Dict[str, Any]) -> bool:
        """Appends the record (after the run's record when that changed); False once the file cannot be written."""
        if self.spill_failure is not None:
            return False
        try:
            if self.spill_file is None:
                self.spill_file = self._new_spill_file()
            with open(self.spill_file, "a") as f:
                # The run record again when what it says of the run changed since it was written (an id, or that a
                # failed creation may have made it): replay reads the run's last record.
                facts = (self.run_record.get("runId"), self.run_record.get("maybeCreatedAt"))
                if facts != self.announced:
                    f.write(doubles.dumps(self.run_record) + "\n")
                    self.announced = facts
                f.write(doubles.dumps(record) + "\n")
            return True
        except OSError as err:
            # An unwritable spill folder must not end this thread: a full queue would then hold the pipeline for good.
            self.spill_failure = "%s: %s" % (self.spill_dir, err.strerror or err)
            return False

    def _new_spill_file(self) -> str:
        """A file of this run's own: another run may have started in the same millisecond (or a process before this
        one had its pid), and replay would merge runs of one file that share a key."""
        os.makedirs(self.spill_dir, exist_ok=True)
        base = os.path.join(self.spill_dir, spill_name(time.time()))
        n = 1
        while True:
            path = base + (".jsonl" if n == 1 else "-%d.jsonl" % n)
            try:
                open(path, "x").close()  # made here, or taken: the next name
                return path
            except FileExistsError:
                n += 1

    def _failed(self, err: Exception) -> str:
        if isinstance(err, Unreachable):
            self.unreachable = str(err)
        return self.client.redact(str(err))

    # -- batches
    def _take_batch(self, final: bool) -> Optional[Tuple[List[KeyValue], List[KeyValue], List[Metric]]]:
        full = (
            len(self.params) >= PARAMS_PER_BATCH
            or len(self.tags) >= TAGS_PER_BATCH
            or len(self.params) + len(self.tags) + len(self.metrics) >= ITEMS_PER_BATCH
        )
        if not (full or (final and (self.params or self.tags or self.metrics))):
            return None
        p, self.params = self.params[:PARAMS_PER_BATCH], self.params[PARAMS_PER_BATCH:]
        t, self.tags = self.tags[:TAGS_PER_BATCH], self.tags[TAGS_PER_BATCH:]
        room = ITEMS_PER_BATCH - len(p) - len(t)
        m, self.metrics = self.metrics[:room], self.metrics[room:]
        return p, t, m

    def _send_batches(self, final: bool) -> None:
        while True:
            batch = self._take_batch(final)
            if batch is None:
                return
            p, t, m = batch
            reason = self.unreachable or (None if self.run_id else "the run was not created")
            if reason is None and self.run_id is not None:
                try:
                    self.client.log_batch(self.run_id, p, t, m)
                    continue
                except MlflowError as e:
                    reason = self._failed(e)
            for kind, items in (("params", p), ("tags", t), ("metrics", m)):
                if items:
                    record: Dict[str, Any] = {"type": kind, "run": self.run_key, "items": items, "reason": reason}
                    self._spill(record, kind, len(items))

    # -- operations
    def _create_run(self, name: str, tags: List[KeyValue]) -> None:
        self.run_record = {
            "type": "run",
            "run": self.run_key,
            "experimentName": self.experiment,
            "runName": name,
            "runId": None,
            "tags": tags,
        }
        try:
            info = self.client.create_run(self.client.experiment_id(self.experiment), name, tags)
            self.run_id, self.artifact_uri = info["run_id"], info["artifact_uri"]
            self.run_record["runId"] = self.run_id
        except MlflowError as e:
            if e.maybe_created_at is not None:  # replay looks for the run this creation may have made
                self.run_record["maybeCreatedAt"] = e.maybe_created_at
            self._failed(e)

    def _file(self, kind: str, path: str, data: bytes, name: str) -> None:
        reason = self.unreachable or (None if self.run_id else "the run was not created")
        if reason is None and self.run_id and self.artifact_uri:
            try:
                self.client.upload(self.artifact_uri, path, data)
                if kind == "model":
                    self.client.register(name, "%s/%s" % (self.artifact_uri, path), self.run_id)
                return
            except MlflowError as e:
                reason = self._failed(e)
        record: Dict[str, Any] = {
            "type": kind,
            "run": self.run_key,
            "path": path,
            "base64": base64.b64encode(data).decode(),
            "reason": reason,
        }
        if kind == "model":
            record["name"] = name
        self._spill(record, "models" if kind == "model" else "artifacts", 1)

    def _end(self, status: str) -> None:
        self._send_batches(final=True)
        reason = self.unreachable or (None if self.run_id else "the run was not created")
        if reason is None and self.run_id:
            try:
                self.client.end_run(self.run_id, status)
                return
            except MlflowError as e:
                reason = self._failed(e)
        end_time = int(time.time() * 1000)
        end = {"type": "end", "run": self.run_key, "status": status, "endTime": end_time, "reason": reason}
        self._spill(end, "end", 0)

    def _loop(self) -> None:
        while True:
            try:
                op = self.inbox.get(timeout=self.flush_s)
            except queue.Empty:
                self._send_batches(final=True)  # a quiet spell: deliver what is waiting
                continue
            kind = op[0]
            if kind == "stop":
                self.client.close()
                return
            if kind == "run":
                self._create_run(op[1], op[2])
            elif kind == "values":
                self.params += op[1]
                self.tags += op[2]
                self.metrics += op[3]
                self._send_batches(final=False)
            elif kind == "file":
                self._file(op[1], op[2], op[3], op[4])
            elif kind == "end":
                self._end(op[1])

    def put(self, *op: Any) -> None:
        self.inbox.put(op)  # blocks when the queue is full: memory stays bounded

    def close(self) -> None:
        self.put("stop")
        self.thread.join()


class ReferenceHook:
    def __init__(
        self,
        experiment_name: Optional[str] = None,
        spill_dir: Optional[str] = None,
        queue_bound: int = 10000,
        flush_interval_s: float = 5.0,
    ) -> None:
        self.experiment_name = experiment_name
        self.spill_dir = spill_dir or os.environ.get("TRACKBENCH_SPILL_DIR") or tempfile.gettempdir()
        self.queue_bound = queue_bound
        self.flush_interval_s = flush_interval_s
        self._sender: Optional[_Sender] = None
        self._catalog: Any = None
        self._project = "kedro"
        self._failed_node: Optional[str] = None

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        self._project = Path(str(getattr(context, "project_path", "kedro"))).name

    @hook_impl
    def after_catalog_created(self, catalog: Any) -> None:
        self._catalog = catalog

    @hook_impl
    def before_pipeline_run(self, run_params: Dict[str, Any], pipeline: Any) -> None:
        names = run_params.get("pipeline_names") or [run_params.get("pipeline_name") or "__default__"]
        name = "+".join(str(n) for n in names)
        self._failed_node = None  # the hook serves every session of its process: nothing of the last run is kept
        # A run still open here never ended: another hook's before_pipeline_run raised after this one's (Kedro then
        # calls neither end hook), or an interrupt was caught (a notebook's Ctrl-C). It did not complete.
        self._finish("FAILED")
        experiment = self.experiment_name or os.environ.get("MLFLOW_EXPERIMENT_NAME") or self._project
        self._sender = _Sender(MlflowRest(), experiment, self.spill_dir, self.queue_bound, self.flush_interval_s)
        tags = [
            {"key": "kedro.pipeline_name", "value": name},
            {"key": "kedro_command", "value": "kedro run --pipeline=%s" % name},
            {"key": "kedro.runner", "value": str(run_params.get("runner") or "SequentialRunner")},
            {"key": "kedro.version", "value": str(run_params.get("kedro_version") or "")},
            {"key": "trackbench.node_count", "value": str(len(pipeline.nodes))},
            {"key": "trackbench.hook", "value": "python-reference"},
        ]
        self._sender.put("run", name, tags)
        # Kedro calls on_pipeline_error for an Exception only: Ctrl-C (KeyboardInterrupt) or sys.exit in a node
        # passes every hook by, and the run would stay RUNNING. Still open when the process exits, it is ended
        # KILLED, MLflow's status for a run that was stopped (the sender thread, a daemon, still runs at exit).
        atexit.register(self._interrupted)

    @hook_impl
    def before_node_run(self, node: Any, inputs: Dict[str, Any]) -> None:
        if self._sender is None:
            return
        params: List[KeyValue] = []
        tags: List[KeyValue] = [{"key": sanitize_key("kedro.node." + node.name), "value": node.namespace or ""}]
        for key, value in inputs.items():
            if not key.startswith("params:"):
                continue
            k, v = sanitize_key(key[len("params:") :]), param_value(value)
            if len(v) <= PARAM_VALUE_LENGTH:
                params.append({"key": k, "value": v})
            else:  # too long for a parameter: kept whole (to MLflow's tag limit) as a tag of that name
                tags.append({"key": k, "value": v[:TAG_VALUE_LENGTH]})
        self._sender.put("values", params, tags, [])

    @hook_impl
    def after_node_run(self, node: Any, catalog: Any, outputs: Dict[str, Any]) -> None:
        if self._sender is None:
            return
        now = int(time.time() * 1000)
        for name, value in outputs.items():
            kind = dataset_kind(catalog, name)
            if kind == "metrics":
                dataset_prefix = node.name if name.startswith(node.name + ".") else ""
                self._sender.put("values", [], [], metric_items(dataset_prefix, value, now))
            elif kind == "artifact":
                local = name[len(node.name) + 1 :] if name.startswith(node.name + ".") else name
                self._sender.put("file", "artifact", "%s/%s" % (node.name, local), _as_bytes(value), name)
            elif kind == "model":
                self._sender.put("file", "model", "models/" + sanitize_key(name), _as_bytes(value), sanitize_key(name))

    @hook_impl
    def on_node_error(self, node: Any) -> None:
        self._failed_node = node.name

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._finish("FINISHED")

    @hook_impl
    def on_pipeline_error(self, error: Exception) -> None:
        if self._sender is None:
            return
        message = self._sender.client.redact("%s: %s" % (type(error).__name__, error))
        if len(message) > TAG_VALUE_LENGTH:
            # Cut here, and marked, as trackbench's TypeScript hook does: a server refuses a longer value (or, with
            # MLFLOW_TRUNCATE_LONG_VALUES, cuts it without a word, so it reads as the whole message).
            message = message[: TAG_VALUE_LENGTH - 1] + "\u2026"
        tags = [{"key": "trackbench.error", "value": message}]
        if self._failed_node:
            tags.append({"key": "trackbench.failed_node", "value": self._failed_node})
        self._sender.put("values", [], tags, [])
        self._finish("FAILED")

    def _interrupted(self) -> None:
        self._finish("KILLED")

    def _finish(self, status: str) -> None:
        sender, self._sender = self._sender, None
        if sender is None:
            return
        atexit.unregister(self._interrupted)
        sender.put("end", status)
        sender.close()
        for line in loss_messages(sender):
            print(line, file=sys.stderr)


def loss_messages(sender: _Sender) -> List[str]:
    """What did not reach MLflow, as the TypeScript hook says it (report-loss.ts): the values in the spill file with
    the command that delivers them, then those that could not even be written there, with why."""

    def counted(tally: Dict[str, int]) -> Tuple[int, str]:
        kinds = sorted((k, n) for k, n in tally.items() if n > 0)
        return sum(n for _, n in kinds), ", ".join("%d %s" % (n, k) for k, n in kinds)

    out: List[str] = []
    spilled, spilled_kinds = counted(sender.spilled)
    if spilled:
        out.append(
            "trackbench reference hook: %d value(s) were not delivered to MLflow (%s); written to %s; deliver them "
            "later with: trackbench replay %s" % (spilled, spilled_kinds, sender.spill_file, sender.spill_file)
        )
    unspilled, unspilled_kinds = counted(sender.unspilled)
    if unspilled:
        out.append(
            "trackbench reference hook: %d value(s) were not delivered to MLflow (%s), and could not be written to a "
            "spill file (%s): lost" % (unspilled, unspilled_kinds, sender.spill_failure)
        )
    return out


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
