"""Commit positions of the delivery stage: never past a record that is still in flight."""

from __future__ import annotations

from streams.delivery import Offsets


def test_commits_only_the_finished_prefix() -> None:
    offsets = Offsets()
    for n in (10, 11, 12, 13):
        offsets.add("p0", n)
    offsets.add("p1", 5)
    assert offsets.committable() == {}
    offsets.done("p0", 11)  # a later record finished first: nothing to commit yet
    assert offsets.committable() == {}
    offsets.done("p0", 10)
    assert offsets.committable() == {"p0": 12}
    assert offsets.committable() == {}  # already committed
    offsets.done("p1", 5)
    offsets.done("p0", 13)
    assert offsets.committable(["p1"]) == {"p1": 6}
    assert offsets.in_flight() == 2  # 12 and 13 on p0
    offsets.done("p0", 12)
    assert offsets.committable() == {"p0": 14}
    assert offsets.in_flight() == 0


def test_dropped_partitions_are_forgotten() -> None:
    offsets = Offsets()
    offsets.add("p0", 1)
    offsets.drop(["p0"])
    offsets.done("p0", 1)  # a task finishing after its partition was revoked
    assert offsets.committable() == {} and offsets.in_flight() == 0
