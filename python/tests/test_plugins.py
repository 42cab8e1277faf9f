"""The check run once after provisioning: a kedro.hooks entry point that cannot be imported is named, with the
module it lacks and where the import was, instead of failing every trial."""
from importlib import metadata
from typing import List

import pytest

from trackbench_kedro import plugins


def test_an_entry_point_that_fails_to_import_is_named_with_the_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = metadata.EntryPoint(name="hook", value="tb_no_such_module_xyz.hooks:hook", group="kedro.hooks")
    monkeypatch.setattr(plugins, "_entry_points", lambda group: [broken])
    (failure,) = plugins.hook_load_failures()
    assert failure["plugin"] == "tb_no_such_module_xyz"
    assert failure["entryPoint"] == "hook = tb_no_such_module_xyz.hooks:hook"
    assert failure["error"] == "ModuleNotFoundError: No module named 'tb_no_such_module_xyz'"
    assert failure["missingModule"] == "tb_no_such_module_xyz"


def test_entry_points_that_load_are_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    fine = metadata.EntryPoint(name="hook", value="json:dumps", group="kedro.hooks")
    none: List[metadata.EntryPoint] = []
    monkeypatch.setattr(plugins, "_entry_points", lambda group: [fine])
    assert plugins.hook_load_failures() == []
    monkeypatch.setattr(plugins, "_entry_points", lambda group: none)
    assert plugins.hook_load_failures() == []
