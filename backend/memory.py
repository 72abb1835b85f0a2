"""Memory that a large computation freed, given back to the operating system.

glibc's malloc keeps what was freed in its arenas for later use: after a cold report at 1M
customers (rows, frames and the answer's JSON, over 250 MB at their peak) a web worker went on
holding a good part of it until it exited. `malloc_trim(0)` hands the free pages back. Where the
C library is not glibc there is no such call, and nothing is done."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def release_freed_memory() -> None:
    """Return the C heap's free pages to the operating system (a few ms after a large answer)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
