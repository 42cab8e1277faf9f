"""A fake MLflow for the hook's tests: records every request, answers as MLflow does."""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple, Union

import pytest

from trackbench_kedro import probes
from trackbench_kedro.description import Description, NodeSpec


class FakeMlflow:
    """``create_failures``: how each runs/create request in turn fails, until they run out: "drop" (the run is made,
    the connection closed unanswered), "slow" (made, answered after ``slow_s``, past the client's timeout), a 5xx
    status (made, answered with it; 503: not made). ``page_token``: runs/search answers every page with it and no
    runs (a server whose pages never end); "fresh": a new token each page."""

    def __init__(self, port: int = 0) -> None:
        self.requests: List[Tuple[str, str, Any]] = []
        self.registered: Set[str] = set()
        self.runs: List[Dict[str, Any]] = []
        self.create_failures: List[Union[str, int]] = []
        self.slow_s = 1.0
        self.page_token: Optional[str] = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                body: Any = raw
                if self.headers.get("Content-Type") == "application/json" and raw:
                    body = json.loads(raw)
                fake.requests.append((self.command, path, body))
                endpoint = path.replace("/api/2.0/mlflow/", "")
                if endpoint == "experiments/get-by-name":
                    return self._reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
                if endpoint == "experiments/create":
                    return self._reply(200, {"experiment_id": "1"})
                if endpoint == "runs/create":
                    return self._create(body)
                if endpoint == "runs/search" and fake.page_token is not None:
                    token = fake.page_token
                    if token == "fresh":
                        token = "t%d" % len(fake.requests)
                    return self._reply(200, {"runs": [], "next_page_token": token})
                if endpoint == "runs/search":
                    return self._reply(200, {"runs": fake.search(body)})
                if endpoint == "model-versions/create" and body["name"] not in fake.registered:
                    return self._reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
                if endpoint == "registered-models/create":
                    fake.registered.add(body["name"])
                return self._reply(200, {})

            def _create(self, body: Any) -> None:
                failure = fake.create_failures.pop(0) if fake.create_failures else None
                run = fake.make_run(body) if failure != 503 else None
                if failure == "drop":
                    self.close_connection = True
                elif failure == "slow":
                    time.sleep(fake.slow_s)
                    try:
                        self._reply(200, {"run": run})
                    except OSError:  # the client gave up waiting and closed
                        pass
                elif isinstance(failure, int):
                    self._reply(failure, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "unavailable"})
                else:
                    self._reply(200, {"run": run})

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.uri = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def make_run(self, body: Any) -> Dict[str, Any]:
        run_id = "r%d" % (len(self.runs) + 1)
        info = {
            "run_id": run_id,
            "experiment_id": body.get("experiment_id"),
            "run_name": body.get("run_name"),
            "start_time": body.get("start_time"),
            "artifact_uri": "mlflow-artifacts:/1/%s/artifacts" % run_id,
            "status": "RUNNING",
            "lifecycle_stage": "active",
        }
        run = {"info": info, "data": {"tags": body.get("tags") or []}}
        self.runs.append(run)
        return run

    def search(self, body: Any) -> List[Dict[str, Any]]:
        """runs/search with the filter a lookup for an earlier create sends (start time, parent run tag)."""
        text = str(body.get("filter") or "")
        start = re.search(r"attributes\.start_time = (\d+)", text)
        parent = re.search(r"tags\.`mlflow\.parentRunId` = '([^']*)'", text)

        def parent_of(run: Dict[str, Any]) -> Optional[str]:
            return next((t["value"] for t in run["data"]["tags"] if t["key"] == "mlflow.parentRunId"), None)

        return [
            r for r in self.runs
            if r["info"]["experiment_id"] in body.get("experiment_ids", [])
            and (start is None or r["info"]["start_time"] == int(start.group(1)))
            and (parent is None or parent_of(r) == parent.group(1))
        ]

    def endpoints(self) -> Dict[str, int]:
        out: Dict[str, int] = {}
        for _, path, _ in self.requests:
            key = "artifacts" if "mlflow-artifacts" in path else path.replace("/api/2.0/mlflow/", "")
            out[key] = out.get(key, 0) + 1
        return out

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def no_set_up_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """A set-up mark another test left unused (its run failed setting up) is not this test's set-up."""
    monkeypatch.setattr(probes, "_setup_from", None)


@pytest.fixture
def fake_mlflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMlflow]:
    fake = FakeMlflow()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", fake.uri)
    yield fake
    fake.stop()


def description(
    nodes: int = 50, params: int = 10, metrics: int = 5, artifacts: int = 0, models: int = 0
) -> Description:
    """The seed article's shape by default: 50 nodes x 10 params x 5 metric values, 5 namespaces."""
    out: List[NodeSpec] = []
    for i in range(nodes):
        ns = "stage_%d" % (i % 5)
        name = "%s.node_%02d" % (ns, i)
        out.append(
            {
                "index": i,
                "name": name,
                "namespace": ns,
                "fails": False,
                "work": {"cpuMs": 0, "allocBytes": 0, "sleepMs": 0, "outputBytes": 0},
                "params": {"%s.p%d" % (name, k): ({"a": k} if k == 0 else k * 1.5) for k in range(params)},
                "metrics": {"%s.m%d" % (name, k): [k / 10] for k in range(metrics)},
                "artifacts": [{"name": "%s.artifact_%d" % (name, a), "bytes": 64, "fill": 1} for a in range(artifacts)],
                "models": [{"name": "%s.model_%d" % (name, m), "bytes": 128, "fill": 2} for m in range(models)],
            }
        )
    edges = [[i - 1, i] for i in range(1, nodes)]
    return {
        "format": "trackbench-pipeline/1",
        "experimentName": "tests",
        "pipeline": {"name": "p", "edges": edges, "nodes": out},
    }
