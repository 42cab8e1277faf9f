"""What a node does besides producing its outputs: the same work as trackbench's own runner
(CPU time, touched memory, sleep), so per-node figures compare across runtimes."""
from __future__ import annotations

import os
import time

from .description import Work

# Iterations of the busy loop per CPU millisecond when trials are counted in instructions
# (TRACKBENCH_DETERMINISTIC=1, set by the instrument): work counted in iterations, not by a clock,
# so the same pipeline executes the same instructions. About what CPython does here; it only has
# to be fixed.
ITERATIONS_PER_MS = 7000
_DETERMINISTIC = os.environ.get("TRACKBENCH_DETERMINISTIC") == "1"


def spin(iterations: int) -> int:
    """A fixed amount of computation: ``iterations`` steps of a linear congruential generator."""
    acc = 0
    for i in range(iterations):
        acc = (acc * 1103515245 + 12345 + i) % 2147483647
    return acc


def do_work(work: Work) -> None:
    cpu_ms = float(work.get("cpuMs", 0))
    if _DETERMINISTIC:
        spin(round(cpu_ms * ITERATIONS_PER_MS))
    else:
        end = time.process_time() + cpu_ms / 1000
        while time.process_time() < end:
            spin(2000)
    alloc = int(work.get("allocBytes", 0))
    if alloc > 0:
        block = b"\x5a" * alloc
        del block
    sleep = float(work.get("sleepMs", 0))
    if sleep > 0:
        time.sleep(sleep / 1000)
