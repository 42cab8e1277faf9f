"""A small MLflow REST client on the standard library: keep-alive connection, bounded retries with
backoff on connection errors, 408/429 and 5xx, configured by the environment variables MLflow
documents (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR,
MLFLOW_HTTP_REQUEST_TIMEOUT), with shorter defaults so a benchmark never stalls. Credentials come
from MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (Basic) and are redacted
from every message."""
from __future__ import annotations

import base64
import http.client
import json
import os
import time
from typing import Any, Dict, List, Optional
from urllib.parse import quote, urlencode, urlsplit

from . import doubles

RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class MlflowError(Exception):
    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class Unreachable(MlflowError):
    """The server could not be reached (or kept failing) after the bounded retries."""


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class MlflowRest:
    def __init__(self, uri: Optional[str] = None) -> None:
        self.uri = (uri or os.environ.get("MLFLOW_TRACKING_URI") or "").rstrip("/")
        parts = urlsplit(self.uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise MlflowError("MLFLOW_TRACKING_URI must be an http(s) URI, got %r" % self.uri)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path.rstrip("/")
        self.max_retries = int(_env_number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 2))
        self.backoff = _env_number("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 0.1)
        self.timeout = _env_number("MLFLOW_HTTP_REQUEST_TIMEOUT", 10)
        secrets = (os.environ.get("MLFLOW_TRACKING_TOKEN"), os.environ.get("MLFLOW_TRACKING_PASSWORD"))
        self._secrets = [s for s in secrets if s]
        self._auth = self._auth_header()
        self._conn: Optional[http.client.HTTPConnection] = None
        self.requests = 0

    def _auth_header(self) -> Optional[str]:
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        if token:
            return "Bearer " + token
        user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
        if user and password:
            return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        return None

    def redact(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body: Optional[bytes] = None, content_type: str = "application/json"
    ) -> Any:
        headers = {"Content-Type": content_type}
        if self._auth:
            headers["Authorization"] = self._auth
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                conn = self._connection()
                self.requests += 1
                conn.request(method, self._base + path, body=body, headers=headers)
                res = conn.getresponse()
                text = res.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                self.close()
                last = "%s: %s" % (type(e).__name__, e)
                continue
            if res.status in RETRY_STATUS:
                last = "HTTP %d" % res.status
                continue
            data: Any = {}
            if text.strip().startswith("{"):
                data = json.loads(text)
            if res.status >= 400:
                code = data.get("error_code") if isinstance(data, dict) else None
                message = data.get("message", text[:200]) if isinstance(data, dict) else text[:200]
                what = "%s %s: HTTP %d %s" % (method, path, res.status, message)
                raise MlflowError(self.redact(what), res.status, code)
            return data
        attempts = self.max_retries + 1
        raise Unreachable(self.redact("MLflow at %s unreachable after %d attempt(s): %s" % (self.uri, attempts, last)))

    def api(self, method: str, endpoint: str, body: Optional[Dict[str, Any]] = None) -> Any:
        if method == "GET":
            return self.request("GET", "/api/2.0/mlflow/%s?%s" % (endpoint, urlencode(body or {})))
        return self.request(method, "/api/2.0/mlflow/" + endpoint, doubles.dumps(body or {}).encode())

    # ---- the calls the reference hook makes
    def _experiment_id_by_name(self, name: str) -> str:
        found = self.api("GET", "experiments/get-by-name", {"experiment_name": name})
        return str(found["experiment"]["experiment_id"])

    def experiment_id(self, name: str) -> str:
        try:
            return self._experiment_id_by_name(name)
        except MlflowError as e:
            if e.code != "RESOURCE_DOES_NOT_EXIST":
                raise
        try:
            return str(self.api("POST", "experiments/create", {"name": name})["experiment_id"])
        except MlflowError as e:  # created meanwhile by another process
            if e.code != "RESOURCE_ALREADY_EXISTS":
                raise
            return self._experiment_id_by_name(name)

    def create_run(self, experiment_id: str, name: str, tags: List[Dict[str, str]]) -> Dict[str, Any]:
        body = {"experiment_id": experiment_id, "run_name": name, "start_time": int(time.time() * 1000), "tags": tags}
        info: Dict[str, Any] = self.api("POST", "runs/create", body)["run"]["info"]
        return info

    def log_batch(self, run_id: str, params: List[Any], tags: List[Any], metrics: List[Any]) -> None:
        self.api("POST", "runs/log-batch", {"run_id": run_id, "params": params, "tags": tags, "metrics": metrics})

    def end_run(self, run_id: str, status: str) -> None:
        self.api("POST", "runs/update", {"run_id": run_id, "status": status, "end_time": int(time.time() * 1000)})

    def upload(self, artifact_uri: str, path: str, data: bytes) -> None:
        root = artifact_uri.split("mlflow-artifacts:", 1)[-1].lstrip("/")
        url = "/api/2.0/mlflow-artifacts/artifacts/%s/%s" % (quote(root), quote(path))
        self.request("PUT", url, data, "application/octet-stream")

    def register(self, name: str, source: str, run_id: str) -> None:
        try:
            self.api("POST", "model-versions/create", {"name": name, "source": source, "run_id": run_id})
            return
        except MlflowError as e:
            if e.code != "RESOURCE_DOES_NOT_EXIST":
                raise
        try:
            self.api("POST", "registered-models/create", {"name": name})
        except MlflowError as e:
            if e.code != "RESOURCE_ALREADY_EXISTS":
                raise
        self.api("POST", "model-versions/create", {"name": name, "source": source, "run_id": run_id})
