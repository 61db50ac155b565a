"""A window of recent articles that says, for each new one: duplicate, rewrite of a story, or new.

Pure and deterministic. The caller hands in the article's event time as seconds (the index never
reads a clock) and feeds articles in one order: the same order gives the same story ids.

The cost of one article is bounded, whatever the window holds. Templated wire copy (one template,
many companies and figures) puts thousands of articles in the same LSH buckets; comparing a new
article with all of them made the index quadratic. So each bucket keeps only its most recent
``bucket_size`` articles, and of the articles met in the buckets only the ``max_candidates`` that
share the most buckets (at most ``per_story`` of one story) are compared exactly: at most
``bands * bucket_size`` counts and ``max_candidates`` comparisons per article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from signals.models import stable_id
from signals.stories import (
    Fingerprint,
    band_keys,
    estimated_jaccard,
)

Outcome = Literal["new", "near_duplicate", "duplicate"]
Reason = Literal["id", "url", "text", "similar_text", "anchors"]


@dataclass(frozen=True)
class StoryEntry:
    """One remembered article: its story, event time (epoch seconds), source and fingerprint."""

    article_id: str
    story_id: str
    at: float
    source: str | None
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Verdict:
    """What the index decided for one article."""

    outcome: Outcome
    story_id: str
    matched: str | None = None  # the article id it duplicates or rewrites
    reason: Reason | None = None
    similarity: float = 1.0


def new_story_id(article_id: str) -> str:
    """The id of a story first told by ``article_id``."""
    return stable_id("story", article_id)


@dataclass(frozen=True)
class StoryRules:
    """When two articles are one story. Defaults measured on hand-written FR/EN rewrites."""

    window_s: float = 48 * 3600
    max_articles: int = 20_000
    text_threshold: float = 0.5
    anchor_threshold: float = 0.3
    min_shared_anchors: int = 3
    text_rows: int = 4  # 16 bands of 4: candidates from a Jaccard of about 0.5
    anchor_rows: int = 2  # 32 bands of 2: candidates from about 0.2, then checked exactly
    # bounds on the work per article (see the module docstring)
    bucket_size: int = 16
    max_candidates: int = 32
    per_story: int = 4
    # two articles that both state figures are one story only if this share of the fewer is
    # common to both: templated wire copy (same words, other company and figures) stays apart
    figure_share: float = 0.5


class StoryIndex:
    """Recent articles, their exact keys and their LSH buckets, bounded by time and count."""

    def __init__(self, rules: StoryRules | None = None) -> None:
        self.rules = rules or StoryRules()
        self._entries: dict[str, StoryEntry] = {}
        self._seq: dict[str, int] = {}
        self._by_seq: dict[int, StoryEntry] = {}
        self._next_seq = 0
        self._exact: dict[str, str] = {}
        # bucket -> seqs of its most recent articles, oldest first (seqs only grow)
        self._buckets: dict[int, list[int]] = {}
        self._watermark = float("-inf")
        self._evicted: list[str] = []
        self._last_keys: tuple[Fingerprint, list[int]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def drain_evicted(self) -> list[str]:
        """Ids of the articles forgotten since the last call (for a caller that persists)."""
        out, self._evicted = self._evicted, []
        return out

    def entries(self) -> Iterator[StoryEntry]:
        """The remembered articles, oldest first (what a caller persists)."""
        return iter(self._entries.values())

    def assign(
        self, article_id: str, at: float, fingerprint: Fingerprint, source: str | None = None
    ) -> Verdict:
        """Classify an article and remember it unless it is an exact duplicate."""
        verdict = self.classify(fingerprint)
        if verdict.outcome != "duplicate":
            self.remember(StoryEntry(article_id, verdict.story_id, at, source, fingerprint))
        return verdict

    def classify(self, fingerprint: Fingerprint) -> Verdict:
        """The verdict for an article, without remembering it."""
        for reason, key in fingerprint.keys.all():
            hit = self._exact.get(f"{reason}:{key}")
            if hit is not None:
                return Verdict("duplicate", self._entries[hit].story_id, hit, reason)  # type: ignore[arg-type]
        best: tuple[float, int, StoryEntry, Reason] | None = None
        for seq in self._candidates(fingerprint):
            candidate = self._by_seq[seq]
            found = self._similarity(fingerprint, candidate.fingerprint)
            if found is None:
                continue
            score, reason = found
            if best is None or (score, -seq) > (best[0], best[1]):
                best = (score, -seq, candidate, reason)
        if best is None:
            return Verdict("new", new_story_id(fingerprint.keys.id), None, None, 0.0)
        score, _, entry, reason = best
        return Verdict("near_duplicate", entry.story_id, entry.article_id, reason, round(score, 4))

    def remember(self, entry: StoryEntry) -> None:
        """Add an article (also used to rebuild the index from persisted entries)."""
        if entry.article_id in self._entries:
            return
        seq = self._next_seq
        self._next_seq += 1
        self._entries[entry.article_id] = entry
        self._seq[entry.article_id] = seq
        self._by_seq[seq] = entry
        for reason, key in entry.fingerprint.keys.all():
            self._exact.setdefault(f"{reason}:{key}", entry.article_id)
        size = self.rules.bucket_size
        for bucket in self._bucket_keys(entry.fingerprint):
            members = self._buckets.get(bucket)
            if members is None:
                self._buckets[bucket] = [seq]
                continue
            members.append(seq)
            if len(members) > size:
                del members[0]  # the oldest: a flooded bucket stays useful, and cheap
        self._watermark = max(self._watermark, entry.at)
        self._evict()

    def _bucket_keys(self, fp: Fingerprint) -> list[int]:
        # classify then remember the same fingerprint: compute its keys once
        last = self._last_keys
        if last is not None and last[0] is fp:
            return last[1]
        keys = band_keys("text", fp.text_sig, self.rules.text_rows) + band_keys(
            "anchors", fp.anchor_sig, self.rules.anchor_rows
        )
        self._last_keys = (fp, keys)
        return keys

    def _candidates(self, fp: Fingerprint) -> list[int]:
        """Seqs of the articles to compare: those sharing the most buckets, the latest first."""
        buckets = self._buckets
        shared = Counter(chain.from_iterable(buckets.get(k, ()) for k in self._bucket_keys(fp)))
        if len(shared) <= self.rules.max_candidates:
            return list(shared)
        out: list[int] = []
        per_story: Counter[str] = Counter()
        for _, seq in sorted(zip(shared.values(), shared.keys(), strict=True), reverse=True):
            story = self._by_seq[seq].story_id
            if per_story[story] >= self.rules.per_story:
                continue  # a story is judged by its closest few members, not all of them
            per_story[story] += 1
            out.append(seq)
            if len(out) >= self.rules.max_candidates:
                break
        return out

    def _similarity(self, a: Fingerprint, b: Fingerprint) -> tuple[float, Reason] | None:
        """(score, reason) when the two are one story: the larger of both similarities.

        Versions of one story keep most of its figures, whatever their words; one template filled
        in with another company's figures shares most words and names, and few figures. So when
        both state figures, at least ``figure_share`` of the fewer must be common to both.
        """
        shared_figures = len(a.figures & b.figures)
        if shared_figures < self.rules.figure_share * min(len(a.figures), len(b.figures)):
            return None
        anchor = 0.0
        # names alone (a company, its founder) make a topic, not one story: a figure must match
        if shared_figures:
            shared = len(a.anchors & b.anchors)
            if shared >= self.rules.min_shared_anchors:
                anchor = shared / len(a.anchors | b.anchors)
        text = estimated_jaccard(a.text_sig, b.text_sig)
        if text >= self.rules.text_threshold:
            return max(text, anchor), "similar_text"
        if anchor >= self.rules.anchor_threshold:
            return anchor, "anchors"
        return None

    def _evict(self) -> None:
        horizon = self._watermark - self.rules.window_s
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if oldest.at >= horizon and len(self._entries) <= self.rules.max_articles:
                return
            self._forget(oldest)

    def _forget(self, entry: StoryEntry) -> None:
        del self._entries[entry.article_id]
        seq = self._seq.pop(entry.article_id)
        del self._by_seq[seq]
        self._evicted.append(entry.article_id)
        for reason, key in entry.fingerprint.keys.all():
            if self._exact.get(f"{reason}:{key}") == entry.article_id:
                del self._exact[f"{reason}:{key}"]
        for bucket in self._bucket_keys(entry.fingerprint):
            members = self._buckets.get(bucket)
            if members is not None and seq in members:
                members.remove(seq)
                if not members:
                    del self._buckets[bucket]
