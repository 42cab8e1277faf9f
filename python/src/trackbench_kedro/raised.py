"""Where an exception was raised, so that a failed run's last line names the hook that broke it."""
from __future__ import annotations

import traceback

HOOK_NAMES = frozenset(
    {
        "after_context_created",
        "after_catalog_created",
        "before_pipeline_run",
        "before_node_run",
        "after_node_run",
        "on_node_error",
        "after_pipeline_run",
        "on_pipeline_error",
        "before_dataset_loaded",
        "after_dataset_loaded",
        "before_dataset_saved",
        "after_dataset_saved",
    }
)


def raised_at(error: BaseException) -> str:
    """`` in Hook.after_node_run() at file:line``: the innermost Kedro hook call the exception came through (the
    hook, not the library it called), else the frame that raised it; empty when it carries no traceback."""
    frames = list(traceback.walk_tb(error.__traceback__))
    hooks = [f for f in frames if f[0].f_code.co_name in HOOK_NAMES]
    if not frames:
        return ""
    frame, line = (hooks or frames)[-1]
    owner = frame.f_locals.get("self")
    name = (type(owner).__name__ + "." if owner is not None else "") + frame.f_code.co_name
    return " in %s() at %s:%d" % (name, frame.f_code.co_filename, line)
