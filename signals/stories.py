"""One story told many times: exact-duplicate keys and near-duplicate fingerprints of articles.

Pure and deterministic: no clock, no randomness from the environment. The MinHash permutations
come from a fixed seed, band keys from BLAKE2b, and every collection that is iterated keeps
insertion order, so the same articles in the same order give the same story ids in any process.

Two channels find near-duplicates:

- **text**: MinHash over word 3-shingles (stopwords kept out), for the same copy lightly edited;
- **anchors**: the proper names and the numbers (scaled: ``6 milliards`` and ``$6 billion`` are
  both ``n:6000000000``) of the article. They survive rewriting and translation, so a French and an
  English version of one story share them while sharing almost no words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from signals.models import NewsEvent, stable_id

NUM_PERM = 64  # signature length (bins of one-permutation hashing)
_BIN_BITS = 6  # log2(NUM_PERM)
_EMPTY_STEP = 1 << 58  # added per bin walked when an empty bin borrows a neighbour's value
# Near-duplicates are told apart by their beginning: words and names past this many characters
# of title and body only cost time (the exact text key still reads the whole text).
FINGERPRINT_CHARS = 20_000

_STOPWORDS = frozenset(
    (
        # English
        "a an the and or but of to in on at for from by with as is are was were be been has have "
        "had it its this that these those which who whom what when where while than then so such "
        "not no into over under about after before between also more most some any all can could "
        "will would should may might must do does did he she they we you i his her their our your "
        "said says according new just now one two up out"
        # French
        " le la les l un une des du de d et ou mais donc car ni que qu qui quoi dont ou en dans "
        "sur sous par pour avec sans chez au aux ce cet cette ces se sa son ses leur leurs "
        "nous vous "
        "il elle ils elles on est sont a ont ete etre avait avoir fait plus moins tres aussi comme "
        "ne pas n s c y lui selon apres avant entre deja encore mais"
    ).split()
)

_TRACKING_PARAMS = frozenset(("fbclid", "gclid", "mc_cid", "mc_eid", "xtor", "ref", "cmp"))
_WORD = re.compile(r"[0-9a-z]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text without accents, casefolded (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def normalize_text(text: str) -> str:
    """Text without accents, case or punctuation: ``"L'IA lève!"`` -> ``"l ia leve"``."""
    return " ".join(_WORD.findall(fold(text)))


def canonical_url(url: str | None) -> str | None:
    """The URL with scheme, ``www.``, fragment, tracking parameters and trailing slash dropped."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return None
    host = parts.hostname or ""
    host = host.removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host + port, path, urlencode(sorted(query)), "")).lstrip("/")


@dataclass(frozen=True)
class ExactKeys:
    """Keys under which two articles are the same article: id, canonical URL, normalised text."""

    id: str
    url: str | None
    text: str | None

    def all(self) -> list[tuple[str, str]]:
        """``(reason, key)`` pairs, ``reason`` one of ``id``, ``url``, ``text``."""
        out = [("id", self.id)]
        if self.url:
            out.append(("url", self.url))
        if self.text:
            out.append(("text", self.text))
        return out


def exact_keys(event: NewsEvent) -> ExactKeys:
    """The exact-duplicate keys of an article (text key only for at least 40 normalised chars)."""
    return _exact_keys(event, normalize_text(f"{event.title or ''} {event.body}"))


def _exact_keys(event: NewsEvent, text: str) -> ExactKeys:
    url = canonical_url(event.url)
    return ExactKeys(
        id=event.id,
        url=stable_id("url", url) if url else None,
        text=stable_id("text", text, length=32) if len(text) >= 40 else None,
    )


# ---------------------------------------------------------------- anchors: names and numbers

_SCALES = {
    "thousand": 3,
    "k": 3,
    "mille": 3,
    "million": 6,
    "millions": 6,
    "m": 6,
    "mn": 6,
    "billion": 9,
    "billions": 9,
    "bn": 9,
    "b": 9,
    "milliard": 9,
    "milliards": 9,
    "md": 9,
    "mds": 9,
    "mrd": 9,
    "trillion": 12,
    "tn": 12,
}
_NUMBER_WORDS = {
    w: i
    for i, names in enumerate(
        (
            "",
            "one un une",
            "two deux",
            "three trois",
            "four quatre",
            "five cinq",
            "six",
            "seven sept",
            "eight huit",
            "nine neuf",
            "ten dix",
        )
    )
    for w in names.split()
}
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:(?:[ \u00a0\u202f]|[.,](?=\d{3}(?!\d)))\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?:\s*(%|percent|pour\s?cent|[a-z]+\b))?"
)
_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len)[::-1]) + r")\s+([a-z]+)\b"
)
_NAME = re.compile(r"\b[\w'’.&]*[A-Z][\w'’&]*")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n«\"“]\s*)$")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_RUNS_OF_SPACE = re.compile(r"\s+")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_SEPARATORS = re.compile(r"[.,]")


