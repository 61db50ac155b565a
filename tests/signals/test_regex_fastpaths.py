"""Regexes rewritten to be cheaper for ``re`` find what the plain forms they replace find, and
the keyword gates put in front of a regex hold for every match of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals import actors
from signals.detectors import gpu

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_news.jsonl"

# actors._OBLIQUE as it was written before the look-ahead: every alternative opens with \b
_PLAIN_OBLIQUE = re.compile(
    r"(?:\b(?:of|by|from|with|than|at|in|on|to|for|into|via|versus|vs|avec|par|pour|sur|dans|vers"
    r"|contre|à|au|aux|de|des|du|as|comme|including|like|such as|notamment|dont|parmi|among"
    r"|en|entre|between|outside|near|inside|across|around|and|et|or|ou)\s+"
    r"(?:(?:la|le|les|the|l['’]|ses|son|sa|its|their)\s*)?"
    r"|\b[dD]['’]|\b[dD]e\s+l['’]|\b(?:In|En|At|From|Dans|Au|Aux|À|A|Outside|Near)\s+"
    r"|\b(?:of|by|from|with|at|in|into|for|par|avec|pour|dans|auprès|aux|au|du|des)\s+"
    r"(?:a|an|the|its|their|two|three|several|un|une|le|la|les|l['’]|son|sa|ses|deux|trois"
    r"|plusieurs)\s*(?:[a-zà-ÿ][\w\-]*\s+){0,2}"
    r"|\b(?:du|des|aux|au)\s+(?:[a-zà-ÿ][\w\-]*\s+){1,2})$"
)

_PIECES = st.sampled_from(
    ["of", "by", "the", "a", "de", "d'", "D’", "De l'", "l’", "du", "des", "aux", "au", "À",
     "à", "In", "En", "At", "Near", "auprès", "such as", "its", "their", "trois", "fonds",
     "régional", "Harvard", "lab", "x-ray", "Acme", "ÉCOLE", "élan", "ÿ", "İ", "ſ", "_", "7",
     "enough for", "ENOUGH TO POWER", "ſpace for", "Room for", "capable d’", "pourrait héberger",
     "up to", "K", "ı", " ", " ", "  ", "\n", "\u00a0", ",", ".", "-", "'", "(", "µ"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=16).map("".join)


# gpu._CAPACITY_BEFORE without its look-ahead
_PLAIN_CAPACITY = re.compile(
    gpu._CAPACITY_BEFORE.pattern.removeprefix("(?=[a-z])"), gpu._CAPACITY_BEFORE.flags
)
_PAIRS = [(actors._OBLIQUE, _PLAIN_OBLIQUE), (gpu._CAPACITY_BEFORE, _PLAIN_CAPACITY)]


def _same_oblique(text: str) -> None:
    for fast, plain in _PAIRS:
        for k in range(len(text) + 1):
            new, old = fast.search(text, k), plain.search(text, k)
            assert (new and new.span()) == (old and old.span()), (plain.pattern, text, k)


def test_the_plain_capacity_form_is_another_pattern() -> None:
    assert _PLAIN_CAPACITY.pattern.startswith("\\b(?:enough")


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_fast_forms_find_what_the_plain_forms_find(text: str) -> None:
    _same_oblique(text)


@pytest.mark.parametrize(
    "text",
    ["backed by ", "l'investissement d’", "fonds régional de l’", "by two former ", "Acme"],
)
def test_oblique_examples(text: str) -> None:
    _same_oblique(text)
    assert (actors._OBLIQUE.search(text) is None) is (text == "Acme")


def test_oblique_on_the_dev_set() -> None:
    for line in DEV.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            text = f"{d.get('title') or ''}\n{d['body']}"
            for end in range(0, len(text), 7):
                window = text[max(0, end - 40) : end]
                for fast, plain in _PAIRS:
                    new, old = fast.search(window), plain.search(window)
                    assert (new and new.span()) == (old and old.span()), window
