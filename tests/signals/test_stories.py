"""Exact keys, near-duplicate fingerprints and the story index, on one story told in FR and EN."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signals.models import NewsEvent
from signals.stories import (
    FINGERPRINT_CHARS,
    Fingerprint,
    canonical_url,
    estimated_jaccard,
    exact_keys,
    fingerprint,
    jaccard,
    minhash,
    normalize_text,
    number_anchors,
)
from signals.storyindex import Reason, StoryIndex, StoryRules, Verdict, new_story_id

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "stories.jsonl"
# the same funding round: a French article, an English one, an English rewrite, a lightly edited
# French copy; rp-3 is the first one again with only case and punctuation changed
SAME_STORY = ("qt-1001", "tw-77", "md-5521", "jn-88")
OTHER_STORIES = ("qt-1002", "tw-78", "md-5530")


def load_samples() -> dict[str, NewsEvent]:
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    events = [NewsEvent.model_validate(json.loads(line)) for line in lines if line.strip()]
    return {e.id: e for e in events}


@pytest.fixture(scope="module")
def samples() -> dict[str, NewsEvent]:
    return load_samples()


def event(**fields: object) -> NewsEvent:
    data: dict[str, object] = {"id": "a1", "title": None, "body": "", "url": None}
    data.update(fields)
    return NewsEvent.model_validate(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'IA  lève\n600 M€ !", "l ia leve 600 m"),
        ("Élodie ÉCRIT à Zürich", "elodie ecrit a zurich"),
        ("", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/a/b/?utm_source=rss&x=1#top", "http://example.com/a/b?x=1"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2&fbclid=zz"),
        ("HTTPS://Example.COM/Path", "https://example.com/Path/"),
    ],
)
def test_canonical_url_equal(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_what_matters() -> None:
    assert canonical_url("https://example.com/a?id=1") != canonical_url(
        "https://example.com/a?id=2"
    )
    assert canonical_url("https://example.com/a") != canonical_url("https://example.com/b")
    assert canonical_url("not a url") is None
    assert canonical_url(None) is None


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("a levé 600 millions d'euros", "n:600000000"),
        ("raised €600 million", "n:600000000"),
        ("secured €600m", "n:600000000"),
        ("vaut 5,8 milliards", "n:5800000000"),
        ("a $5.8bn valuation", "n:5800000000"),
        ("lève six milliards de dollars", "n:6000000000"),
        ("18 000 puces", "n:18000"),
        ("18,000 chips", "n:18000"),
        ("en hausse de 22,6 %", "p:22.6"),
        ("up 22.6 percent", "p:22.6"),
    ],
)
def test_numbers_read_alike_in_french_and_english(text: str, anchor: str) -> None:
    assert anchor in number_anchors(text)


def test_small_bare_numbers_are_not_anchors() -> None:
    assert number_anchors("3 companies on page 2") == []


def test_exact_keys_see_the_same_text_through_case_and_punctuation(
    samples: dict[str, NewsEvent],
) -> None:
    assert exact_keys(samples["rp-3"]).text == exact_keys(samples["qt-1001"]).text
    assert exact_keys(samples["jn-88"]).text != exact_keys(samples["qt-1001"]).text
    assert exact_keys(event(body="too short")).text is None


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ({"id": "a1", "body": "entirely different words here, enough of them to count"}, "id"),
        ({"id": "a2", "url": "http://www.example.com/x/?utm_medium=feed"}, "url"),
        ({"id": "a3", "body": "ACME raised  $10 MILLION, from Example Ventures; Paris!"}, "text"),
    ],
)
def test_exact_duplicates_are_found_by_id_url_and_text(
    second: dict[str, object], reason: str
) -> None:
    index = StoryIndex()
    first = event(
        id="a1",
        url="https://example.com/x",
        body="Acme raised $10 million from Example Ventures, Paris.",
    )
    assert index.assign("a1", 0.0, fingerprint(first)).outcome == "new"
    dup = event(**second)
    verdict = index.assign(dup.id, 1.0, fingerprint(dup))
    assert (verdict.outcome, verdict.reason, verdict.matched) == ("duplicate", reason, "a1")
    assert verdict.story_id == new_story_id("a1")
    assert len(index) == 1  # a duplicate is not remembered


def test_french_and_english_rewrites_are_one_story(samples: dict[str, NewsEvent]) -> None:
    index = StoryIndex()
    verdicts = {}
    for i, article_id in enumerate(SAME_STORY):
        verdicts[article_id] = index.assign(article_id, float(i), fingerprint(samples[article_id]))
    assert verdicts["qt-1001"].outcome == "new"
    for article_id in SAME_STORY[1:]:
        assert verdicts[article_id].outcome == "near_duplicate", article_id
        assert verdicts[article_id].story_id == new_story_id("qt-1001")
    # the English versions share names and figures with the French one, not words
    assert verdicts["tw-77"].reason == "anchors"
    assert verdicts["jn-88"].reason == "similar_text"


def test_different_stories_stay_apart(samples: dict[str, NewsEvent]) -> None:
    index = StoryIndex()
    for i, article_id in enumerate(SAME_STORY):
        index.assign(article_id, float(i), fingerprint(samples[article_id]))
    for article_id in OTHER_STORIES:
        # same company, another fact; same amount and lead investor, another company; other news
        verdict = index.assign(article_id, 10.0, fingerprint(samples[article_id]))
        assert verdict.outcome == "new", article_id
        assert verdict.story_id == new_story_id(article_id)


def test_similarity_separates_the_samples(samples: dict[str, NewsEvent]) -> None:
    fps = {k: fingerprint(v) for k, v in samples.items()}
    same = [jaccard(fps["qt-1001"].anchors, fps[k].anchors) for k in SAME_STORY[1:]]
    other = [jaccard(fps["qt-1001"].anchors, fps[k].anchors) for k in OTHER_STORIES]
    assert min(same) >= StoryRules().anchor_threshold > max(other)


def test_the_window_forgets_old_articles(samples: dict[str, NewsEvent]) -> None:
    index = StoryIndex(StoryRules(window_s=3600))
    index.assign("qt-1001", 0.0, fingerprint(samples["qt-1001"]))
    index.assign("md-5530", 7200.0, fingerprint(samples["md-5530"]))  # moves time on
    assert [e.article_id for e in index.entries()] == ["md-5530"]
    assert index.assign("tw-77", 7300.0, fingerprint(samples["tw-77"])).outcome == "new"


def test_the_index_is_bounded_by_count(samples: dict[str, NewsEvent]) -> None:
    index = StoryIndex(StoryRules(max_articles=2))
    for i, article_id in enumerate(OTHER_STORIES):
        index.assign(article_id, float(i), fingerprint(samples[article_id]))
    assert len(index) == 2


def test_rebuilt_index_gives_the_same_verdicts(samples: dict[str, NewsEvent]) -> None:
    index = StoryIndex()
    for i, article_id in enumerate(SAME_STORY[:2]):
        index.assign(article_id, float(i), fingerprint(samples[article_id]))
    rebuilt = StoryIndex()
    for entry in index.entries():
        rebuilt.remember(entry)
    fp = fingerprint(samples["md-5521"])
    assert rebuilt.classify(fp) == index.classify(fp)


_SCRIPT = """
import json, sys
from pathlib import Path
from signals.models import NewsEvent
from signals.stories import fingerprint
from signals.storyindex import StoryIndex
index = StoryIndex()
out = []
for i, line in enumerate(Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()):
    e = NewsEvent.model_validate_json(line)
    fp = fingerprint(e)
    out.append([e.id, index.assign(e.id, float(i), fp).story_id, list(fp.text_sig[:4])])
