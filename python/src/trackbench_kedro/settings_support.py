"""Helpers the generated settings.py imports."""
from __future__ import annotations

import importlib
import inspect
from typing import Any, List, Tuple


def hook_objects(specs: List[str]) -> Tuple[Any, ...]:
    """``module:attribute`` for each hook; a class is instantiated with no arguments."""
    out = []
    for spec in specs:
        module, _, attr = spec.partition(":")
        obj = getattr(importlib.import_module(module), attr or "hooks")
        out.append(obj() if inspect.isclass(obj) else obj)
    return tuple(out)
