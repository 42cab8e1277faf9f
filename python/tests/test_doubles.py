"""NaN and the infinities through the JSON trackbench hands Python and the JSON Python sends MLflow."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from trackbench_kedro import description, doubles
from trackbench_kedro.mlflow_rest import MlflowRest


def test_the_description_decodes_spelt_metric_values_to_floats(tmp_path: Path) -> None:
    # As trackbench writes it: numbers, and "NaN" / "Infinity" / "-Infinity" where JSON has no literal.
    node = {"index": 0, "name": "n", "namespace": None, "fails": False, "work": {}, "params": {"n.p": "NaN"},
            "metrics": {"n.loss": [0.5, "NaN", "Infinity", "-Infinity", 0]}, "artifacts": [], "models": []}
    doc = {"format": description.FORMAT, "experimentName": "e", "pipeline": {"name": "p", "edges": [], "nodes": [node]}}
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(doc))
    values = description.load(str(path))["pipeline"]["nodes"][0]["metrics"]["n.loss"]
    assert values[0] == 0.5 and values[4] == 0.0 and all(isinstance(v, float) for v in values)
    assert math.isnan(values[1])
    assert values[2] == math.inf and values[3] == -math.inf
    # a parameter whose text is "NaN" stays text
    assert description.load(str(path))["pipeline"]["nodes"][0]["params"]["n.p"] == "NaN"


def test_an_unknown_spelling_is_refused() -> None:
    with pytest.raises(ValueError, match="not a double"):
        doubles.read_double("nan")


def test_json_for_mlflow_spells_non_finite_values_and_has_no_bare_tokens() -> None:
    body = {"metrics": [{"key": "a", "value": math.nan}, {"key": "b", "value": -math.inf}, {"key": "c", "value": 1.5}]}
    text = doubles.dumps(body)
    assert "NaN," not in text and "Infinity}" not in text
    values = [m["value"] for m in json.loads(text)["metrics"]]
    assert values == ["NaN", "-Infinity", 1.5]
    assert math.isnan(doubles.read_double(values[0])) and doubles.read_double(values[1]) == -math.inf


def test_the_rest_client_sends_spelt_values(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[bytes] = []
    rest = MlflowRest("http://127.0.0.1:9")

    def request(method: str, path: str, body: bytes = b"", content_type: str = "", **retry: Any) -> dict[str, str]:
        sent.append(body)
        return {}

    monkeypatch.setattr(rest, "request", request)
    rest.log_batch("r", [], [], [{"key": "loss", "value": math.inf, "timestamp": 1, "step": 0}])
    assert json.loads(sent[0])["metrics"][0]["value"] == "Infinity"
