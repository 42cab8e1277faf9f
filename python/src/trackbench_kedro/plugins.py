"""What is installed: the Kedro plugins that register hooks through the ``kedro.hooks`` entry
point (so they can be switched off), and the versions a report records."""
from __future__ import annotations

import sys
from importlib import metadata
from typing import Dict, List, Optional

from .raised import raised_at

# Always off: it reaches for the network and is no part of what is measured.
TELEMETRY = ("kedro-telemetry", "kedro_telemetry")


def _entry_points(group: str) -> List[metadata.EntryPoint]:
    if sys.version_info >= (3, 10):
        return list(metadata.entry_points(group=group))
    return list(metadata.entry_points().get(group, []))  # Python 3.9: a dict by group


def hook_plugins() -> List[str]:
    """Distribution names of every installed plugin with Kedro hooks (as pip spells them)."""
    names = set()
    for ep in _entry_points("kedro.hooks"):
        dist = getattr(ep, "dist", None)
        name = dist.metadata["Name"] if dist is not None else ep.module.split(".")[0]
        names.add(str(name))
    return sorted(names)


def disabled_plugins(tracking: bool) -> List[str]:
    """DISABLE_HOOKS_FOR_PLUGINS for a run: telemetry always; with tracking off, every hook plugin.
    Kedro compares these with the distribution's metadata name, which may use '_' or '-': both."""
    names = set(TELEMETRY)
    if not tracking:
        for n in hook_plugins():
            names.update({n, n.replace("-", "_"), n.replace("_", "-")})
    return sorted(names)


def version_of(dist: str) -> Optional[str]:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions() -> Dict[str, Optional[str]]:
    """Python, Kedro, MLflow, kedro-datasets and every hook plugin, as installed."""
    out: Dict[str, Optional[str]] = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "kedro": version_of("kedro"),
        "mlflow": version_of("mlflow") or version_of("mlflow-skinny"),
        "kedro-datasets": version_of("kedro-datasets"),
    }
    for name in hook_plugins():
        if name.replace("_", "-").lower() not in TELEMETRY:
            out[name.replace("_", "-").lower()] = version_of(name)
    return out


def hook_load_failures() -> List[Dict[str, str]]:
    """Every ``kedro.hooks`` entry point that fails to load, with the error and where it was raised. Kedro loads
    them all when a session starts, even with the plugin's hooks disabled, so one that fails breaks every run in the
    environment (an import the plugin does not declare): checked once, after provisioning, so that it is said
    before any trial rather than as each trial's failure."""
    out: List[Dict[str, str]] = []
    for ep in _entry_points("kedro.hooks"):
        dist = getattr(ep, "dist", None)
        try:
            ep.load()
        except Exception as e:  # any import-time error is the finding, reported as such
            out.append(
                {
                    "plugin": str(dist.metadata["Name"]) if dist is not None else ep.module.split(".")[0],
                    "version": str(dist.version) if dist is not None else "",
                    "entryPoint": "%s = %s" % (ep.name, ep.value),
                    "error": "%s: %s" % (type(e).__name__, e),
                    "missingModule": str(e.name or "") if isinstance(e, ImportError) else "",
                    "raisedAt": raised_at(e).strip(),
                }
            )
    return out
