"""Company names: packaged aliases, user extensions, names found by pattern."""

from __future__ import annotations

import pytest

from signals.entities import AliasTable, default_table, find_mentions, load_table
from signals.errors import ConfigError


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Twitter", "X"),
        ("X", "X"),
        ("xAI", "xAI"),
        ("Facebook", "Meta"),
        ("Google", "Google"),
        ("Google Cloud", "Google"),
        ("Alphabet", "Alphabet"),
        ("DeepMind", "Google DeepMind"),
        ("AWS", "AWS"),
        ("Amazon Web Services", "AWS"),
        ("Amazon", "Amazon"),
        ("TikTok", "TikTok"),
        ("NVIDIA", "Nvidia"),
        ("Mistral", "Mistral AI"),
        ("Oracle Cloud Infrastructure", "Oracle"),
    ],
)
def test_packaged_aliases(alias: str, canonical: str) -> None:
    assert default_table().canonical(alias) == canonical


def test_vendors_are_marked() -> None:
    table = default_table()
    assert table.is_vendor("Nvidia") and table.is_vendor("AMD")
    assert not table.is_vendor("Meta")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("La start-up Oxalis vient de lever des fonds.", ["Oxalis"]),
        ("Pellion, a Paris-based startup, has raised money.", ["Pellion"]),
        ("Chez Fernhill, on recrute.", ["Fernhill"]),
        ("Selon Les Echos, Hexa lève 3 M€.", ["Les Echos", "Hexa"]),
        ("C’est le cas d’X, le réseau social d’Elon Musk.", ["X", "Elon Musk"]),
        ("Valor Equity Partners and Vy Capital joined.", ["Valor Equity Partners", "Vy Capital"]),
        ("a $350m round for insurtech firm Bought by Many", ["Bought by Many"]),
        ("Twitter’s advertising revenue", ["Twitter"]),
        ("Paris-based Kairos landed $30M.", ["Kairos"]),
    ],
)
def test_mentions(text: str, names: list[str]) -> None:
    found = [m.text for m in find_mentions(text, default_table())]
    assert found == names


def test_roles() -> None:
    ms = {
        m.text: m.role
        for m in find_mentions("Bloomberg says Sam Altman met AMD in Paris.", default_table())
    }
    assert ms == {"Bloomberg": "media", "Sam Altman": "person", "AMD": "vendor", "Paris": "place"}


def test_user_extension_wins_and_keeps_the_packaged_table() -> None:
    table = load_table({"companies": [{"name": "Helios Compute", "aliases": ["Helios"]}]})
    assert table.canonical("Helios") == "Helios Compute"
    assert table.canonical("Twitter") == "X"
    assert default_table().canonical("Helios") == "Helios"


@pytest.mark.parametrize(
    "bad",
    [
        {"companies": "nope"},
        {"companies": [{"aliases": []}]},
        {"companies": [{"name": "A", "aliases": "B"}]},
        {"media": [1, 2]},
        [],
    ],
)
def test_bad_alias_data_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError):
        AliasTable.from_data(bad)  # type: ignore[arg-type]
