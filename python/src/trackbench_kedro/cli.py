"""``trackbench-kedro`` (or ``python -m trackbench_kedro``):

  run       generate the Kedro project for $TRACKBENCH_PIPELINE_FILE and run it, tracking on or off
            ($TRACKBENCH_TRACKING), writing probes to $TRACKBENCH_PROBES_FILE
  generate  write the Kedro project into a folder, to read or run by hand
  versions  print the installed Kedro, MLflow, kedro-datasets and hook plugins as JSON
  check     print the Kedro hook plugins whose entry point fails to load, as a JSON list (empty: all load)
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from . import description
from .plugins import hook_load_failures, versions
from .probes import mark, measured
from .raised import raised_at
from .project import remove_project, write_project


def _json_arg(text: Optional[str], what: str) -> Optional[Dict[str, Any]]:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as e:
        raise SystemExit("trackbench-kedro: %s is not JSON: %s" % (what, e))
    if not isinstance(value, dict):
        raise SystemExit("trackbench-kedro: %s must be a JSON object" % what)
    return value


def _hooks(args: argparse.Namespace) -> List[str]:
    env = os.environ.get("TRACKBENCH_KEDRO_HOOKS", "")
    return list(args.hook or []) + [h for h in env.split(",") if h.strip()]


def _generate(args: argparse.Namespace, root: Path, tracking: bool) -> Path:
    desc = description.load(args.pipeline_file)
    mlflow_yml = _json_arg(args.mlflow_yml or os.environ.get("TRACKBENCH_MLFLOW_YML"), "the mlflow.yml configuration")
    plugins = (args.plugins or os.environ.get("TRACKBENCH_KEDRO_PLUGINS", "on")) != "off"
    return write_project(desc, root, tracking, hooks=_hooks(args), mlflow_yml=mlflow_yml, plugins=plugins)


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import SetUpFailed, preload, run_project

    tracking = (args.tracking or os.environ.get("TRACKBENCH_TRACKING", "on")) != "off"
    root = Path(args.project) if args.project else Path(tempfile.mkdtemp(prefix="trackbench-kedro-"))
    try:
        _generate(args, root, tracking)
        desc = description.load(args.pipeline_file)
        name = desc["pipeline"]["name"]
        # The generated conf files are trusted and large: OmegaConf (Kedro's config loader) refuses a file
        # of more than 10,000 YAML nodes by default, which parameters.yml passes at a few hundred nodes.
        os.environ.setdefault("OMEGACONF_MAX_YAML_EXPANDED_NODES", "10000000")
        # Hooks that read MLflow's own variable (the Python reference hook) log where kedro-mlflow does.
        os.environ.setdefault("MLFLOW_EXPERIMENT_NAME", desc["experimentName"])
        # Under the instruction-count instrument: Kedro, plugin and hook imports, the project's bootstrap and
        # settings (settings.HOOKS constructed) and the Kedro session's creation are the set-up figure, from here
        # to measured()'s start; session.run is the run; project generation above is the harness's, outside both.
        mark()
        preload(_hooks(args) if tracking else [])
        failure: List[str] = []

        @contextlib.contextmanager
        def window() -> Iterator[None]:
            with measured():
                try:
                    yield
                except SetUpFailed:
                    raise
                except Exception as e:  # the pipeline failed: say so and exit non-zero, as `kedro run` does
                    failure.append("pipeline failed: %s: %s%s" % (type(e).__name__, e, raised_at(e)))
                    raise

        try:
            run_project(root, name, window=window)
        except SetUpFailed as e:  # no run started: no probes, and a failed trial saying why (its last line)
            print("trackbench-kedro: set-up failed, no pipeline run: %s" % e, file=sys.stderr)
            return 1
        except Exception:
            if not failure:
                raise
            print(failure[0], file=sys.stderr)
            return 1
        return 0
    finally:
        if not args.project:
            remove_project(root)


def cmd_generate(args: argparse.Namespace) -> int:
    tracking = (args.tracking or "on") != "off"
    print(_generate(args, Path(args.out), tracking))
    return 0


def cmd_versions(_args: argparse.Namespace) -> int:
    print(json.dumps(versions(), sort_keys=True))
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    print(json.dumps(hook_load_failures(), sort_keys=True))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="trackbench-kedro", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "generate"):
        p = sub.add_parser(name)
        p.add_argument("--pipeline-file", help="the description (default: $TRACKBENCH_PIPELINE_FILE)")
        p.add_argument(
            "--tracking",
            choices=["on", "off"],
            help="plugin hooks on or off (default: $TRACKBENCH_TRACKING or on)",
        )
        p.add_argument(
            "--plugins",
            choices=["on", "off"],
            help="installed hook plugins on or off when tracking (default: $TRACKBENCH_KEDRO_PLUGINS or on)",
        )
        p.add_argument("--hook", action="append", help="an extra hook, module:attribute (repeatable)")
        p.add_argument("--mlflow-yml", help="mlflow.yml keys as JSON (default: $TRACKBENCH_MLFLOW_YML)")
        if name == "run":
            p.add_argument("--project", help="generate into this folder and keep it (default: a temp folder)")
        else:
            p.add_argument("--out", required=True, help="the folder to write the project into")
    sub.add_parser("versions")
    sub.add_parser("check")
    args = parser.parse_args(argv)
    commands = {"run": cmd_run, "generate": cmd_generate, "versions": cmd_versions, "check": cmd_check}
    return commands[args.command](args)
