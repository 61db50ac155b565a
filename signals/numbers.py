"""Amounts, counts and percentages written in French or English -> Decimal + ISO currency.

One linear-time scanner (:func:`find_figures`) reads every figure of a sentence with its span;
:func:`parse_amount`, :func:`parse_count` and :func:`parse_percent` parse one whole string.
Every pattern is anchored by a look-behind so a run of digits or spaces is read once.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final, Literal, NamedTuple

from signals.cues import Cue, lowered
from signals.errors import ParseError
from signals.text import is_word_char, new_tuple

FigureKind = Literal["money", "count", "percent"]

_SP: Final = "[ \u00a0\u202f\u2009]"
# thousands groups (space, no-break space, narrow no-break space, dot, comma) or a plain number
_NUM: Final = (
    r"(?:\d{1,3}(?:[ \u00a0\u202f\u2009.,]\d{3}(?!\d))+(?:[.,]\d+(?![\d.,]\d))?"
    r"|\d{1,15}(?:[.,]\d+)?)"
)
_WORDS: Final[dict[str, Decimal]] = {
    "un": Decimal(1), "une": Decimal(1), "one": Decimal(1), "a": Decimal(1), "an": Decimal(1),
    "le": Decimal(1), "the": Decimal(1), "deux": Decimal(2), "two": Decimal(2),
    "trois": Decimal(3), "three": Decimal(3), "quatre": Decimal(4), "four": Decimal(4),
    "cinq": Decimal(5), "five": Decimal(5), "six": Decimal(6), "sept": Decimal(7),
    "seven": Decimal(7), "huit": Decimal(8), "eight": Decimal(8), "neuf": Decimal(9),
    "nine": Decimal(9), "dix": Decimal(10), "ten": Decimal(10), "onze": Decimal(11),
    "eleven": Decimal(11), "douze": Decimal(12), "twelve": Decimal(12),
    "quinze": Decimal(15), "fifteen": Decimal(15), "vingt": Decimal(20),
    "twenty": Decimal(20), "trente": Decimal(30), "thirty": Decimal(30),
    "cinquante": Decimal(50), "fifty": Decimal(50), "cent": Decimal(100),
    "hundred": Decimal(100), "half a": Decimal("0.5"), "demi": Decimal("0.5"),
    "forty": Decimal(40), "quarante": Decimal(40), "sixty": Decimal(60),
    "soixante": Decimal(60), "seventy": Decimal(70), "eighty": Decimal(80),
    "ninety": Decimal(90),
}  # fmt: skip
_TENS: Final = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS: Final = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_WORDNUM: Final = (
    rf"(?:{_TENS}-{_UNITS}|half a|un|une|one|an?|le|the|deux|two|trois|three|quatre|four"
    r"|cinq|five|six|sept|seven"
    r"|huit|eight|neuf|nine|dix|ten|onze|eleven|douze|twelve|quinze|fifteen|vingt|twenty"
    r"|trente|thirty|cinquante|fifty|cent|hundred|forty|quarante|sixty|soixante|seventy"
    r"|eighty|ninety)"
)
_SCALES: Final[dict[str, Decimal]] = {
    "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12, "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9, "b": Decimal(10) ** 9, "milliard": Decimal(10) ** 9,
    "md": Decimal(10) ** 9, "mds": Decimal(10) ** 9, "mrd": Decimal(10) ** 9,
    "mrds": Decimal(10) ** 9, "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6, "m": Decimal(10) ** 6, "thousand": Decimal(1000),
    "k": Decimal(1000), "mille": Decimal(1000), "millier": Decimal(1000),
}  # fmt: skip
# Longest first: "milliards" before "millions" before "m"; single letters must touch the digits.
_SCALE: Final = (
    r"(?:trillions?|billions?|milliards?|millions?|milliers?|mille|thousands?"
    r"|mds?|mrds?|md|mln|mn|bn|tn|[mbk])(?![a-zà-ÿ])|m(?=e(?![\w]))"
)
_WORD_SCALE: Final = (
    r"(?:trillions?|billions?|milliards?|millions?|milliers?|mille|thousands?)(?![a-zà-ÿ])"
)
# The figure patterns are written in lowercase: matched on the lowered text without
# IGNORECASE (about twice as fast in ``re``), or with it on a text whose lowering moves offsets.
_CUR_PRE: Final = (
    r"(?:us\$|u\.s\.\$|c\$|a\$|ca\$|hk\$|\$|€|£|¥"
    r"|(?:usd|eur|gbp|chf|jpy|cny|cad)(?=[ \u00a0\u202f\d]))"
)
_CUR_POST: Final = (
    r"(?:\$|€|£|¥|e(?![\w])|(?:de |d['’])?(?:dollars?(?: américains| us)?|euros?|usd|eur|gbp|chf"
    r"|jpy|cny|cad|livres?(?: sterling)?|pounds?(?: sterling)?|yens?|yuans?"
    r"|francs? suisses|swiss francs?|kronor|couronnes? suédoises|swedish kronor)(?![a-zà-ÿ]))"
)
_PCT: Final = (
    r"(?:%|percent(?:age points?)?(?![a-z])|per cent(?![a-z])|pour ?cents?(?![a-z])|pc(?![a-z]))"
)
_CHANGE_WORDS: Final = (
    r"\b(?:de moitié|halved|cut in half|by half|divisée?s? par deux|doublé|doubled|triplé"
    r"|tripled|quadruplé|quadrupled)(?![a-z])"
)
_CHANGE_VALUES: Final[tuple[tuple[str, Decimal], ...]] = (
    ("moitié", Decimal(-50)),
    ("half", Decimal(-50)),
    ("halved", Decimal(-50)),
    ("par deux", Decimal(-50)),
    ("quadrupl", Decimal(300)),
    ("tripl", Decimal(200)),
    ("doubl", Decimal(100)),
)

_FIGURE: Final = Cue(
    rf"(?P<change>{_CHANGE_WORDS})"
    rf"|(?=[\d$€£¥+\-−]|(?:us|u\.s\.|c|a|ca|hk)\$|(?:usd|eur|gbp|chf|jpy|cny|cad)[ \u00a0\u202f\d])"
    rf"(?<![\w.,$€£¥+\-−])(?P<pre>{_CUR_PRE})?{_SP}{{0,2}}(?P<sign>[+\-−](?=\d))?"
    rf"(?<![\w.,])(?P<num>{_NUM})"
    rf"(?:(?P<range>{_SP}?[-–à]{_SP}?(?:{_CUR_PRE})?{_NUM}(?=[ \u00a0\u202f]?[a-zà$€£]))?)"
    rf"(?:{_SP}{{0,2}}(?P<pct>{_PCT})"
    rf"|(?:{_SP}{{0,2}}|-)(?P<scale>{_SCALE})?(?:{_SP}{{0,2}}(?P<post>{_CUR_POST}))?)"
    rf"|\b(?P<wnum>{_WORDNUM}){_SP}{{1,2}}(?P<wscale>{_WORD_SCALE})"
    rf"(?:{_SP}{{0,2}}(?P<wpost>{_CUR_POST}))?"
)
_SYMBOLS: Final = {
    "$": "USD", "us$": "USD", "u.s.$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY",
    "c$": "CAD", "ca$": "CAD", "a$": "AUD", "hk$": "HKD", "e": "EUR",
}  # fmt: skip
_WORD_CURRENCIES: Final = (
    ("dollar", "USD"), ("euro", "EUR"), ("livre", "GBP"), ("pound", "GBP"), ("yen", "JPY"),
    ("yuan", "CNY"), ("franc", "CHF"), ("kronor", "SEK"), ("couronne", "SEK"),
    ("swedish", "SEK"), ("swiss", "CHF"),
)  # fmt: skip


class Figure(NamedTuple):
    """One figure read in a text: its kind, value, currency and span. A named tuple: as
    immutable as a frozen dataclass, and built about three times faster (articles hold dozens)."""

    kind: FigureKind
    value: Decimal
    start: int
    end: int
    currency: str | None = None
    signed: bool = False
    scaled: bool = False
    from_value: Decimal | None = None

    @property
    def text_span(self) -> tuple[int, int]:
        return self.start, self.end


def _figure(
    kind: FigureKind,
    value: Decimal,
    start: int,
    end: int,
    currency: str | None,
    signed: bool,
    scaled: bool,
    from_value: Decimal | None,
) -> Figure:
    """``Figure(...)`` with every field given, built faster."""
    return new_tuple(Figure, (kind, value, start, end, currency, signed, scaled, from_value))


_GROUPED: Final = re.compile(r"(\d{1,3})((?:[ .,]\d{3})+)([.,]\d+)?")
_SEPARATORS: Final = re.compile(r"[ .,]")


_MARKS: Final = (",", ".", " ", "\u00a0", "\u202f", "\u2009")


def _to_decimal(raw: str) -> Decimal:
    if raw.isdecimal():
        return Decimal(raw)  # plain digits: what the general path below gives them
    for mark in _MARKS:
        head, found, tail = raw.partition(mark)
        if found:
            # one mark between digits (most figures that are not plain digits): read as
            # _grouped_or_decimal reads it, without its regex
            if head.isdecimal() and tail.isdecimal():
                if len(tail) == 3 and len(head) <= 3:
                    return Decimal(head + tail)  # "1,500", "1.500", "1 500": thousands
                if mark == "," or mark == ".":
                    return Decimal(head + "." + tail)  # "1,5", "12.25", "1234,567": a decimal
            break
    return _grouped_or_decimal(raw)


def _grouped_or_decimal(raw: str) -> Decimal:
    """``raw`` (a match of _NUM) as a Decimal: groups of three digits are thousands."""
    s = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    groups = _GROUPED.fullmatch(s)
    if groups and (groups.group(3) or len({c for c in groups.group(2) if not c.isdigit()}) == 1):
        sep = groups.group(2)[0]
        # "1,5" is a decimal, but "1,500" / "1.500" / "1 500" are thousands
        int_part = groups.group(1) + _SEPARATORS.sub("", groups.group(2))
        frac = groups.group(3)
        if frac is not None and frac[0] == sep:
            raise ParseError(f"ambiguous number {raw!r}")
        return Decimal(int_part + ("." + frac[1:] if frac else ""))
    try:
        return Decimal(s.replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ParseError(f"not a number: {raw!r}") from exc


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
    t = str.lower(token.strip())
    if t[:1] == "d":
        # what ``^(?:de |d['’])`` removes
        if t[:3] == "de ":
            t = t[3:]
        elif t[:2] == "d'" or t[:2] == "d’":
            t = t[2:]
    if t in _SYMBOLS:
        return _SYMBOLS[t]
    if t[:3].upper() in {"USD", "EUR", "GBP", "CHF", "JPY", "CNY", "CAD"}:
        return t[:3].upper()
    for word, code in _WORD_CURRENCIES:
        if t.startswith(word):
            return code
    return None


def _scale(token: str | None) -> Decimal:
    if not token:
        return _ONE
    t = str.lower(token)
    if t in _SCALES:
        return _SCALES[t]
    return _SCALES.get(t.rstrip("s"), _ONE)


_ONE: Final = Decimal(1)
# Where each group of _FIGURE sits in ``m.groups()`` (its group number minus one; checked against
# the names by tests/signals/test_numbers_fast.py): one ``m.groups()`` costs a fifth of
# ``m.groupdict()``.
_G_CHANGE: Final = 0
_G_PRE: Final = 1
_G_SIGN: Final = 2
_G_NUM: Final = 3
_G_RANGE: Final = 4
_G_PCT: Final = 5
_G_SCALE: Final = 6
_G_POST: Final = 7
_G_WNUM: Final = 8
_G_WSCALE: Final = 9
_G_WPOST: Final = 10


def _from_match(m: re.Match[str], subject: str) -> Figure | None:
    """The figure of one :data:`_FIGURE` match ``m`` of ``subject``; None if it is not one."""
    g: tuple[str | None, ...] = m.groups()
    change = g[_G_CHANGE]
    if change:
        low = str.lower(change)
        for key, value in _CHANGE_VALUES:
            if key in low:
                start, end = m.span()
                return _figure("percent", value, start, end, None, True, False, None)
        return None
    wnum = g[_G_WNUM]
    if wnum:
        # "thirty-five": a compound of tens and units
        parts = str.lower(wnum).split("-")
        value = sum((_WORDS[w] for w in parts), Decimal(0)) * _scale(g[_G_WSCALE])
        currency = _currency(g[_G_WPOST])
        counted: FigureKind = "money" if currency else "count"
        start, end = m.span()
        return _figure(counted, value, start, end, currency, False, True, None)
    return _from_number(m, subject, g)


def _from_number(m: re.Match[str], subject: str, g: tuple[str | None, ...]) -> Figure | None:
    """:func:`_from_match` of a match of the numeral branch ("$6.5bn", "+12 %", "1 500")."""
    raw = g[_G_NUM]
    assert raw is not None
    pre, sign, rng = g[_G_PRE], g[_G_SIGN], g[_G_RANGE]
    # what the match opens with: the currency, else the sign, else the digits (the look-arounds
    # before them are empty)
    start = m.start() if pre else m.start(_G_SIGN + 1 if sign else _G_NUM + 1)
    try:
        value = _to_decimal(raw)
    except ParseError:
        return None
    negative = sign == "-" or sign == "−"
    if g[_G_PCT]:
        value = -value if negative else value
        fig = _figure("percent", value, start, m.end(), None, bool(sign), False, None)
        return _upper_of_range(rng, raw, None, fig) if rng else fig
    scale_tok, post = g[_G_SCALE], g[_G_POST]
    if scale_tok and not (pre or post) and str.lower(scale_tok) in ("m", "b", "k"):
        # "6 m" could be metres; a bare letter scale must touch the digits ("$6B", "100K", "1.5bn")
        if subject[m.end(_G_NUM + 1) : m.start(_G_SCALE + 1)] not in ("", "-"):
            scale_tok = None
    if post and not scale_tok and not pre and str.lower(post.strip()) == "e":
        post = None
    factor = _scale(scale_tok)
    currency = _currency(pre) or _currency(post)
    if scale_tok or post:
        end = m.end()  # the scale or the currency after it ends the match
    else:
        end = m.end(_G_RANGE + 1 if rng else _G_NUM + 1)
        if not pre and end < len(subject) and subject[end].isalpha():
            return None  # "1GW", "4x", "H100": a unit or a name, not a figure
    total = value * factor
    from_value = total if rng else None
    if negative:
        total = -total
    kind: FigureKind = "money" if currency else "count"
    fig = _figure(kind, total, start, end, currency, bool(sign), bool(scale_tok), from_value)
    if rng:
        # "$27-29bn", "15 à 20 milliards": keep the range's upper bound, scaled like it
        return _upper_of_range(rng, raw, g[_G_SCALE], fig)
    return fig


_FROM_TO: Final = re.compile(
    rf"(?<![\w])(?:de|from|passe de|passé de|passant de)\s(?P<a>{_NUM})\s(?:à|to)\s", re.IGNORECASE
)


def find_figures(text: str) -> list[Figure]:
    """Every amount of money, count and percentage in ``text``, in order, with spans.

    "passe de 10 à 12 millions" gives one figure 12 million with ``from_value`` 10 million.
    """
    return find_figures_lowered(text, lowered(text))


def find_figures_lowered(text: str, plain: str | None) -> list[Figure]:
    """:func:`find_figures` of ``text`` given ``plain``, its :func:`signals.cues.lowered` form
    (None when lowering moves offsets), for a caller that has lowered it already."""
    out: list[Figure] = []
    subject = text if plain is None else plain
    for m in _candidates(text, plain):
        fig = _from_match(m, subject)
        if fig is not None:
            out.append(fig)
    return _link_from_to(text, out)


# Cheap first pass: where a figure can be. The full grammar is only tried at a few starts there.
# The spots are the matches of ``\d+|[$€£¥]|illi|mille|moiti|...`` in the lowercased text, found
# as a digit or currency scan plus ``str.find`` of each word: ``re`` would try the alternation at
# every position (see ``_spots``).
# A run of digits, or a currency symbol. The scan tests each letter against its first class, a
# bitmap: the complement of what cannot open a mark below U+0660 (every decimal digit past ASCII is
# at or above it, as is "€"). That costs ``re`` half the test of ``[\d$€£¥]`` (a category lookup
# per letter); the look-behinds then keep what ``[\d$€£¥]`` matches ("’" or "–" is tried and
# dropped). Negated, the class compiles in a millisecond; ``[0-9$£¥\u0660-\U0010ffff]`` takes 25.
_SPOT_MARKS: Final = re.compile(r"[^\x00-#%-/:-\xa2\xa4\xa6-\u065f](?:(?<=\d)\d*|(?<=[$€£¥]))")
_SPOT_WORDS: Final[tuple[str, ...]] = (
    "illi", "mille", "moiti", "half", "halv", "par deux", "doubl", "tripl", "quadrupl",
    "thousand", "usd", "eur", "gbp",
)  # fmt: skip
_CODES: Final = frozenset("USD EUR GBP CHF JPY CNY CAD".split())
_CODE_LAST: Final = "DRPFY"  # the last letters of _CODES: most letters before a number are not
_CODE_FIRST: Final = frozenset("eEuUgG")  # the first letters of the codes among _SPOT_WORDS


def _starts(text: str, p: int, digit: bool) -> list[int]:
    if digit:
        # the figure starts at the digit, its sign, or a currency written before it
        k = p - 1
        own = [p]
        if k >= 0 and text[k] in "+-−":
            own = [k, p]
            k -= 1
        while k >= 0 and p - k <= 3 and text[k] in " \u00a0\u202f":
            k -= 1
        if k < 0:
            return own
        c = text[k]
        if c in "$€£¥":
            s = k
            while s > 0 and k - s < 4 and (text[s - 1].isalpha() or text[s - 1] == "."):
                s -= 1
            return ([s, k] if s != k else [k]) + own
        if c in _CODE_LAST and k >= 2 and text[k - 2 : k + 1] in _CODES:
            return [k - 2] + own
        return own
    # a word: the figure starts at this word or one or two words before ("six milliards")
    w = p
    while w > 0 and text[w - 1].isalpha():
        w -= 1
    out = [w]
    k = w - 1
    for _ in range(2):
        while k > 0 and text[k - 1] == " ":
            k -= 1
        start = k
        while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'’"):
            start -= 1
        if start >= k:
            break
        out.insert(0, start)
        k = start - 1
    return out


def _spots(lowered: str) -> list[int]:
    """Where the spots start, as ``finditer`` of the alternation would find them: every
    occurrence of each alternative, sorted, skipping those that overlap the previous one (at
    any position at most one alternative matches, so the leftmost is finditer's next match).
    A mark (digits, a symbol) never overlaps a word: only words are checked for overlaps."""
    marks = [m.start() for m in _SPOT_MARKS.finditer(lowered)]
    words: list[tuple[int, int]] = []
    for word in _SPOT_WORDS:
        if word not in lowered:
            continue  # most sentences hold none: ``in`` costs half a ``find`` call
        p = lowered.find(word)
        while p >= 0:
            words.append((p, p + len(word)))
            p = lowered.find(word, p + 1)
    if not words:
        return marks
    words.sort()
    end = 0
    for s, e in words:
        if s >= end:
            marks.append(s)
            end = e
    marks.sort()
    return marks


def _inside_word(text: str, p: int) -> bool:
    """A currency code's spot inside a word ("secteur", "leur"): no _FIGURE match reaches it,
    since every "eur", "usd" or "gbp" a match holds follows a digit, a space, a sign, an
    apostrophe or the range word "à" (checked here), never another letter."""
    return p > 0 and text[p - 1].isalpha() and text[p - 1] not in "àÀ"


def _glued(plain: str, p: int) -> bool:
    """A mark glued to a word ("h100", "a100s", "x$"): no _FIGURE match on the lowered text
    ``plain`` reaches it. Each branch opens with ``\\b`` or a look-behind refusing ``\\w``, and
    so does the number: a start :func:`_starts` finds before it (a code, "CHF5") fails too."""
    if p == 0:
        return False
    return is_word_char(plain[p - 1])


def _lower_in_place(text: str) -> str:
    """``text.lower()`` at the same offsets: a letter whose lowercase is longer ("İ" ->
    "i" + U+0307) keeps its first letter, so the spots found in it are offsets into ``text``."""
    low = str.lower(text)
    if len(low) == len(text):
        return low
    return "".join(str.lower(c)[0] for c in text)


def _candidates(text: str, plain: str | None) -> list[re.Match[str]]:
    """The figure matches in ``text``; ``plain``: ``lowered(text)``. The lowercase figure
    pattern runs on the lowered text, unless lowering would move offsets or fold a letter
    otherwise than IGNORECASE does: then on ``text`` as written."""
    out: list[re.Match[str]] = []
    cursor = 0
    low = _lower_in_place(text) if plain is None else plain
    figure = _FIGURE.on(plain is not None)
    subject = text if plain is None else plain
    aligned = len(low) == len(text)
    for p in _spots(low):
        if p < cursor:
            continue
        c = text[p]
        mark = c.isdigit() or c in "$€£¥"
        if mark:
            if plain is not None and _glued(plain, p):
                continue
        elif aligned and c in _CODE_FIRST and _inside_word(text, p):
            continue
        found = None
        end = 0
        for start in _starts(text, p, mark):
            if start < cursor:
                continue
            m = figure.match(subject, start)
            if m is not None:
                end = m.end()
                if end > p:
                    found = m
                    break
        if found is None:
            continue
        out.append(found)
        cursor = max(end, p + 1)
    return out


def _upper_of_range(rng: str, num: str, scale: str | None, fig: Figure) -> Figure:
    nums = re.findall(_NUM, rng)
    try:
        upper = _to_decimal(nums[-1]) * _scale(scale)
        lower = _to_decimal(num) * _scale(scale)
    except (ParseError, IndexError):
        return fig
    kind: FigureKind = fig.kind
    return _figure(kind, upper, fig.start, fig.end, fig.currency, False, fig.scaled, lower)


_FROM_WORD: Final = re.compile(r"(?:\bde|\bfrom)\s*$")


def _link_from_to(text: str, figs: list[Figure]) -> list[Figure]:
    """Give "from 10 to 12 million" its scale and remember the start value on the second figure."""
    if len(figs) < 2:
        return figs  # no pair to link (most sentences)
    out: list[Figure] = []
    i = 0
    while i < len(figs):
        f = figs[i]
        nxt = figs[i + 1] if i + 1 < len(figs) else None
        if nxt is not None and f.kind != "percent" and nxt.kind != "percent":
            between = str.lower(text[f.end : nxt.start].strip())
            if between in ("à", "to") and _FROM_WORD.search(
                str.lower(text[max(0, f.start - 12) : f.start])
            ):
                scale = Decimal(1)
                if not f.scaled and nxt.scaled and f.value != 0:
                    # "de 10 à 12 millions": the first number takes the second's scale
                    raw = nxt.value
                    scale = _scale_of(raw, f.value, text[nxt.start : nxt.end])
                start_value = f.value * scale
                cur = nxt.currency or f.currency
                kind: FigureKind = "money" if cur else nxt.kind
                linked = _figure(kind, nxt.value, f.start, nxt.end, cur, False, True, start_value)
                out.append(linked)
                i += 2
                continue
        out.append(f)
        i += 1
    return out


def _scale_of(scaled_value: Decimal, _first: Decimal, raw: str) -> Decimal:
    m = re.search(_SCALE, raw, re.IGNORECASE)
    return _scale(m.group()) if m else Decimal(1)


def _single(text: str) -> Figure:
    figs = find_figures(text.strip())
    if len(figs) != 1 or figs[0].start != 0 or figs[0].end != len(text.strip()):
        raise ParseError(f"not exactly one figure: {text!r}")
    return figs[0]


def parse_amount(text: str) -> tuple[Decimal, str]:
    """Parse one amount of money ("6,5 Md$", "€500m", "six milliards de dollars")."""
    fig = _single(text)
    if fig.kind != "money" or fig.currency is None:
        raise ParseError(f"no currency in {text!r}")
    return fig.value, fig.currency


def parse_count(text: str) -> int:
    """Parse one count ("350 000", "100K", "un million", "10 millions")."""
    fig = _single(text)
    if fig.kind != "count":
        raise ParseError(f"not a count: {text!r}")
    if fig.value != fig.value.to_integral_value():
        raise ParseError(f"not a whole count: {text!r}")
    return int(fig.value)


def parse_percent(text: str) -> Decimal:
    """Parse one change in percent ("+12,5 %", "down 20%" needs the word; "de moitié" = -50)."""
    fig = _single(text)
    if fig.kind != "percent":
        raise ParseError(f"not a percentage: {text!r}")
    return fig.value
