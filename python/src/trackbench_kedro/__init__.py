"""trackbench's Python helper: run a trackbench pipeline description as a real Kedro project.

- ``trackbench_kedro.probes.measured``: a trial's own probes, for any Python runner.
- ``trackbench_kedro.project.write_project``: a complete Kedro project from a pipeline description.
- ``trackbench_kedro.runner.run_project``: runs it with KedroSession, plugin hooks on or off.
- ``trackbench_kedro.reference_hook.ReferenceHook``: the reference tracking hook, in Python.
"""

__version__ = "0.1.0"