def _number_anchor(digits: str, unit: str | None) -> str | None:
    raw = _SPACES.sub("", digits)
    if _GROUPED.fullmatch(raw) and not (unit and unit in _SCALES):
        raw = _SEPARATORS.sub("", raw)  # thousands separators
    else:
        raw = raw.replace(",", ".")
        if raw.count(".") > 1:
            raw = raw.replace(".", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if unit in ("%", "percent", "pourcent", "pour cent"):
        return f"p:{value.normalize():f}"
    if unit in _SCALES:
        value = value.scaleb(_SCALES[unit])
    if value < 10 and unit not in _SCALES:
        return None  # small bare numbers ("3 companies", "page 2") say nothing about a story
    return f"n:{value.normalize():f}"


def number_anchors(text: str) -> list[str]:
    """Numbers stated in a text, scaled and formatted alike in French and English."""
    folded = fold(text).replace("$", " ").replace("€", " ").replace("£", " ")
    out: list[str] = []
    for m in _NUMBER.finditer(folded):
        unit = m.group(2)
        unit = _RUNS_OF_SPACE.sub(" ", unit) if unit else None
        anchor = _number_anchor(m.group(1), unit)
        if anchor:
            out.append(anchor)
    for m in _WORD_NUMBER.finditer(folded):
        if m.group(2) in _SCALES and _SCALES[m.group(2)] >= 6:
            out.append(f"n:{Decimal(_NUMBER_WORDS[m.group(1)]).scaleb(_SCALES[m.group(2)]):f}")
    return out


def name_anchors(text: str) -> list[str]:
    """Proper names: capitalised words that do not just open a sentence and are not stopwords."""
    out: list[str] = []
    for m in _NAME.finditer(text):
        word = m.group().strip("'’.&")
        start = m.start()
        if word.istitle() and _SENTENCE_START.search(text[max(0, start - 3) : start]):
            continue  # "Today", "Mais", "L'argent": a capital because a sentence starts here
        if "'" in word or "’" in word:
            word = _ELISION.sub("", word)
        key = "".join(_WORD.findall(fold(word)))
        if len(key) < 2 or key in _STOPWORDS or key.isdigit():
            continue
        out.append(f"e:{key}")
    return out


def anchors(event: NewsEvent) -> frozenset[str]:
    """The names and numbers of an article (its first ``FINGERPRINT_CHARS`` characters): what a
    rewrite or a translation keeps."""
    text = f"{event.title or ''}\n{event.body}"[:FINGERPRINT_CHARS]
    return frozenset(name_anchors(text)) | frozenset(number_anchors(text))


def shingles(text: str, k: int = 3) -> frozenset[str]:
    """Word ``k``-shingles of the normalised text, stopwords removed."""
    return _shingles(normalize_text(text), k)


def _shingles(normalized: str, k: int = 3) -> frozenset[str]:
    words = [w for w in normalized.split() if w not in _STOPWORDS]
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(k)), strict=False)))


# ---------------------------------------------------------------- MinHash


def minhash(features: frozenset[str]) -> tuple[int, ...]:
    """A MinHash signature (``NUM_PERM`` values) of a feature set; ``()`` for an empty set.

    One-permutation hashing: each feature is hashed once (BLAKE2b, no seed from the
    environment) into one of ``NUM_PERM`` bins, each bin keeps its smallest value, and an empty
    bin borrows the value of the next non-empty bin to its right, offset by the distance walked
    (densification). Two sets agree on a bin with probability close to their Jaccard index,
    as with ``NUM_PERM`` independent permutations, at the cost of one hash per feature.
    """
    if not features:
        return ()
    mask, empty, blake2b, from_bytes = NUM_PERM - 1, _EMPTY_STEP, hashlib.blake2b, int.from_bytes
    bins = [empty] * NUM_PERM  # values are below 2**58: ``empty`` is above all of them
    for feature in features:
        h = from_bytes(blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
        slot, value = h & mask, h >> _BIN_BITS
        if value < bins[slot]:
            bins[slot] = value
    out = bins[:]
    for i in range(NUM_PERM):
        if bins[i] == empty:
            walked = 1
            while bins[(i + walked) & mask] == empty:
                walked += 1
            out[i] = bins[(i + walked) & mask] + walked * _EMPTY_STEP
    return tuple(out)


def estimated_jaccard(sig_a: tuple[int, ...], sig_b: tuple[int, ...]) -> float:
    """The share of equal positions of two signatures: an estimate of their sets' Jaccard index."""
    if not sig_a or not sig_b:
        return 0.0
    return sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / len(sig_a)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Exact Jaccard index of two sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def band_keys(channel: str, signature: tuple[int, ...], rows: int) -> list[int]:
    """LSH band keys: one per band of ``rows`` values. Two similar signatures share a band.

    A key is the hash of a tuple of ints (channel tag, band start, values): cheap, and the same
    in every process (only ``str`` and ``bytes`` hashes are salted per process). Keys live in
    memory only, never persisted: they may differ between Python versions.
    """
    tag = zlib.crc32(channel.encode("utf-8"))
    return [
        hash((tag, start, *signature[start : start + rows]))
        for start in range(0, len(signature) - rows + 1, rows)
    ]


@dataclass(frozen=True)
class Fingerprint:
    """What the story index keeps of an article."""

    keys: ExactKeys
    text_sig: tuple[int, ...]
    anchors: frozenset[str]
    anchor_sig: tuple[int, ...]

    @cached_property
    def figures(self) -> frozenset[str]:
        """The anchors that are numbers or percentages."""
        return frozenset(a for a in self.anchors if a.startswith(("n:", "p:")))


def fingerprint(event: NewsEvent) -> Fingerprint:
    """Exact keys (whole text), text MinHash and anchors (first ``FINGERPRINT_CHARS``) of one
    article."""
    text = f"{event.title or ''} {event.body}"
    normalized = normalize_text(text)
    if len(text) > FINGERPRINT_CHARS:
        shingled = _shingles(normalize_text(text[:FINGERPRINT_CHARS]))
    else:
        shingled = _shingles(normalized)
    found = anchors(event)
    return Fingerprint(
        keys=_exact_keys(event, normalized),
        text_sig=minhash(shingled),
        anchors=found,
        anchor_sig=minhash(found),
    )
