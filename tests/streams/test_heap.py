"""heap_trimmer: glibc's malloc_trim, or nothing where the C library lacks it."""

from __future__ import annotations

import ctypes.util

import pytest

from streams import heap


def test_trimmer_calls_malloc_trim_on_glibc() -> None:
    trim = heap.heap_trimmer()
    assert trim is not None  # the worker's image and this machine run glibc
    blocks = [bytearray(200_000) for _ in range(200)]  # 40 MB from malloc, then freed
    del blocks
    assert isinstance(trim(), bool)


def test_no_trimmer_without_a_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert heap.heap_trimmer() is None


def test_no_trimmer_when_the_c_library_lacks_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoTrim:
        def __init__(self, name: str) -> None:
            self.name = name

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libc.so.6")
    monkeypatch.setattr(ctypes, "CDLL", NoTrim)
    assert heap.heap_trimmer() is None
