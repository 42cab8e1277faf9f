"""Helpers the generated settings.py imports."""
from __future__ import annotations

import importlib
import inspect
import os
from typing import Any, List, Tuple

from kedro.framework.hooks import hook_impl

from .probes import hold_point


def hook_objects(specs: List[str]) -> Tuple[Any, ...]:
    """``module:attribute`` for each hook; a class is instantiated with no arguments."""
    out = []
    for spec in specs:
        module, _, attr = spec.partition(":")
        obj = getattr(importlib.import_module(module), attr or "hooks")
        out.append(obj() if inspect.isclass(obj) else obj)
    return tuple(out)


class HeldMemoryPoint:
    """Takes the trial's retained-memory figure as the pipeline ends, before the hooks measured can let go of
    what they hold (tryfirst: ahead of every hook that is not tryfirst itself)."""

    @hook_impl(tryfirst=True)
    def after_pipeline_run(self) -> None:
        hold_point()

    @hook_impl(tryfirst=True)
    def on_pipeline_error(self) -> None:
        hold_point()


def held_memory_hooks() -> Tuple[Any, ...]:
    """The retained-memory point when the run is measured ($TRACKBENCH_PROBES_FILE), else none."""
    return (HeldMemoryPoint(),) if os.environ.get("TRACKBENCH_PROBES_FILE") else ()
