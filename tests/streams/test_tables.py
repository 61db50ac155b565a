from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.tables import _Window, as_of, figures, seq_of, table_key, window_for


def test_adding_to_a_window_is_an_idempotent_union() -> None:
    a = {"s1": ["wire", 1e8, 0]}
    b = {"s2": ["paper", 0.0, 500]}
    w = _Window({})
    assert w.add(a) and w.add(b)
    ab = dict(w.members)
    assert not w.add(a) and not w.add(b)
    assert w.members == ab and set(ab) == {"s1", "s2"}
    assert (w.amount_usd, w.quantity, len(w.sources)) == (1e8, 500, 2)


def test_figures_derive_from_members() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    members = {"s1": ["wire", 1e8, 0], "s2": ["paper", 5e7, 10], "s3": ["wire", 0, 5]}
    f = figures("1d", start, members)
    assert (f.count, f.amount_usd, f.quantity, f.sources) == (3, 1.5e8, 15, 2)
    assert f.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert f.end == datetime(2026, 1, 2, tzinfo=UTC)


def test_table_key_separates_company_and_kind() -> None:
    assert table_key("A", "funding") != table_key("A", "revenue")
    assert table_key("A b", "funding") != table_key("A", "b funding")


def test_surge_window_must_be_a_kept_window() -> None:
    assert window_for(3600) == "1h"
    assert window_for(86400) == "1d"
    assert window_for(7 * 86400) == "7d"
    with pytest.raises(ValueError):
        window_for(1800)


def test_as_of_keeps_what_was_counted_up_to_a_seq() -> None:
    members = {"a": ["wire", 1e8, 0, 3], "b": ["paper", 5e7, 0, 7], "old": ["x", 1.0, 0]}
    assert set(as_of(members, 3)) == {"a", "old"}  # entries without a seq predate every seq
    assert set(as_of(members, 7)) == {"a", "b", "old"}
    assert as_of(members, None) == members
    assert seq_of(members["old"]) == -1


def test_running_window_tracks_its_latest_seq() -> None:
    w = _Window({"a": ["wire", 1e8, 0, 3]})
    assert w.max_seq == 3
    assert w.add({"b": ["paper", 1.0, 2, 9]})
    assert not w.add({"b": ["paper", 1.0, 2, 12]})  # a replay keeps its first seq
    assert (w.max_seq, w.members["b"][3], w.quantity) == (9, 9, 2)


def test_window_figures_are_counted_on_first_use_whatever_was_added_before() -> None:
    before = _Window({"a": ["wire", 1e8, 0, 3]})
    assert before.add({"b": ["paper", 5.0, 2, 9]})  # added before any figure was read
    assert not before.add({"a": ["other", 7.0, 7, 11]})  # a replay changes nothing
    after = _Window({"a": ["wire", 1e8, 0, 3]})
    assert after.max_seq == 3  # counted now, then kept running
    assert after.add({"b": ["paper", 5.0, 2, 9]})
    for w in (before, after):
        assert (w.amount_usd, w.quantity, w.max_seq) == (1e8 + 5.0, 2, 9)
        assert w.sources == {"wire": 1, "paper": 1}
