"""A fake MLflow for the hook's tests: records every request, answers as MLflow does."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest

from trackbench_kedro.description import Description, NodeSpec


class FakeMlflow:
    def __init__(self) -> None:
        self.requests: List[Tuple[str, str, Any]] = []
        self.registered: Set[str] = set()
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
                    info = {"run_id": "r1", "artifact_uri": "mlflow-artifacts:/1/r1/artifacts"}
                    return self._reply(200, {"run": {"info": info}})
                if endpoint == "model-versions/create" and body["name"] not in fake.registered:
                    return self._reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
                if endpoint == "registered-models/create":
                    fake.registered.add(body["name"])
                return self._reply(200, {})

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoints(self) -> Dict[str, int]:
        out: Dict[str, int] = {}
        for _, path, _ in self.requests:
            key = "artifacts" if "mlflow-artifacts" in path else path.replace("/api/2.0/mlflow/", "")
            out[key] = out.get(key, 0) + 1
        return out

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
