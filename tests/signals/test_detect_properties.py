"""Property tests: detect() never raises, and every signal points at its own evidence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from signals import NewsEvent, detect

WORDS = [
    "Acme", "xAI", "Meta", "Nvidia", "X", "la", "start-up", "lève", "raised", "a", "levé",
    "GPU", "GPUs", "H100", "revenue", "chiffre", "d'affaires", "en", "hausse", "de", "down",
    "up", "%", "12,5", "350 000", "$6B", "6 milliards", "de dollars", "M€", "million",
    "Series", "B", "round", "valued", "at", "the", "company", "it", "n'en", "opère", ",", ".",
    "\n", "moitié", "doubled", "Twitter's", "(", ")", "«", "»", "par", "for", "by", "led",
    "auprès", "selon", "reportedly", "denied", "total", "invested", "ME", "+3,1%", "-2 %",
]  # fmt: skip

sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)


def _check(event: NewsEvent) -> None:
    for s in detect(event):
        text = event.body if s.evidence.field == "body" else (event.title or "")
        assert text[s.evidence.start : s.evidence.end] == s.evidence.sentence
        for a, b in s.evidence.highlights:
            assert 0 <= a < b <= len(s.evidence.sentence)
        assert 0.0 <= s.confidence <= 1.0
        assert s.company


@settings(max_examples=200, deadline=None)
@given(st.one_of(sentences, st.text(max_size=400)), st.one_of(st.none(), sentences))
def test_detect_never_raises_and_offsets_hold(body: str, title: str | None) -> None:
    _check(NewsEvent(id="prop", title=title, body=body))


@settings(max_examples=50, deadline=None)
@given(sentences, st.sampled_from(["fr", "en", None]))
def test_same_event_same_ids(body: str, language: str | None) -> None:
    event = NewsEvent(id="prop", body=body, language=language)
    assert [s.signal_id for s in detect(event)] == [s.signal_id for s in detect(event)]
