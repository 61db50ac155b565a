"""Actor resolution (signals.actors): obliques, relative clauses, subjects and pronouns."""

from __future__ import annotations

import re

import pytest

from signals.actors import actor_after, actor_before, in_relative, is_oblique
from signals.document import Document
from signals.entities import Mention, load_table
from signals.models import NewsEvent

TABLE = load_table()


def _mention(text: str, name: str) -> Mention:
    start = text.index(name)
    return Mention(name, name, start, start + len(name), "company", False)


@pytest.mark.parametrize(
    ("text", "name", "oblique"),
    [
        ("Shares of Meta rose", "Meta", True),
        ("Un accord signé par Mistral", "Mistral", True),
        ("Le rachat d'Arvalis", "Arvalis", True),
        ("Meta raised prices", "Meta", False),
        ("Hier, Mistral a levé 600 M€", "Mistral", False),
    ],
)
def test_a_name_after_a_preposition_is_oblique(text: str, name: str, oblique: bool) -> None:
    assert is_oblique(text, _mention(text, name)) is oblique


@pytest.mark.parametrize(
    ("text", "name", "inside"),
    [
        ("Fernleaf, which helps Acme triage patients, secured", "Acme", True),
        ("Kelio, qui équipe Bosch, lève 5 M€", "Bosch", True),
        ("Fernleaf secured money from Acme", "Acme", False),
    ],
)
def test_a_name_inside_a_relative_clause(text: str, name: str, inside: bool) -> None:
    assert in_relative(text, _mention(text, name)) is inside


def _doc(body: str) -> Document:
    return Document(NewsEvent(id="t", body=body), TABLE)


def test_the_subject_before_an_amount_and_a_pronoun_after_it() -> None:
    doc = _doc("Quantix raised $20 million in March. It will hire 50 engineers with $5 million.")
    first = doc.sentences[0].text
    actor, how = actor_before(doc, 0, first.index("$"))
    assert (actor is not None and actor.name, how) == ("Quantix", "subject")
    second = doc.sentences[1].text
    actor, how = actor_before(doc, 1, second.index("$"), vendors=True)
    assert (actor is not None and actor.name, how) == ("Quantix", "pronoun")
    # the Document's methods answer the same
    assert doc.actor_before(1, second.index("$"), vendors=True) == (actor, how)


def test_the_name_after_a_cue() -> None:
    doc = _doc("The round raised by Quantix closed on Monday.")
    text = doc.sentences[0].text
    pos = text.index("raised")
    cue = re.compile(r"^raised by\s+$")
    found = actor_after(doc, 0, pos, cue, vendors=True)
    assert found is not None and found.name == "Quantix"
    assert actor_after(doc, 0, pos, re.compile(r"^nothing"), vendors=True) is None
