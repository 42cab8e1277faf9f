"""What a node does besides producing its outputs: the same work as trackbench's own runner
(CPU time, touched memory, sleep), so per-node figures compare across runtimes."""
from __future__ import annotations

import time

from .description import Work


def do_work(work: Work) -> None:
    end = time.process_time() + float(work.get("cpuMs", 0)) / 1000
    acc = 0
    while time.process_time() < end:
        for i in range(2000):
            acc = (acc * 1103515245 + 12345 + i) % 2147483647
    alloc = int(work.get("allocBytes", 0))
    if alloc > 0:
        block = b"\x5a" * alloc
        del block
    sleep = float(work.get("sleepMs", 0))
    if sleep > 0:
        time.sleep(sleep / 1000)
