"""Giving the C heap's free memory back to the OS (glibc ``malloc_trim``).

A worker's large short-lived buffers (a batch of up to ``SIGNALS_BATCH_MAX`` signals, their
JSON, the producer's pending records, RocksDB memtables) come from ``malloc``. Once freed, glibc
keeps most of that memory mapped for reuse, so RSS follows the largest backlog seen since start
rather than what is live: measured at 8,000 events (``bench/memory_bench.py``), one
``malloc_trim(0)`` took a worker from 162 to 143 MiB. Calling it now and then keeps RSS close to
the live memory. Elsewhere than glibc (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

TRIM_INTERVAL_S = 30.0


def heap_trimmer() -> Callable[[], bool] | None:
    """``malloc_trim(0)`` as a function (True when memory was released), or None without it."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def release() -> bool:
        return bool(trim(0))

    return release
