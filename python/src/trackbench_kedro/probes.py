"""Probes for an external plugin measured by trackbench (a ``command:`` or ``kedro`` hook).

    from trackbench_kedro.probes import measured
    with measured():
        run_the_pipeline()

When TRACKBENCH_PROBES_FILE is set, writes this process's own figures for the block to that file as
JSON: wallMs and cpuMs (process CPU time, all threads) of the block, peakRssBytes (the process's
peak resident set, ru_maxrss), and the /proc/self/io deltas diskWriteBytes (write_bytes minus
cancelled_write_bytes) and writeBytes (wchar), or null where /proc/self/io does not exist.
The figures are written even when the block raises, so a failing pipeline is still measured.

Under trackbench's instruction-count instrument (``run --instrument cpu-sim``, TRACKBENCH_INSTRUMENT
set), the process runs under Valgrind's callgrind, which dumps its counters whenever the process enters
libc's getpriority(). ``mark()`` calls it; ``measured()`` marks the block's start and end, so the block
is counted alone. Call ``mark()`` once more before importing and setting up the plugin, and that
set-up is counted as its own figure:

    mark()                   # hook import + set-up from here
    import my_plugin
    with measured():         # the pipeline run from here to its end
        run_the_pipeline()
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time
from typing import Dict, Iterator, Optional, Union

Probes = Dict[str, Optional[float]]

_COUNTED = os.environ.get("TRACKBENCH_INSTRUMENT") == "cpu-sim"


def mark() -> None:
    """A phase boundary for the instruction-count instrument (nothing otherwise): enters libc's
    getpriority(), where callgrind dumps its counters (--dump-before=getpriority)."""
    if _COUNTED:
        os.getpriority(os.PRIO_PROCESS, 0)


def read_proc_io() -> Optional[Dict[str, int]]:
    try:
        with open("/proc/self/io") as f:
            return {k: int(v) for k, v in (line.split(": ") for line in f.read().splitlines())}
    except OSError:
        return None


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    return int(peak if sys.platform == "darwin" else peak * 1024)


def probes_between(
    io0: Optional[Dict[str, int]], io1: Optional[Dict[str, int]], wall_s: float, cpu_s: float
) -> Probes:
    both = io0 is not None and io1 is not None
    disk: Union[int, None] = None
    written: Union[int, None] = None
    if io0 is not None and io1 is not None:
        disk = (io1["write_bytes"] - io0["write_bytes"]) - (
            io1["cancelled_write_bytes"] - io0["cancelled_write_bytes"]
        )
        written = io1["wchar"] - io0["wchar"]
    return {
        "wallMs": wall_s * 1000,
        "cpuMs": cpu_s * 1000,
        "peakRssBytes": float(peak_rss_bytes()),
        "diskWriteBytes": float(max(disk, 0)) if both and disk is not None else None,
        "writeBytes": float(written) if both and written is not None else None,
    }


@contextlib.contextmanager
def measured(path: Optional[str] = None) -> Iterator[None]:
    """Measures the block; writes the probes to ``path`` (default: $TRACKBENCH_PROBES_FILE) if any."""
    target = path if path is not None else os.environ.get("TRACKBENCH_PROBES_FILE")
    io0, wall0, cpu0 = read_proc_io(), time.perf_counter(), time.process_time()
    mark()  # the block from here
    try:
        yield
    finally:
        mark()  # the block ends here
        probes = probes_between(io0, read_proc_io(), time.perf_counter() - wall0, time.process_time() - cpu0)
        if target:
            with open(target, "w") as f:
                json.dump(probes, f)
