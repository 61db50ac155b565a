"""Linear time: 1 MB adversarial texts run detect() in under a second each."""

from __future__ import annotations

import time

import pytest

from signals import NewsEvent, detect

MB = 1_000_000
ADVERSARIAL = {
    "digit run": "7" * MB,
    "digit groups": "1 000 " * (MB // 6),
    "spaces after a number": "raised $6" + " " * MB + "billion",
    "trigger words, no sentence break": "lève raised GPU revenue chiffre d'affaires " * (MB // 43),
    "dense fake signals": "Acme raised $6 billion and Meta GPUs 350 000 revenue up 12 % "
    * (MB // 60),
    "capitalised words": "Foo Bar Baz " * (MB // 12),
    "separators": "12.34.56.78.90," * (MB // 15),
    "elisions": "d'X l'Y qu'Z " * (MB // 13),
    "dots": "." * MB,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_one_megabyte_under_one_second(name: str) -> None:
    event = NewsEvent(id="adversarial", body=ADVERSARIAL[name])
    # best of two runs: the machine is shared, a single run can lose its core for a while
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        detect(event)
        best = min(best, time.perf_counter() - start)
        if best < 1.0:
            break
    assert best < 1.0
