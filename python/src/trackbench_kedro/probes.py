"""Probes for an external plugin measured by trackbench (a ``command:`` or ``kedro`` hook).

    from trackbench_kedro.probes import measured
    with measured():
        run_the_pipeline()

When TRACKBENCH_PROBES_FILE is set, writes this process's own figures for the block to that file as
JSON: wallMs and cpuMs (process CPU time, all threads) of the block, setupMs and setupCpuMs (wall and CPU time
from the last ``mark()`` before the block to its start: the plugin's import and set-up; null without such a mark
or under the instruction-count instrument), peakRssBytes (the process's
peak resident set, ru_maxrss), and the /proc/self/io deltas diskWriteBytes (write_bytes minus
cancelled_write_bytes) and writeBytes (wchar), or null where /proc/self/io does not exist.
The figures are written even when the block raises, so a failing pipeline is still measured; not when it is
left by ``sys.exit()`` (SystemExit) or an interrupt: a hook calling ``sys.exit(0)`` mid-run would otherwise end
the process with code 0 and its figures, a run that never finished read as a measurement. It says so on stderr.

retainedBytes is what the process's live allocations take after a full collection (``memory.held_bytes``:
CPython's small-object allocator plus glibc malloc), the figure beside peak RSS that adds up: taken where
``hold_point()`` is called in the block (the Kedro runner calls it as the pipeline ends, before any other
hook's after_pipeline_run can let go), else at the block's end; null where it cannot be read and under the
instruction-count instrument (the collection would be counted). Taking it costs time and I/O of its own, left
out of the block's figures.

Under trackbench's instruction-count instrument (``run --instrument cpu-sim``, TRACKBENCH_INSTRUMENT
set), the process runs under Valgrind's callgrind, which dumps its counters whenever the process enters
libc's getpriority(). ``mark()`` calls it; ``measured()`` marks the block's start and end, so the block
is counted alone. Call ``mark()`` once more before importing and setting up the plugin, and that
set-up is counted as its own figure:

    mark()                   # hook import + set-up from here
    import my_plugin
    with measured():         # the pipeline run from here to its end
        run_the_pipeline()

In wall/CPU mode the same mark starts the set-up's wall and CPU time (setupMs, setupCpuMs), which trackbench
reports as the trial's start-up figure beside the block's.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import resource
import sys
import time
from typing import Dict, Iterator, Optional, Tuple, Union

from .memory import held_bytes
from .raised import raised_at

Probes = Dict[str, Optional[float]]

_COUNTED = os.environ.get("TRACKBENCH_INSTRUMENT") == "cpu-sim"


@dataclasses.dataclass
class _Block:
    """A measured block with a probes file: its retained-memory sample, once taken, and the time and I/O taking it
    took (left out of the block's own figures)."""

    taken: bool = False
    value: Optional[int] = None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    io: Dict[str, int] = dataclasses.field(default_factory=dict)
    # A stretch being held out of the figures (a hold point within outside() is not taken off twice).
    holding: bool = False


# The block running, if it writes probes (one at a time: a trial is one pipeline run in one process).
_block: Optional[_Block] = None
# Where the set-up began (perf_counter, process_time): the last mark() outside a block, taken by the next block.
_setup_from: Optional[Tuple[float, float]] = None


def hold_point() -> None:
    """Takes the block's retained-memory figure here (a full collection first); nothing outside a measured
    block or under the instruction-count instrument. Its time is left out of the block's wall and CPU time: a
    full collection of a process that imported MLflow takes a fifth of a second, the probe's, not the plugin's.
    So is its I/O: it writes CPython's allocator statistics (kilobytes) to a temporary file, whose removal does
    not always cancel what it put toward the disk (8 KiB of 20 here)."""
    block = _block
    if block is not None and not _COUNTED:
        with _held_out(block):
            block.value, block.taken = held_bytes(), True


@contextlib.contextmanager
def outside() -> Iterator[None]:
    """Holds this stretch of the running measured block out of its wall, CPU and I/O figures (nothing outside a
    block that writes probes): set-up work the block cannot avoid holding, such as the next Kedro session created
    between two pipeline runs of one process. Under the instruction-count instrument it is counted: the block is
    one dump between two marks."""
    block = _block
    if block is None:
        yield
    else:
        with _held_out(block):
            yield


@contextlib.contextmanager
def _held_out(block: _Block) -> Iterator[None]:
    if block.holding:
        yield
        return
    block.holding = True
    io0, wall0, cpu0 = read_proc_io(), time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        block.holding = False
        block.wall_s += time.perf_counter() - wall0
        block.cpu_s += time.process_time() - cpu0
        io1 = read_proc_io()
        if io0 is not None and io1 is not None:
            block.io = {k: block.io.get(k, 0) + io1[k] - io0[k] for k in io1}


class NotMeasured(Exception):
    """Raised out of a measured block by work that is not what it measures (set-up that failed, such as a Kedro
    session that could not be created): the block writes no probes, a failure before any run is no figure. The
    error's message says what failed; the block adds nothing."""


def _less(io: Optional[Dict[str, int]], spent: Dict[str, int]) -> Optional[Dict[str, int]]:
    """The I/O counters without what ``spent`` says the probe did."""
    return None if io is None else {k: v - spent.get(k, 0) for k, v in io.items()}


def mark() -> None:
    """The start of the plugin's set-up: a phase boundary for the instruction-count instrument, and in wall/CPU
    mode where the next measured block's setupMs and setupCpuMs are counted from."""
    global _setup_from
    _setup_from = (time.perf_counter(), time.process_time())
    _dump()


def _dump() -> None:
    """Under the instruction-count instrument (nothing otherwise): enters libc's getpriority(), where callgrind
    dumps its counters (--dump-before=getpriority)."""
    if _COUNTED:
        os.getpriority(os.PRIO_PROCESS, 0)


def _setup_probes(wall0: float, cpu0: float) -> Probes:
    """The set-up's wall and CPU time, from the last mark() to the block's start (``wall0``, ``cpu0``); null without
    a mark, or when counted (the time would be Valgrind's). Taken once: a later block has a set-up of its own."""
    global _setup_from
    since, _setup_from = _setup_from, None
    if since is None or _COUNTED:
        return {"setupMs": None, "setupCpuMs": None}
    return {"setupMs": (wall0 - since[0]) * 1000, "setupCpuMs": (cpu0 - since[1]) * 1000}


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
    global _block
    block = _Block()
    _block = block if target else None
    io0, wall0, cpu0 = read_proc_io(), time.perf_counter(), time.process_time()
    setup = _setup_probes(wall0, cpu0)
    _dump()  # the block from here
    stopped: Optional[BaseException] = None
    unmeasured = False
    try:
        yield
    except (SystemExit, KeyboardInterrupt) as e:
        stopped = e
        raise
    except NotMeasured:
        unmeasured = True
        raise
    finally:
        _dump()  # the block ends here
        wall_s = time.perf_counter() - wall0 - block.wall_s
        io1 = _less(read_proc_io(), block.io)
        probes = probes_between(io0, io1, wall_s, time.process_time() - cpu0 - block.cpu_s)
        # after the block's figures, so its own collection is in none of them
        if not block.taken:
            hold_point()
        _block = None
        probes["retainedBytes"] = None if _COUNTED else block.value
        probes.update(setup)
        if stopped is not None:
            print(_stopped_message(stopped), file=sys.stderr, flush=True)
        elif target and not unmeasured:
            with open(target, "w") as f:
                json.dump(probes, f)


def _stopped_message(stopped: BaseException) -> str:
    """Says what ended the measured block, and where (a hook's ``sys.exit(0)``: the hook that called it)."""
    what = "SystemExit(%r)" % (stopped.code,) if isinstance(stopped, SystemExit) else type(stopped).__name__
    return "trackbench_kedro.probes: the measured run was ended by %s%s before it finished: no probes written" % (
        what,
        raised_at(stopped),
    )
