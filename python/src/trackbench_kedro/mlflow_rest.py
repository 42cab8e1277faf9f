"""A small MLflow REST client on the standard library: keep-alive connection, bounded retries with
backoff on connection errors, 408/429 and 5xx, configured by the environment variables MLflow
documents (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR,
MLFLOW_HTTP_REQUEST_TIMEOUT), with shorter defaults so a benchmark never stalls; runs/create is retried
without making a twin run (``create_run``: the rule of trackbench's src/mlflow/created-run.ts). Credentials
come from MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (Basic) and are redacted
from every message."""
from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import time
from typing import Any, Callable, Dict, List, Optional, Set
from urllib.parse import quote, urlencode, urlsplit

from . import doubles

RETRY_STATUS = {408, 429, 500, 502, 503, 504}
# Server errors that say the request was not carried out (unavailable, throttled, timed out waiting for it).
NOT_DONE_STATUS = {408, 429, 503}
PARENT_TAG = "mlflow.parentRunId"
# The look for a lost creation's run matches one start time to the millisecond: a page of 1000 such runs is already
# absurd; a server handing out fresh tokens past this many pages is paging for ever.
MAX_LOOK_PAGES = 100


class MlflowError(Exception):
    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        # A runs/create that failed but may have made the run (an answer lost, the run not found): its stamped start
        # time, which the spilled run record carries so that `trackbench replay` looks for that run, not a twin.
        self.maybe_created_at: Optional[int] = None


class Unreachable(MlflowError):
    """The server could not be reached (or kept failing) after the bounded retries; ``last`` is the last attempt's
    failure."""

    def __init__(self, message: str, last: Optional[Exception] = None) -> None:
        super().__init__(message)
        self.last = last


def may_have_been_done(failure: Exception) -> bool:
    """Whether a request that failed may have been carried out all the same, its answer lost: a timeout, a reset or
    dropped connection, an HTTP 5xx other than 503. Not a connection refused or a name that did not resolve (it never
    reached the server), nor 503, 429 or 408 (the server says it did not do it)."""
    if isinstance(failure, MlflowError):
        return failure.status is not None and failure.status >= 500 and failure.status not in NOT_DONE_STATUS
    if isinstance(failure, (ConnectionRefusedError, socket.gaierror)):
        return False
    return isinstance(failure, (OSError, http.client.HTTPException))


def _parent(tags: Any) -> Optional[str]:
    found = [t.get("value") for t in tags or [] if isinstance(t, dict) and t.get("key") == PARENT_TAG]
    return str(found[0]) if found else None


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
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        content_type: str = "application/json",
        before_retry: Optional[Callable[[Exception], Any]] = None,
    ) -> Any:
        """The answer's JSON. Retried (bounded, with backoff) after a connection error, 408, 429 and 5xx;
        ``before_retry``, given the failure before each retry, may answer instead (not None): no retry is sent."""
        headers = {"Content-Type": content_type}
        if self._auth:
            headers["Authorization"] = self._auth
        failure: Optional[Exception] = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
                answer = before_retry(failure) if before_retry is not None and failure is not None else None
                if answer is not None:
                    return answer
            try:
                conn = self._connection()
                self.requests += 1
                conn.request(method, self._base + path, body=body, headers=headers)
                res = conn.getresponse()
                text = res.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                self.close()
                failure = e
                continue
            if res.status in RETRY_STATUS:
                failure = MlflowError("HTTP %d" % res.status, res.status)
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
        last = "" if failure is None else str(failure) if isinstance(failure, MlflowError) else (
            "%s: %s" % (type(failure).__name__, failure)
        )
        what = "MLflow at %s unreachable after %d attempt(s): %s" % (self.uri, attempts, last)
        raise Unreachable(self.redact(what), failure)

    def api(
        self,
        method: str,
        endpoint: str,
        body: Optional[Dict[str, Any]] = None,
        before_retry: Optional[Callable[[Exception], Any]] = None,
    ) -> Any:
        if method == "GET":
            return self.request("GET", "/api/2.0/mlflow/%s?%s" % (endpoint, urlencode(body or {})))
        data = doubles.dumps(body or {}).encode()
        return self.request(method, "/api/2.0/mlflow/" + endpoint, data, before_retry=before_retry)

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
        """runs/create, which MLflow does not make idempotent: an attempt whose answer was lost (a timeout, a reset
        connection, a 502) may have made the run, and sending it again makes a twin. So the start time is stamped
        once, every attempt carrying it, and each retry after such a failure first looks for the run an attempt
        made (``created_before``) and takes it. A healthy create is the one request it always was. When the last
        attempt fails too after one that may have gone through (the last one's answer lost, say), it looks once more;
        the run still unknown, the error it raises carries the start time (``maybe_created_at``)."""
        start = int(time.time() * 1000)
        body = {"experiment_id": experiment_id, "run_name": name, "start_time": start, "tags": tags}
        uncertain = False

        def made_before(failure: Exception) -> Optional[Dict[str, Any]]:
            nonlocal uncertain
            uncertain = uncertain or may_have_been_done(failure)
            if not uncertain:
                return None
            run = self._look_for_created(body)
            return {"run": run} if run is not None else None

        try:
            answer = self.api("POST", "runs/create", body, before_retry=made_before)
        except MlflowError as e:
            last = e.last if isinstance(e, Unreachable) else e
            if not (uncertain or (last is not None and may_have_been_done(last))):
                raise
            run = self._look_for_created(body)  # no retry follows the last attempt: its lost answer is looked for here
            if run is None:
                e.maybe_created_at = start
                raise
            answer = {"run": run}
        info: Dict[str, Any] = answer["run"]["info"]
        return info

    def _look_for_created(self, body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """``created_before``, with a look that fails counted as not found (no answer: a retry goes ahead)."""
        try:
            return self.created_before(body)
        except Exception:
            return None

    def created_before(self, req: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The run an earlier attempt of the runs/create request ``req`` made, if any: same experiment, name, start
        time (to the millisecond) and parent run (``mlflow.parentRunId``), among the experiment's active runs."""
        start, parent = int(req["start_time"]), _parent(req.get("tags"))
        clauses = ["attributes.start_time = %d" % start]
        if parent is not None:
            clauses.append("tags.`%s` = '%s'" % (PARENT_TAG, parent.replace("'", "\\'")))
        search: Dict[str, Any] = {
            "experiment_ids": [req["experiment_id"]],
            "filter": " AND ".join(clauses),
            "run_view_type": "ACTIVE_ONLY",
            "max_results": 1000,
        }
        seen: Set[str] = set()
        while True:
            page = self.api("POST", "runs/search", search)
            for run in page.get("runs") or []:
                info = run.get("info") or {}
                same = info.get("run_name") == req["run_name"] and int(info.get("start_time", -1)) == start
                if same and _parent((run.get("data") or {}).get("tags")) == parent:
                    return dict(run)
            token = page.get("next_page_token")
            if not token:
                return None
            # A token handed back twice would page forever on the sender thread, which close() joins unbounded.
            if token in seen:
                raise MlflowError("runs/search handed back the page token %r again: its pages never end" % token)
            if len(seen) + 1 >= MAX_LOOK_PAGES:
                raise MlflowError("runs/search gave %d pages for one start time: its pages never end" % MAX_LOOK_PAGES)
            seen.add(token)
            search["page_token"] = token

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
