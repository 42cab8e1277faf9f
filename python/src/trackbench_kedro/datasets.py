"""The generated project's own datasets, so it needs nothing beyond Kedro (no kedro-datasets):
file datasets for node outputs, artifacts and models, and an in-memory metrics dataset whose values
have kedro-mlflow's metrics-history shape. ``trackbench_kind`` tells a tracking hook what each holds."""
from __future__ import annotations

import os
import pickle
from pathlib import PurePosixPath
from typing import Any, Dict, List, Optional

from kedro.io import AbstractDataset

MetricsHistory = Dict[str, List[Dict[str, float]]]


class PickleFileDataset(AbstractDataset[Any, Any]):
    """A node's main output, pickled to a file and read back by its consumers (real disk I/O)."""

    trackbench_kind = "data"

    def __init__(self, filepath: str, metadata: Optional[Dict[str, Any]] = None) -> None:
        # "_filepath", as kedro-datasets names it: kedro-mlflow's MlflowArtifactDataset reads it.
        self._filepath = PurePosixPath(filepath)
        self.metadata = metadata

    @property
    def filepath(self) -> str:
        return str(self._filepath)

    def load(self) -> Any:
        with open(str(self._filepath), "rb") as f:
            return pickle.load(f)

    def save(self, data: Any) -> None:
        os.makedirs(os.path.dirname(str(self._filepath)), exist_ok=True)
        with open(str(self._filepath), "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)

    def _exists(self) -> bool:
        return os.path.exists(str(self._filepath))

    def _describe(self) -> Dict[str, Any]:
        return {"filepath": self.filepath, "kind": self.trackbench_kind}

    # Kedro 0.19 calls the underscored methods when a dataset defines them.
    _load = load
    _save = save


class BytesFileDataset(PickleFileDataset):
    """An artifact: raw bytes in a file."""

    trackbench_kind = "artifact"

    def load(self) -> bytes:
        with open(str(self._filepath), "rb") as f:
            return f.read()

    def save(self, data: bytes) -> None:
        os.makedirs(os.path.dirname(str(self._filepath)), exist_ok=True)
        with open(str(self._filepath), "wb") as f:
            f.write(data)

    _load = load
    _save = save


class ModelFileDataset(PickleFileDataset):
    """A model, pickled."""

    trackbench_kind = "model"


class MetricsDataset(AbstractDataset[MetricsHistory, MetricsHistory]):
    """Metric values by key and step, kept in memory; keys are ``<prefix>.<key>``, as kedro-mlflow's
    MlflowMetricsHistoryDataset names them."""

    trackbench_kind = "metrics"

    def __init__(self, prefix: Optional[str] = None, metadata: Optional[Dict[str, Any]] = None) -> None:
        self.prefix = prefix
        self.metadata = metadata
        self._data: Optional[MetricsHistory] = None

    def load(self) -> MetricsHistory:
        return self._data or {}

    def save(self, data: MetricsHistory) -> None:
        self._data = data

    def _exists(self) -> bool:
        return self._data is not None

    def _describe(self) -> Dict[str, Any]:
        return {"prefix": self.prefix, "kind": self.trackbench_kind}

    _load = load
    _save = save
