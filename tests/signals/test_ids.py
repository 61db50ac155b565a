"""signals.ids.stable_id: the same ids as the form it replaced in signals.models (the ids of
signals, alerts and webhooks already stored depend on it), under its old import path too."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from signals import models
from signals.ids import stable_id


def _former(*parts: object, length: int = 24) -> str:
    h = hashlib.sha256("\x1f".join(["" if p is None else str(p) for p in parts]).encode("utf-8"))
    return h.hexdigest()[:length]


_PART = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@given(st.lists(_PART, max_size=8), st.integers(min_value=0, max_value=64))
def test_stable_id_is_the_former_digest(parts: list[object], length: int) -> None:
    assert stable_id(*parts, length=length) == _former(*parts, length=length)
    assert stable_id(*parts) == _former(*parts)


def test_models_re_exports_it() -> None:
    assert models.stable_id is stable_id


def test_a_signal_id_is_pinned() -> None:
    parts = ("a1", "funding", "Acme", 5000000.0, "EUR", None, None, None, "body", 0, 12)
    assert stable_id(*parts) == "b6cf0316e52667ae5472f382"
    assert stable_id("x", Decimal("1.50"), length=12) == _former("x", "1.50", length=12)
