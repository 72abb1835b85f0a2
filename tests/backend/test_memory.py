"""backend.memory: the C heap's free pages handed back to the operating system."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backend import memory

PROBE = """
import ctypes, ctypes.util
from backend.memory import release_freed_memory

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]


def resident_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


# 200 MB in chunks below the mmap threshold (so on the heap), touched, then freed while a last
# small block keeps the heap's top in use: glibc keeps the freed pages
chunks = [libc.malloc(64 * 1024) for _ in range(3200)]
for chunk in chunks:
    ctypes.memset(chunk, 1, 64 * 1024)
sentinel = libc.malloc(64)
for chunk in chunks:
    libc.free(chunk)
kept = resident_mb()
release_freed_memory()
print(kept - resident_mb())
"""


@pytest.mark.skipif(memory._malloc_trim() is None, reason="not glibc: nothing to hand back")
def test_freed_heap_pages_go_back_to_the_system():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert float(result.stdout.split()[-1]) > 150  # of the 200 MB freed
