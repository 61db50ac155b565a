"""One module per signal kind; each reads a prepared Document and returns its findings."""

from __future__ import annotations

from signals.detectors import funding, gpu, revenue, rounds

__all__ = ["funding", "gpu", "revenue", "rounds"]
