"""Number grammar: every form the issue lists, in both languages, plus property-based tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signals.errors import ParseError
from signals.numbers import find_figures, parse_amount, parse_count, parse_percent

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("6 milliards de dollars", "6e9", "USD"),
        ("$6B", "6e9", "USD"),
        ("$6.5 billion", "6.5e9", "USD"),
        ("6,5 Md$", "6.5e9", "USD"),
        ("500 M€", "5e8", "EUR"),
        ("€500m", "5e8", "EUR"),
        ("£322m", "3.22e8", "GBP"),
        ("308,0 ME", "3.08e8", "EUR"),
        ("1 955 ME", "1.955e9", "EUR"),
        ("six milliards d’USD", "6e9", "USD"),
        ("385 millions $", "3.85e8", "USD"),
        ("2,5 millions d’euros", "2.5e6", "EUR"),
        ("un million d'euros", "1e6", "EUR"),
        ("half a billion dollars", "5e8", "USD"),
        ("US$ 40 million", "4e7", "USD"),
        ("12 millions de livres sterling", "1.2e7", "GBP"),
    ],
)
def test_amounts(text: str, value: str, currency: str) -> None:
    assert parse_amount(text) == (Decimal(value), currency)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("350 000", 350_000),
        (f"350{NBSP}000", 350_000),
        (f"350{NNBSP}000", 350_000),
        ("350.000", 350_000),
        ("350,000", 350_000),
        ("100K", 100_000),
        ("1.5bn", 1_500_000_000),
        ("un million", 1_000_000),
        ("le million", 1_000_000),
        ("10 millions", 10_000_000),
        ("1 000 000", 1_000_000),
        ("deux mille", 2000),
    ],
)
def test_counts(text: str, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12,5 %", "12.5"),
        ("+3,1%", "3.1"),
        ("-3,7%", "-3.7"),
        ("20%", "20"),
        ("2 percent", "2"),
        ("50 Percent", "50"),
        ("38 pour cent", "38"),
        ("de moitié", "-50"),
        ("halved", "-50"),
        ("doublé", "100"),
        ("doubled", "100"),
        ("tripled", "200"),
    ],
)
def test_percentages(text: str, value: str) -> None:
    assert parse_percent(text) == Decimal(value)


def test_from_to_takes_the_scale_of_the_second_number() -> None:
    (fig,) = find_figures("le chiffre d'affaires passe de 10 à 12 millions d'euros")
    assert (fig.kind, fig.value, fig.currency) == ("money", Decimal("12e6"), "EUR")
    assert fig.from_value == Decimal("10e6")


def test_change_in_sentence_keeps_its_span() -> None:
    text = "Les revenus ont chuté de moitié, en hausse de 12,5 % ailleurs, down 20% year over year."
    figs = find_figures(text)
    assert [text[f.start : f.end] for f in figs] == ["de moitié", "12,5 %", "20%"]


@pytest.mark.parametrize("text", ["1GW", "H100", "6 mois", "", "abc", "$"])
def test_not_an_amount(text: str) -> None:
    with pytest.raises(ParseError):
        parse_amount(text)


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_count("trois pommes et demie")


def _grouped(n: int, sep: str) -> str:
    s = str(n)
    groups: list[str] = []
    while len(s) > 3:
        groups.insert(0, s[-3:])
        s = s[:-3]
    groups.insert(0, s)
    return sep.join(groups)


@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from([" ", NBSP, NNBSP, ",", "."]))
def test_grouped_integers_round_trip(n: int, sep: str) -> None:
    assert parse_count(_grouped(n, sep)) == n


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=9),
    st.sampled_from(
        [
            ("milliards de dollars", Decimal(10) ** 9, "USD", ","),
            ("millions d'euros", Decimal(10) ** 6, "EUR", ","),
            ("billion dollars", Decimal(10) ** 9, "USD", "."),
            ("M€", Decimal(10) ** 6, "EUR", ","),
            ("Md$", Decimal(10) ** 9, "USD", ","),
        ]
    ),
)
def test_scaled_amounts_round_trip(
    whole: int, tenth: int, unit: tuple[str, Decimal, str, str]
) -> None:
    words, scale, currency, decimal_sep = unit
    text = f"{whole}{decimal_sep}{tenth} {words}"
    value, cur = parse_amount(text)
    assert cur == currency
    assert value == (Decimal(whole) + Decimal(tenth) / 10) * scale


@given(st.decimals(min_value=-99, max_value=99, places=1, allow_nan=False), st.booleans())
def test_percent_round_trip(value: Decimal, french: bool) -> None:
    raw = f"{abs(value):.1f}".replace(".", "," if french else ".")
    sign = "+" if value >= 0 else "-"
    assert parse_percent(f"{sign}{raw}{' ' if french else ''}%") == value


@given(st.text(max_size=300))
def test_scanner_never_crashes_and_spans_are_in_bounds(text: str) -> None:
    for fig in find_figures(text):
        assert 0 <= fig.start < fig.end <= len(text)


def test_a_letter_that_lowers_longer_does_not_shift_figures() -> None:
    # "İ".lower() is two characters: spots found in the lowered text must stay offsets of the text
    text = "İİİ İzmir: 5 million dollars, İ5 and 7"
    figures = find_figures(text)
    assert [text[f.start : f.end] for f in figures][:1] == ["5 million dollars"]
    assert all(text[f.start : f.end].strip() for f in figures)
