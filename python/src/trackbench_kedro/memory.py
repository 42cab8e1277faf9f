"""Memory a Python process holds: the bytes its live allocations take, after a full collection.

Peak RSS does not add up (pages are kept after a free, and touched or not by what allocated them), so a
trial also reports what is allocated and still alive: CPython's small-object allocator's bytes in
allocated blocks (objects up to 512 bytes live in its own arenas) plus glibc malloc's bytes in use, in
its arenas and in blocks it mapped on their own (large objects: a 25 MiB bytearray is one). Unavailable
(None) where either cannot be read: another allocator than glibc's, or CPython built without pymalloc or
run with PYTHONMALLOC=malloc.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import re
import sys
import tempfile
from typing import Callable, Optional, cast

_PYMALLOC_IN_USE = re.compile(rb"^# bytes in allocated blocks\s*=\s*([\d,]+)\s*$", re.MULTILINE)


class _MallInfo2(ctypes.Structure):
    # glibc's struct mallinfo2 (2.33 and later): size_t fields
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _mallinfo2() -> Optional[Callable[[], _MallInfo2]]:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else ctypes.CDLL(None)
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    fn.restype = _MallInfo2
    fn.argtypes = []
    # ctypes types a foreign function loosely; its restype, set above, is what it returns
    return cast(Callable[[], _MallInfo2], fn)


_MALLINFO2 = _mallinfo2()


def malloc_in_use() -> Optional[int]:
    """glibc malloc's bytes in use: in its arenas (uordblks) and in blocks mapped on their own (hblkhd)."""
    if _MALLINFO2 is None:
        return None
    info = _MALLINFO2()
    return int(info.uordblks + info.hblkhd)


def pymalloc_in_use() -> Optional[int]:
    """CPython's small-object allocator's bytes in allocated blocks, from sys._debugmallocstats (which writes
    to the C stderr: read from a temporary file put in its place)."""
    stats = getattr(sys, "_debugmallocstats", None)
    if stats is None or os.environ.get("PYTHONMALLOC", "").startswith("malloc"):
        return None
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as out:
            os.dup2(out.fileno(), 2)
            try:
                stats()
            finally:
                os.dup2(saved, 2)
            out.seek(0)
            found = _PYMALLOC_IN_USE.search(out.read())
    finally:
        os.close(saved)
    return int(found.group(1).replace(b",", b"")) if found else None


def held_bytes() -> Optional[int]:
    """Bytes the process's live allocations take after a full collection; None where it cannot be read."""
    gc.collect()
    small, large = pymalloc_in_use(), malloc_in_use()
    return None if small is None or large is None else small + large