print(json.dumps(out))
"""


def test_story_ids_do_not_depend_on_the_process() -> None:
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(SAMPLES)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert len({story for _, story, _ in runs[0]}) == 4  # the round, and three other stories


@given(st.frozensets(st.text(min_size=1, max_size=8), min_size=1, max_size=40))
def test_minhash_of_a_set_with_itself_is_one(features: frozenset[str]) -> None:
    sig = minhash(features)
    assert len(sig) == 64
    assert estimated_jaccard(sig, minhash(frozenset(features))) == 1.0


@given(st.text(max_size=200))
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


# ---------------------------------------------------------------- templated wire copy

_SYLLABLES = "ka lo mi ter vex ul dra no sen qua bri zo pel tan ri gor".split()
_TEMPLATE = (
    "{co} raises ${amount} million in a Series {round} led by {investor}\n"
    "{co}, a {city} start-up that builds {product}, said on {day} that it had raised "
    "${amount} million in a Series {round} round led by {investor}, which values the company "
    "at ${valuation} million. Founded by {founder}, the firm plans to hire {hires} engineers "
    "over the coming year and to open offices abroad. Existing backers also joined the round, "
    "according to a statement. Sales grew {growth} percent last year."
)
_REWORDED = (
    "Selon un communiqué publié par {co}, la société de {founder} obtient {amount} millions "
    "de dollars auprès de {investor}. La valorisation atteint {valuation} millions de dollars; "
    "{hires} ingénieurs seront recrutés et le chiffre d'affaires a progressé de {growth} %."
)


def _company(i: int) -> str:
    digits = [(i >> shift) & 15 for shift in (12, 8, 4, 0)]
    return "".join(_SYLLABLES[d] for d in digits).title()


def templated(n: int, seed: int = 3) -> list[tuple[NewsEvent, dict[str, object]]]:
    """``n`` articles of one template, each about another company with other figures."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        amount = rng.randrange(5, 995)
        slots: dict[str, object] = {
            "co": _company(i) + rng.choice((" Robotics", " Health", " Energy", "")),
            "amount": amount,
            "round": rng.choice("ABCD"),
            "investor": rng.choice(("Northwind Capital", "Ardent Partners", "Blue Harbor")),
            "city": rng.choice(("Paris", "Berlin", "London", "Austin", "Lisbon", "Madrid")),
            "product": rng.choice(("warehouse robots", "battery packs", "clinical software")),
            "day": rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday")),
            "valuation": amount * rng.randrange(4, 15) + rng.randrange(1, 99),
            "founder": f"{rng.choice(_SYLLABLES).title()}{rng.choice(_SYLLABLES)} "
            f"{_company(rng.randrange(1 << 16))}",
            "hires": rng.randrange(12, 900),
            "growth": rng.randrange(11, 400),
        }
        out.append((event(id=f"tpl-{i}", body=_TEMPLATE.format(**slots)), slots))
    return out


