"""The shapes the detection code takes so that its mypyc-compiled build is fast and the same
library: named tuples built through ``tuple.__new__``, ``str.lower(x)`` (a compiled
``x.lower()`` loses the final sigma), the gate of the elliptic GPU count, and a document that
releases its sentence views (no cyclic garbage per article). These tests also run on the
compiled build (tests/signals/test_compiled_build.py)."""

from __future__ import annotations

import ast
import gc
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from signals import NewsEvent, detect
from signals.cues import lowerings
from signals.detectors import gpu
from signals.document import Document
from signals.entities import Mention, _mention, load_table
from signals.numbers import Figure, _figure
from signals.text import Sentence, _sentence, split_sentences
from signals.triggers import words_of

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_news.jsonl"
_WORD = re.compile(r"\w+")


def test_named_tuple_builders_give_what_the_constructors_give() -> None:
    sentence = _sentence("body", 2, 5, 9, "Acme.")
    assert type(sentence) is Sentence and sentence == Sentence("body", 2, 5, 9, "Acme.")
    assert sentence.text == "Acme." and sentence.index == 2
    mention = _mention("Acme", "Acme", 0, 4, "company", False)
    assert type(mention) is Mention and mention == Mention("Acme", "Acme", 0, 4, "company", False)
    figure = _figure("money", Decimal(5), 1, 4, "EUR", False, True, None)
    assert type(figure) is Figure and figure == Figure(
        "money", Decimal(5), 1, 4, "EUR", scaled=True
    )
    assert figure.text_span == (1, 4) and figure.from_value is None


@pytest.mark.parametrize(
    "text",
    ["ΟΔΟΣ Acme lève 5 M€", "Acme ΣΟΦΙΑΣ.", "LevéeΣ", "Σ", "aΣ b", "Acme (ΟΔΟΣ) raises"],
)
def test_lowering_keeps_the_final_sigma(text: str) -> None:
    assert lowerings(text)[0] == text.lower()
    assert words_of(text) == set(_WORD.findall(text.lower()))
    doc = Document(NewsEvent(id="g", title=text, body=text), load_table())
    assert doc.text_lower() == doc.text.lower()
    assert [doc.lower(i) for i in range(len(doc.sentences))] == [
        s.text.lower() for s in doc.sentences
    ]


@pytest.mark.parametrize(
    "text",
    [
        "xAI n'en opère que 30 000.",
        "Elle en aurait 5 000.",
        "Elle en a 5 000.",
        "Le token en opère.",
        "Mixen opère 40 000 puces.",
        "Les tables 12 de Nvidia.",
        "Elle a acheté les 30 000 de Nvidia.",
        "It bought the 1,000 of Them.",
        "Some 350,000 of them run.",
        "Some 350,000 of theirs run.",
        "the 12 of t",
        "Aucun chiffre ici.",
    ],
)
def test_the_elliptic_gate_answers_as_the_full_pattern(text: str) -> None:
    assert gpu._elliptic(text) is (gpu._ELLIPSIS.search(text) is not None)


def _articles() -> list[NewsEvent]:
    lines = DEV.read_text("utf-8").splitlines()[:60]
    return [NewsEvent.model_validate(json.loads(line)) for line in lines if line.strip()]


def test_detect_leaves_no_cyclic_garbage() -> None:
    events = _articles()
    assert any(detect(e) for e in events)  # the articles do reach the detectors
    gc.collect()
    gc.disable()
    flags = gc.get_debug()
    try:
        gc.set_debug(gc.DEBUG_SAVEALL)
        for e in events:
            detect(e)
        gc.collect()
        left = [o for o in gc.garbage if type(o).__module__.startswith("signals")]
        gc.garbage.clear()
    finally:
        gc.set_debug(flags)
        gc.enable()
    assert left == []


def test_a_released_document_still_answers() -> None:
    event = NewsEvent(id="r", title="Acme lève 5 millions d'euros", body="Acme a levé 5 M€.")
    doc = Document(event, load_table())
    before = [doc.view(i).figures for i in range(len(doc.sentences))]
    doc.release()
    assert [doc.view(i).figures for i in range(len(doc.sentences))] == before
    assert split_sentences(event.body, "body")[0].text == "Acme a levé 5 M€."


def _compiled_modules() -> list[Path]:
    """The modules setup.py compiles with mypyc."""
    repo = Path(__file__).resolve().parents[2]
    listed = re.findall(r'"(signals/[\w/]+\.py)"', (repo / "setup.py").read_text("utf-8"))
    assert listed, "setup.py lists no module"
    return [repo / name for name in listed]


def test_compiled_modules_lower_through_str_lower() -> None:
    """``x.lower()`` compiled by mypyc misses the final sigma: only ``str.lower(x)`` there."""
    found = []
    for path in _compiled_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "lower"
                and not node.args  # Document.lower(i) is ours
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "str")
            ):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
