"""The pipeline description trackbench hands an external process (format ``trackbench-pipeline/1``,
documented in trackbench's README): nodes in index order, their parameters, metric values by step,
artifacts and models (``bytes`` copies of the byte ``fill``), and the work each node does."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

from .doubles import read_double

try:  # Python 3.8+ has TypedDict in typing
    from typing import TypedDict
except ImportError:  # pragma: no cover
    from typing_extensions import TypedDict

FORMAT = "trackbench-pipeline/1"


class Work(TypedDict, total=False):
    cpuMs: float
    allocBytes: int
    sleepMs: float
    outputBytes: int


class FileSpec(TypedDict):
    name: str
    bytes: int
    fill: int


class NodeSpec(TypedDict):
    index: int
    name: str
    namespace: Optional[str]
    fails: bool
    work: Work
    params: Dict[str, Any]
    metrics: Dict[str, List[float]]
    artifacts: List[FileSpec]
    models: List[FileSpec]


class PipelineSpec(TypedDict):
    name: str
    edges: List[List[int]]
    nodes: List[NodeSpec]


class Description(TypedDict):
    format: str
    experimentName: str
    pipeline: PipelineSpec


def load(path: Optional[str] = None) -> Description:
    """Reads the description from ``path`` (default: $TRACKBENCH_PIPELINE_FILE) and checks its format."""
    file = path or os.environ.get("TRACKBENCH_PIPELINE_FILE")
    if not file:
        raise ValueError("no pipeline description: set TRACKBENCH_PIPELINE_FILE or pass a path")
    with open(file) as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("%s: not a %s description" % (file, FORMAT))
    for node in data.get("pipeline", {}).get("nodes", []):
        # metric values come as numbers or, for NaN and the infinities, as "NaN", "Infinity", "-Infinity"
        node["metrics"] = {k: [read_double(v) for v in values] for k, values in node.get("metrics", {}).items()}
    return data  # type: ignore[return-value]  # checked above: the TS side writes this shape


def local_name(node: NodeSpec) -> str:
    """The node's name inside its modular pipeline (its full name without the namespace)."""
    ns = node.get("namespace")
    return node["name"][len(ns) + 1 :] if ns and node["name"].startswith(ns + ".") else node["name"]


def file_bytes(spec: FileSpec) -> bytes:
    return bytes([spec["fill"] & 0xFF]) * spec["bytes"]
