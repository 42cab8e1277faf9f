"""Runs a generated project with KedroSession, the way ``kedro run --pipeline <name>`` does, on
Kedro 0.19.x (``pipeline_name=``) and 1.x (``pipeline_names=``)."""
from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from .plugins import _entry_points


def preload(hooks: Optional[List[str]] = None) -> None:
    """Imports Kedro, every installed hook plugin and the extra hooks' modules, so imports happen
    before the clock starts, with tracking on or off alike (Kedro imports an installed plugin even
    when its hooks are disabled)."""
    import kedro.framework.session  # noqa: F401
    import kedro.runner  # noqa: F401

    for ep in _entry_points("kedro.hooks"):
        try:
            ep.load()
        except Exception:  # a broken plugin fails later, where Kedro loads it, with Kedro's message
            pass
    for spec in hooks or []:
        __import__(spec.partition(":")[0])


def run_kwargs(run: Any, pipeline_name: str) -> Dict[str, Any]:
    params = inspect.signature(run).parameters
    return {"pipeline_names": [pipeline_name]} if "pipeline_names" in params else {"pipeline_name": pipeline_name}


def run_project(root: Path, pipeline_name: str, env: str = "local") -> None:
    """Runs the project's named pipeline; raises what the pipeline raised."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    src = str(root / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    bootstrap_project(root)
    with KedroSession.create(project_path=root, env=env) as session:
        session.run(**run_kwargs(session.run, pipeline_name))
