"""Deterministic ids: a hex digest of some parts, the same in any process.

Its own small module so that the compiled build compiles it (signals/models.py holds pydantic
models, which mypyc cannot build); :mod:`signals.models` re-exports :func:`stable_id`.
"""

from __future__ import annotations

import hashlib


def stable_id(*parts: object, length: int = 24) -> str:
    """A deterministic hex id from the given parts (same parts, same id, any process)."""
    joined = "\x1f".join(["" if p is None else str(p) for p in parts])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]
