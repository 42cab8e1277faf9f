"""The REST client's runs/create against a fake MLflow: retried after a failure that may have gone through, it
takes the run an earlier attempt made instead of making a twin; after one that did not, it just sends again."""
import socket
import time
from types import SimpleNamespace
from typing import Any, List

import pytest

from conftest import FakeMlflow
from trackbench_kedro import mlflow_rest
from trackbench_kedro.mlflow_rest import MlflowError, MlflowRest, may_have_been_done

PARENT = "mlflow.parentRunId"


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "0.5")


def test_what_may_have_been_done() -> None:
    assert may_have_been_done(TimeoutError("timed out")) and may_have_been_done(ConnectionResetError())
    assert may_have_been_done(MlflowError("HTTP 502", 502)) and may_have_been_done(MlflowError("HTTP 500", 500))
    assert not may_have_been_done(ConnectionRefusedError()) and not may_have_been_done(socket.gaierror(-3, "again"))
    for status in (503, 429, 408):
        assert not may_have_been_done(MlflowError("HTTP %d" % status, status))


def test_a_refused_create_is_sent_again_without_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nothing listens on, until the backoff before the retry starts the server
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    servers: List[FakeMlflow] = []

    def sleep(_seconds: float) -> None:
        if not servers:
            servers.append(FakeMlflow(port))

    monkeypatch.setattr(mlflow_rest, "time", SimpleNamespace(sleep=sleep, time=time.time))
    try:
        info = MlflowRest("http://127.0.0.1:%d" % port).create_run("1", "p", [])
        fake = servers[0]
        assert info["run_id"] == "r1" and len(fake.runs) == 1
        assert fake.endpoints() == {"runs/create": 1}  # the refused one never arrived; no search
    finally:
        for server in servers:
            server.stop()


def test_a_create_the_server_said_it_did_not_do_is_sent_again_without_a_search(fake_mlflow: FakeMlflow) -> None:
    fake_mlflow.create_failures = [503]
    info = MlflowRest().create_run("1", "p", [])
    assert info["run_id"] == "r1" and len(fake_mlflow.runs) == 1
    assert fake_mlflow.endpoints() == {"runs/create": 2}


def test_only_the_run_of_the_same_parent_start_and_name_is_taken(
    fake_mlflow: FakeMlflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mlflow_rest, "time", SimpleNamespace(sleep=time.sleep, time=lambda: 1000.0))
    other = {"experiment_id": "1", "run_name": "p", "start_time": 1_000_000, "tags": [{"key": PARENT, "value": "o'x"}]}
    fake_mlflow.make_run(other)  # r1: same name and start time, another parent
    fake_mlflow.create_failures = ["drop"]
    tags = [{"key": PARENT, "value": "mine"}]
    info = MlflowRest().create_run("1", "p", tags)
    assert info["run_id"] == "r2" and len(fake_mlflow.runs) == 2
    searched: Any = next(b for _, p, b in fake_mlflow.requests if p.endswith("runs/search"))
    assert searched["filter"] == "attributes.start_time = 1000000 AND tags.`%s` = 'mine'" % PARENT
    assert searched["experiment_ids"] == ["1"] and searched["run_view_type"] == "ACTIVE_ONLY"


def test_a_failed_search_lets_the_retry_go_ahead(fake_mlflow: FakeMlflow, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_mlflow.create_failures = [502]

    def broken(_req: Any) -> None:
        raise MlflowError("runs/search: HTTP 500", 500)

    client = MlflowRest()
    monkeypatch.setattr(client, "created_before", broken)
    info = client.create_run("1", "p", [])
    # No answer from the look: a second create, as the only way on (a twin the server's answer could not prevent).
    assert info["run_id"] == "r2" and fake_mlflow.endpoints() == {"runs/create": 2}


def test_a_search_whose_pages_never_end_fails_the_look_and_the_retry_goes_ahead(fake_mlflow: FakeMlflow) -> None:
    fake_mlflow.create_failures = [502]
    fake_mlflow.page_token = "again"  # every page hands back the same token: without a guard, the look never ends
    info = MlflowRest().create_run("1", "p", [])
    assert info["run_id"] == "r2"
    # The first page, then the page its token names, handing that token back: the look fails there.
    assert fake_mlflow.endpoints() == {"runs/create": 2, "runs/search": 2}


def test_a_search_paging_on_with_fresh_tokens_fails_the_look_and_the_retry_goes_ahead(fake_mlflow: FakeMlflow) -> None:
    fake_mlflow.create_failures = [502]
    fake_mlflow.page_token = "fresh"  # a new token each page: only a bound on pages ends the look
    info = MlflowRest().create_run("1", "p", [])
    assert info["run_id"] == "r2"
    assert fake_mlflow.endpoints() == {"runs/create": 2, "runs/search": mlflow_rest.MAX_LOOK_PAGES}


def test_a_run_made_by_the_last_attempt_is_found_after_it(fake_mlflow: FakeMlflow) -> None:
    # The last attempt makes the run, its answer lost: no retry follows it to look first.
    fake_mlflow.create_failures = [503, 503, "drop"]
    info = MlflowRest().create_run("1", "p", [])
    assert info["run_id"] == "r1" and len(fake_mlflow.runs) == 1
    assert fake_mlflow.endpoints() == {"runs/create": 3, "runs/search": 1}  # looked once, after the last attempt


def test_a_run_the_last_attempt_may_have_made_and_no_look_found_carries_its_start_time(
    fake_mlflow: FakeMlflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mlflow_rest, "time", SimpleNamespace(sleep=time.sleep, time=lambda: 1000.0))
    fake_mlflow.create_failures = [503, 503, "drop"]
    fake_mlflow.page_token = "again"  # the look fails: whether the run was made stays unknown
    with pytest.raises(mlflow_rest.Unreachable) as raised:
        MlflowRest().create_run("1", "p", [])
    assert raised.value.maybe_created_at == 1_000_000 == fake_mlflow.runs[0]["info"]["start_time"]


def test_a_create_no_attempt_of_which_may_have_gone_through_carries_no_start_time(fake_mlflow: FakeMlflow) -> None:
    fake_mlflow.create_failures = [503, 503, 503]
    with pytest.raises(mlflow_rest.Unreachable) as raised:
        MlflowRest().create_run("1", "p", [])
    assert raised.value.maybe_created_at is None and fake_mlflow.runs == []
    assert "runs/search" not in fake_mlflow.endpoints()