def _index_seconds(fps: list[Fingerprint]) -> float:
    index = StoryIndex()
    start = time.process_time()  # CPU time: other processes on a loaded machine count less
    for i, fp in enumerate(fps):
        index.assign(fp.keys.id, float(i), fp)
    return time.process_time() - start


def test_index_cost_per_article_does_not_grow_with_similar_articles() -> None:
    fps = [fingerprint(e) for e, _ in templated(4000)]
    small = min(_index_seconds(fps[:1000]) for _ in range(2))
    large = min(_index_seconds(fps) for _ in range(2))
    # linear: 4x the articles, 3x-6x the CPU time measured here (14x before the bounds: 6.6 s
    # then 90 s; quadratic would be 16x)
    assert large / max(small, 1e-3) < 9, (small, large)
    assert large < 30.0  # 0.9 s measured; generous for a loaded 2-core machine


class CountingIndex(StoryIndex):
    """A StoryIndex that counts its exact comparisons."""

    compared = 0

    def _similarity(self, a: Fingerprint, b: Fingerprint) -> tuple[float, Reason] | None:
        self.compared += 1
        return super()._similarity(a, b)


def test_comparisons_per_article_are_bounded() -> None:
    rules = StoryRules(max_candidates=8)
    index = CountingIndex(rules)
    worst = 0
    for i, (e, _) in enumerate(templated(600)):
        before = index.compared
        index.assign(e.id, float(i), fingerprint(e))
        worst = max(worst, index.compared - before)
    assert worst == rules.max_candidates  # without the bound it grows with the window


def test_templated_articles_about_other_companies_stay_apart() -> None:
    index = StoryIndex()
    verdicts = [
        index.assign(e.id, float(i), fingerprint(e)) for i, (e, _) in enumerate(templated(800))
    ]
    assert [v for v in verdicts if v.outcome != "new"] == []


def test_rewrites_are_found_after_a_flood_of_templated_articles() -> None:
    """Edits and translations of templated articles, 1,000 templated articles later."""
    flood = templated(1600, seed=8)
    late: dict[int, list[tuple[NewsEvent, str]]] = {}
    for i, (e, slots) in enumerate(flood[:600:20]):
        words = e.body.split()
        edited = " ".join([*words[:30], "reportedly", *words[32:]])
        late.setdefault(i * 20 + 1000, []).extend(
            [
                (event(id=f"{e.id}-edit", body=edited), e.id),
                (event(id=f"{e.id}-fr", body=_REWORDED.format(**slots)), e.id),
            ]
        )
    index = StoryIndex()
    story_of: dict[str, str] = {}
    found: list[tuple[str, Verdict, str]] = []
    for i, (e, _) in enumerate(flood):
        story_of[e.id] = index.assign(e.id, float(i), fingerprint(e)).story_id
        for version, original in late.get(i, []):
            found.append(
                (version.id, index.assign(version.id, float(i), fingerprint(version)), original)
            )
    assert len(found) == 60
    for version_id, verdict, original in found:
        assert verdict.story_id == story_of[original], (version_id, verdict)
        expected = "similar_text" if version_id.endswith("-edit") else "anchors"
        assert verdict.reason == expected, (version_id, verdict)


def test_rebuilt_index_gives_the_same_verdicts_after_a_flood() -> None:
    rules = StoryRules(max_articles=500, bucket_size=8)
    articles = [(e, fingerprint(e)) for e, _ in templated(900, seed=5)]
    index = StoryIndex(rules)
    for i, (e, fp) in enumerate(articles[:800]):
        index.assign(e.id, float(i), fp)
    rebuilt = StoryIndex(rules)
    for entry in index.entries():
        rebuilt.remember(entry)
    probes = [fp for _, fp in articles[800:]] + [fp for _, fp in articles[300:800:25]]
    edited = [
        fingerprint(event(id=f"{e.id}-x", body=e.body + " Shares rose."))
        for e, _ in articles[400:800:10]
    ]
    verdicts = [index.classify(fp) for fp in probes + edited]
    assert [rebuilt.classify(fp) for fp in probes + edited] == verdicts
    assert [v.outcome for v in verdicts[-len(edited) :]] == ["near_duplicate"] * len(edited)


def test_fingerprints_read_the_beginning_of_long_articles() -> None:
    head = " ".join(e.body for e, _ in templated(60))
    assert len(head) > FINGERPRINT_CHARS
    long = fingerprint(event(id="l1", body=head + " Other words, Other Names 77 million." * 30_000))
    short = fingerprint(event(id="l2", body=head))
    assert (long.text_sig, long.anchors) == (short.text_sig, short.anchors)
    assert long.keys.text != short.keys.text  # the exact key still reads the whole text
