"""The fast paths of signals.numbers against the plain forms they replace."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from signals import numbers
from signals.cues import lowered
from signals.errors import ParseError
from signals.numbers import Figure, FigureKind

# pieces of figures (and of things that are not) that sentences are built from
_PIECES = [
    "1", "12", "123", "2024", "1,5", "1.5", "0,500", "1 500", "1\u00a0500", "1\u202f500",
    "1\u2009500", "2,500,000", "1.500,5", "1,500.5", "1234,567", "١٢", "$", "€", "£", "us$",
    "c$", "hk$", "usd", "EUR", "gbp", "M", "m", "bn", "b", "k", "md", "mds", "mln", "billion",
    "milliards", "millions", "mille", "thousand", "%", "percent", "pour cent", "pc", "e",
    "euros", "de dollars", "d’euros", "livres sterling", "francs suisses", "de", "from", "à",
    "to", "-", "−", "+", "–", "six", "un", "a", "half a", "thirty-five", "de moitié", "doublé",
    "tripled", "H100", "1GW", "4x", "İ", "ı", "secteur", "leur", "europe", "me", "Md$", "M€",
    "5-10", "27-29bn", "15 à 20", ".", ",", "’", "\u00a0",
]  # fmt: skip


def _sentences() -> st.SearchStrategy[str]:
    piece = st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", " ", " ", "\u00a0", "-"]))
    return st.lists(piece, min_size=1, max_size=8).map(lambda ps: "".join(a + b for a, b in ps))


def test_group_numbers_are_the_figure_patterns_groups() -> None:
    names = {
        "change": numbers._G_CHANGE, "pre": numbers._G_PRE, "sign": numbers._G_SIGN,
        "num": numbers._G_NUM, "range": numbers._G_RANGE, "pct": numbers._G_PCT,
        "scale": numbers._G_SCALE, "post": numbers._G_POST, "wnum": numbers._G_WNUM,
        "wscale": numbers._G_WSCALE, "wpost": numbers._G_WPOST,
    }  # fmt: skip
    for pattern in (numbers._FIGURE.low, numbers._FIGURE.folded):
        assert pattern.groups == len(names)
        assert {name: i - 1 for name, i in pattern.groupindex.items()} == names


def _plain_decimal(raw: str) -> str:
    try:
        return str(numbers._grouped_or_decimal(raw))
    except ParseError:
        return "ParseError"


@settings(max_examples=600, deadline=None)
@given(st.from_regex(re.compile(numbers._NUM), fullmatch=True))
@example("1,500")
@example("1.5")
@example("1 500")
@example("12 345")
@example("1234,567")
@example("0,500")
@example("1,500.25")
def test_to_decimal_is_the_general_path(raw: str) -> None:
    try:
        fast = str(numbers._to_decimal(raw))
    except ParseError:
        fast = "ParseError"
    assert fast == _plain_decimal(raw)


def _plain_from_match(m: re.Match[str]) -> Figure | None:
    """The figure of a match as read before m.groups(): one ``m.group(name)`` per group."""
    g = m.groupdict()
    start, end = m.span()
    if g["change"]:
        low = g["change"].lower()
        for key, value in numbers._CHANGE_VALUES:
            if key in low:
                return Figure("percent", value, start, end, None, True, False, None)
        return None
    if g["wnum"]:
        value = sum((numbers._WORDS[w] for w in g["wnum"].lower().split("-")), Decimal(0))
        value *= numbers._scale(g["wscale"])
        currency = numbers._currency(g["wpost"])
        counted: FigureKind = "money" if currency else "count"
        return Figure(counted, value, start, end, currency, False, True, None)
    sign, rng = g["sign"], g["range"]
    start = m.start("pre") if g["pre"] else m.start("sign") if sign else m.start("num")
    try:
        value = numbers._grouped_or_decimal(g["num"])
    except ParseError:
        return None
    negative = (sign or "") in ("-", "−")
    if g["pct"]:
        fig = Figure("percent", -value if negative else value, start, end, None, bool(sign))
        return _plain_upper(m, fig) if rng else fig
    scale_tok, pre, post = g["scale"], g["pre"], g["post"]
    if scale_tok and scale_tok.lower() in ("m", "b", "k") and not (pre or post):
        if m.string[m.end("num") : m.start("scale")] not in ("", "-"):
            scale_tok = None
    if post and post.strip().lower() == "e" and not scale_tok and not pre:
        post = None
    factor = numbers._scale(scale_tok)
    currency = numbers._currency(pre) or numbers._currency(post)
    if not (pre or post) and not scale_tok:
        end = m.end("range") if rng else m.end("num")
        if end < len(m.string) and m.string[end].isalpha():
            return None
    else:
        end = max(m.end(k) for k in ("num", "range", "scale", "post") if g[k])
        if scale_tok is None and post is None:
            end = m.end("range") if rng else m.end("num")
    total = -(value * factor) if negative else value * factor
    from_value = value * factor if rng else None
    kind: FigureKind = "money" if currency else "count"
    fig = Figure(kind, total, start, end, currency, bool(sign), bool(scale_tok), from_value)
    return _plain_upper(m, fig) if rng else fig


def _plain_upper(m: re.Match[str], fig: Figure) -> Figure:
    nums = re.findall(numbers._NUM, m.group("range"))
    try:
        upper = numbers._grouped_or_decimal(nums[-1]) * numbers._scale(m.group("scale"))
        lower = numbers._grouped_or_decimal(m.group("num")) * numbers._scale(m.group("scale"))
    except (ParseError, IndexError):
        return fig
    return fig._replace(value=upper, signed=False, from_value=lower)


def _as_text(figs: list[Figure | None]) -> list[str]:
    """Each figure with its values written out: Decimal("1.50") == Decimal("1.5")."""
    return [repr(f) if f is None else f"{f!r} {f.value} {f.from_value}" for f in figs]


@settings(max_examples=1500, deadline=None)
@given(_sentences())
@example("passe de 10 à 12 millions d’euros, +5,5 % et 6 m")
@example("$27-29bn, 15 à 20 milliards, 5-10 percent, 1GW, 3 me, 2 e")
def test_from_match_is_the_plain_reading_of_the_groups(text: str) -> None:
    plain = lowered(text)
    subject = text if plain is None else plain
    matches = numbers._candidates(text, plain)
    fast = [numbers._from_match(m, subject) for m in matches]
    assert _as_text(fast) == _as_text([_plain_from_match(m) for m in matches])


_PLAIN_MARKS = re.compile(r"[\d$€£¥](?:(?<=\d)\d*)?")


def test_the_mark_scan_finds_what_the_plain_class_finds_at_every_code_point() -> None:
    # every code point once, then each next to a digit and a symbol
    every = "".join(map(chr, range(0x110000)))
    for text in (every, "".join(f"{c}7{c}$" for c in every[::7])):
        plain = [m.span() for m in _PLAIN_MARKS.finditer(text)]
        assert [m.span() for m in numbers._SPOT_MARKS.finditer(text)] == plain


def _plain_spans(text: str) -> list[tuple[int, int]]:
    """The figure scan trying every start of every spot (no mark or code skipped)."""
    out: list[tuple[int, int]] = []
    cursor = 0
    plain = lowered(text)
    figure = numbers._FIGURE.on(plain is not None)
    subject = text if plain is None else plain
    for p in numbers._spots(numbers._lower_in_place(text)):
        if p < cursor:
            continue
        c = text[p]
        for start in numbers._starts(text, p, c.isdigit() or c in "$€£¥"):
            m = figure.match(subject, start) if start >= cursor else None
            if m is not None and m.end() > p:
                out.append(m.span())
                cursor = max(m.end(), p + 1)
                break
    return out


_GLUED_PIECES = [
    "h", "a", "x", "_", "é", "İ", "EUR", "eur", "USD", "CHF", "chf", "CAD", "us", "1", "100",
    "5,5", "$", "€", "£", "¥", "s", " ", "-", "+", ".", "²", "٣", "M", "m", "millions", "à", "de ",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_GLUED_PIECES), min_size=1, max_size=10).map("".join))
@example("h100 gpus, a100s, x$5, EUR5 and eur5 million, us$5, 5h100, CHF5 m, JPY7")
def test_marks_glued_to_a_word_are_skipped_without_losing_a_figure(text: str) -> None:
    assert [m.span() for m in numbers._candidates(text, lowered(text))] == _plain_spans(text)


def _plain_starts(text: str, p: int) -> list[int]:
    """Where a figure holding the digit or symbol at ``p`` can start, inserting as it goes."""
    starts = [p]
    k = p - 1
    if k >= 0 and text[k] in "+-−":
        starts.insert(0, k)
        k -= 1
    while k >= 0 and p - k <= 3 and text[k] in " \u00a0\u202f":
        k -= 1
    if k >= 0 and text[k] in "$€£¥":
        s = k
        while s > 0 and k - s < 4 and (text[s - 1].isalpha() or text[s - 1] == "."):
            s -= 1
        starts[:0] = [s, k] if s != k else [k]
    elif k >= 2 and text[k - 2 : k + 1] in numbers._CODES:
        starts.insert(0, k - 2)
    return starts


_START_PIECES = [
    "5", "12", "+", "-", "−", " ", "\u00a0", "\u202f", "$", "€", "£", "¥", "us", "u.s.", "c", "ca",
    "hk", "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "CAD", "usd", "x", "X", "D", "Y", ".", "é",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_START_PIECES), min_size=1, max_size=10).map("".join))
@example("US$ 5, €-3, EUR 7, CHF  8, X 9, JPY+1, u.s.$ 2")
def test_the_starts_of_a_mark_are_those_found_inserting(text: str) -> None:
    for p, c in enumerate(text):
        if c.isdigit() or c in "$€£¥":
            assert numbers._starts(text, p, True) == _plain_starts(text, p)


@given(st.sampled_from(_PIECES + ["de euros", "d'dollars", "DE ", "d’", "dé", "d", "de"]))
@example("d’euros")
@example("de dollars")
def test_a_currency_reads_de_and_d_apostrophe_as_the_plain_pattern(token: str) -> None:
    plain = re.sub(r"^(?:de |d['’])", "", token.strip().lower())
    assert numbers._currency(token) == numbers._currency(plain)
