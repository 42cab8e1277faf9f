from typing import Any, Dict

from trackbench_kedro.raised import raised_at


def _mlflow_call() -> None:
    raise ConnectionError("refused")


class TrackingHook:
    def after_node_run(self, node: Any, outputs: Dict[str, Any]) -> None:
        _mlflow_call()


def test_names_the_hook_the_error_came_through_not_the_library_it_called() -> None:
    try:
        TrackingHook().after_node_run(None, {})
    except ConnectionError as e:
        where = raised_at(e)
    assert where.startswith(" in TrackingHook.after_node_run() at %s:" % __file__)


def test_else_the_frame_that_raised_it() -> None:
    try:
        _mlflow_call()
    except ConnectionError as e:
        where = raised_at(e)
    assert where.startswith(" in _mlflow_call() at ")
    assert raised_at(ValueError("never raised")) == ""
