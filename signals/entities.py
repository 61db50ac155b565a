"""Company names: a packaged alias table, user extensions, and names found in text by pattern.

``find_mentions`` reads runs of capitalised words ("Lightspeed Venture Partners", "xAI",
"Checkout.com") in one linear scan, resolves them against the alias table (canonical name and
role: company, vendor, media, person, place, generic) and keeps unknown runs as candidate
companies. Whether a mention is the *actor* of a signal is decided by the detectors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, NamedTuple

from signals.errors import ConfigError
from signals.text import new_tuple

Role = Literal["company", "vendor", "media", "person", "place", "generic"]
_OTHER_ROLES: Final[tuple[tuple[str, Role], ...]] = (
    ("media", "media"),
    ("people", "person"),
    ("places", "place"),
    ("generic", "generic"),
)

# Capitalised words that start sentences or headlines and are never a name on their own.
STOPWORDS: Final = frozenset(
    """
    a an the this that these those it its it's we our they their he she his her i you my
    in on at by for from of to with without about after before since during over under into
    and or but nor so yet if when while where which who whom whose what why how as than then
    also still just now today yesterday tomorrow here there earlier later meanwhile however
    although though despite according following update note read more some many most all
    each every both no not one two three first second third last next new other another
    such only even once again already according le la les l un une des du de d au aux ce
    cet cette ces son sa ses leur leurs notre nos votre vos il elle ils elles on nous vous
    je tu y en et ou mais donc or ni car que qu qui quoi dont où quand comme si pour par
    sur sous avec sans chez dans entre vers depuis pendant avant après selon malgré face
    grâce parmi outre lors dès alors ainsi aussi déjà encore toujours désormais enfin
    cependant pourtant toutefois néanmoins puis voici voilà c ceci cela ça tout tous toute
    toutes chaque plusieurs certains certaines autre autres même mêmes aujourd hier demain
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday
    friday saturday sunday janvier février mars avril mai juin juillet août septembre
    octobre novembre décembre january february march april may june july august september
    october november december sept oct nov dec jan feb mar apr jun jul aug
    mr mrs ms dr m mme mlle st pour-cent via per vs versus ex
    abonnez-vous abonnez lire voir photo crédit credit sources source
    """.split()
)
_LEGAL: Final = frozenset(
    "inc inc. corp corp. corporation ltd ltd. llc plc sa s.a. sas ag gmbh co co. limited".split()
)
# A name token: capitalised ("Nvidia", "Checkout.com", "VOL-V", "Don't") or camel ("xAI").
_TOKEN: Final = re.compile(
    r"\b(?<![&.@/])(?<![a-wyzà-ÿ]-)(?:[A-ZÀ-ÖØ-Þ][\w&'’.\-]{0,40}[\w&]|[A-ZÀ-ÖØ-Þ]"
    r"|[a-z]{1,3}[A-Z][\w&.\-]{0,40}[\w])"
)
# _TOKEN at a capital (the look-behinds read the capital too), or, at an ASCII capital after
# an ASCII lowercase letter, an empty group "camel": a camel-case token may open before it
_AT_CAPITAL: Final = re.compile(
    r"[A-ZÀ-ÖØ-Þ](?:(?<=[a-z][A-Z])(?P<camel>)"
    r"|(?<![\w&.@/][A-ZÀ-ÖØ-Þ])(?<![a-wyzà-ÿ]-[A-ZÀ-ÖØ-Þ])(?:[\w&'’.\-]{0,40}[\w&])?)"
)
_ADJECTIVE: Final = re.compile(r"-(?:based|born|backed|led|listed|owned)$", re.IGNORECASE)
_CAMEL: Final = re.compile(r"[a-z]{1,3}[A-Z]")
# A capitalised word opening a sentence that is a common word, not a name: a modifier before a
# metric noun ("Online sales", "Subscription revenue"), a participle opening a phrase
# ("Fondée en 2021", "Founded in 2019") or a lowercase compound ("Like-for-like").
_METRIC_NEXT: Final = re.compile(
    r"\s+(?:sales|revenues?|turnover|growth|demand|ventes|chiffre|recettes|revenus|croissance"
    r"|advertising|ad|subscription|subscriptions|margins?|profits?|earnings|income|prices?)\b"
)
# common words that qualify a revenue line ("Online sales", "Subscription revenue")
_MODIFIERS: Final = frozenset(
    """online subscription subscriptions advertising hardware software cloud services service
    retail wholesale digital domestic international overseas export organic underlying
    comparable quarterly annual total net gross core store stores product products licensing
    licence license device devices data consumer enterprise commercial mobile print
    streaming gaming""".split()
)
_PARTICIPLE: Final = re.compile(r"(?:ed|ée|ées|és|ing)$")
_PHRASE_NEXT: Final = re.compile(
    r"\s+(?:in|by|at|on|to|from|with|as|en|par|à|au|aux|dans|sur|avec|depuis|il|d['’])\b",
)
_BY_PARTICIPLE: Final = re.compile(r"(?:ed|^Led|^Run|^Built|^Owned)$")
_LOWER_COMPOUND: Final = re.compile(r"^[A-ZÀ-Þ][a-zà-ÿ]+(?:-[a-zà-ÿ]+)+$")
# generic words that end a company's name when they follow a name ("Mistral AI")
_NAME_SUFFIXES: Final = frozenset({"AI", "IA"})
_OPENING: Final = " \"'«“‘-–—•("
_ELISION: Final = re.compile(r"^(?:[LDJNSCMTldjnscmt]|Qu|qu|Jusqu|Lorsqu|Puisqu)['’]")
_POSSESSIVE: Final = re.compile(r"['’](?:s|ve|m|re|ll|d)?$")
_MODEL_CODE: Final = re.compile(r"^(?:[A-Z]{1,3}\d{2,4}[A-Za-z]{0,2}s?|[QTHS][1-4]|\d.*)$")
_PERSON_TITLES: Final = (
    "CEO", "PDG", "DG", "CFO", "CTO", "founder", "co-founder", "fondateur", "cofondateur",
    "co-fondateur", "Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "M.", "Mme", "président",
    "president", "chairman", "analyst", "analyste", "directeur", "director", "patron", "investor",
    "investisseur", "billionaire", "milliardaire", "officer", "executive", "spokesperson",
    "spokesman", "spokeswoman", "porte-parole", "dirigeant", "dirigeante", "directrice",
    "présidente", "fondatrice", "cofondatrice", "co-fondatrice", "economist", "économiste",
    "partner", "associé", "associée",
)  # fmt: skip
_PERSON_BEFORE: Final = re.compile(
    r"(?:\b(?:" + "|".join(map(re.escape, _PERSON_TITLES)) + r")\s)$"
)
_TITLE_ENDS: Final = frozenset(t[-1] for t in _PERSON_TITLES)


class Mention(NamedTuple):
    """A name found in a text: as written, canonical, where, and what it is (a named tuple:
    immutable, and built about three times faster than a frozen dataclass)."""

    text: str
    name: str
    start: int
    end: int
    role: Role
    known: bool


def _mention(text: str, name: str, start: int, end: int, role: Role, known: bool) -> Mention:
    """``Mention(text, name, start, end, role, known)``, built faster."""
    return new_tuple(Mention, (text, name, start, end, role, known))


class AliasTable:
    """Alias -> (canonical name, role). Built from the packaged data plus user data."""

    def __init__(
        self, entries: Mapping[str, tuple[str, Role]], first_names: Iterable[str] = ()
    ) -> None:
        self._exact: dict[str, tuple[str, Role]] = dict(entries)
        self.first_names = frozenset(first_names)
        self._folded: dict[str, tuple[str, Role]] = {}
        for alias, value in entries.items():
            # multi-letter aliases also match in any case ("NVIDIA", "Mistral ai")
            if len(alias) > 3:
                self._folded.setdefault(alias.casefold(), value)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AliasTable:
        """Build a table from the JSON shape of ``signals/data/companies.json``."""
        return cls(_entries(data), _first_names(data))

    def extended(self, data: Mapping[str, Any]) -> AliasTable:
        """A new table: this one plus ``data`` (same shape); user entries win."""
        merged = dict(self._exact)
        merged.update(_entries(data))
        return AliasTable(merged, self.first_names | _first_names(data))

    def lookup(self, text: str) -> tuple[str, Role] | None:
        """Canonical name and role of ``text``, or None if unknown."""
        hit = self._exact.get(text)
        if hit is None:
            hit = self._folded.get(text.casefold())
        return hit

    def lookup_folded(self, text: str, folded: str) -> tuple[str, Role] | None:
        """:meth:`lookup` of ``text`` whose ``casefold()`` is ``folded``."""
        return self._exact.get(text) or self._folded.get(folded)

    def canonical(self, text: str) -> str:
        """The canonical company name of ``text`` (itself when unknown)."""
        hit = self.lookup(text)
        return hit[0] if hit else text

    def is_vendor(self, name: str) -> bool:
        hit = self.lookup(name)
        return hit is not None and hit[1] == "vendor"


def _first_names(data: Mapping[str, Any]) -> frozenset[str]:
    names = data.get("first_names", []) if isinstance(data, Mapping) else []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError("'first_names' must be a list of strings")
    return frozenset(names)


def _entries(data: Mapping[str, Any]) -> dict[str, tuple[str, Role]]:
    if not isinstance(data, Mapping):
        raise ConfigError("alias data must be a JSON object")
    out: dict[str, tuple[str, Role]] = {}
    companies = data.get("companies", [])
    if not isinstance(companies, list):
        raise ConfigError("'companies' must be a list")
    for item in companies:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ConfigError(f"bad company entry: {item!r}")
        name = item["name"].strip()
        if not name:
            raise ConfigError("empty company name")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"aliases of {name!r} must be a list of strings")
        role: Role = "vendor" if item.get("vendor") else "company"
        for alias in [name, *aliases]:
            if alias.strip():
                out[alias.strip()] = (name, role)
    for key, role_name in _OTHER_ROLES:
        names = data.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigError(f"{key!r} must be a list of strings")
        for n in names:
            out.setdefault(n.strip(), (n.strip(), role_name))
    return out


@cache
def default_table() -> AliasTable:
    """The packaged alias table (read once from the package's own data)."""
    raw = resources.files("signals").joinpath("data/companies.json").read_text("utf-8")
    return AliasTable.from_data(json.loads(raw))


def load_table(extra: Mapping[str, Any] | None = None) -> AliasTable:
    """The packaged table, extended with user alias data (already parsed) when given."""
    table = default_table()
    return table.extended(extra) if extra else table


def _adjective(token: str) -> bool:
    """``_ADJECTIVE.search(token)``, which needs a hyphen."""
    return "-" in token and _ADJECTIVE.search(token) is not None


def _person_before(text: str, start: int) -> bool:
    """Whether a title ("CEO", "fondateur") is written right before ``start``: the search of
    ``_PERSON_BEFORE``, tried only when the text before ends with one."""
    # the pattern needs a title's last letter, then one space, before start ("$" also matches
    # before a final line break)
    if not _space_after_title(text, start - 1) and not (
        text[start - 1 : start] == "\n" and _space_after_title(text, start - 2)
    ):
        return False
    window = text[max(0, start - 16) : start]
    return window.rstrip().endswith(_PERSON_TITLES) and _PERSON_BEFORE.search(window) is not None


def _space_after_title(text: str, k: int) -> bool:
    return k >= 1 and text[k].isspace() and text[k - 1] in _TITLE_ENDS


def _is_stop(token: str) -> bool:
    return _stop_folded(token.casefold())


def _stop_folded(folded: str) -> bool:
    """``folded.strip(".") in STOPWORDS``, stripping only a word that holds a dot."""
    return (folded.strip(".") if "." in folded else folded) in STOPWORDS


def _clean_token(text: str, start: int, end: int) -> tuple[int, int]:
    tok = text[start:end]
    if "'" not in tok and "’" not in tok:
        return start, end
    m = _ELISION.match(tok)
    if m:
        start += m.end()
    tok = text[start:end]
    p = _POSSESSIVE.search(tok)
    if p and p.start() > 0:
        end = start + p.start()
    return start, end


def _tokens(text: str) -> list[re.Match[str]]:
    """The matches of ``_TOKEN.finditer(text)``, tried only where one can start.

    A match opens with a capital, or (camel case, "xAI") with one to three ASCII lowercase
    letters right before an ASCII capital. ``_AT_CAPITAL`` opens with a class, so ``re`` skips
    to the next capital in C and reads the token there; a capital right after a lowercase
    ASCII letter is handed back (group ``camel``) for the camel-case match tried here.
    One ``finditer`` reads the text (a ``search`` per token sets ``re`` up again each time),
    into a list built in a plain loop (compiled, a generator costs a resumed call per token).
    """
    out: list[re.Match[str]] = []
    pos = 0
    while pos >= 0:
        found = _AT_CAPITAL.finditer(text, pos)
        pos = -1
        for m in found:
            if m.lastgroup != "camel":
                out.append(m)
                continue
            camel = _camel_token(text, m.start(), out[-1].end() if out else 0)
            if camel is not None:
                out.append(camel)
                pos = camel.end()  # it may reach past later capitals: read on from its end
                break
    return out


def _camel_token(text: str, c: int, lo: int) -> re.Match[str] | None:
    """The camel-case ``_TOKEN`` match ("xAI") whose capital is at ``c``, opening at or after
    ``lo`` (where the last token ended), if any."""
    k, lo = c, max(lo, c - 3)
    while k > lo and "a" <= text[k - 1] <= "z":
        k -= 1
    return _TOKEN.match(text, k) if k < c else None


def _runs(text: str) -> list[list[tuple[int, int]]]:
    if "'" not in text and "’" not in text:
        return _plain_runs(text)
    return _cleaned_runs(text)


def _plain_runs(text: str) -> list[list[tuple[int, int]]]:
    """:func:`_cleaned_runs` of a text without apostrophes: no token needs cleaning, and every
    token ``_TOKEN`` matches opens with a capital or a camel-case prefix, so each one counts."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    prev_end = -1
    for m in _tokens(text):
        s, e = m.span()
        if run:
            gap = text[prev_end:s]
            if gap == " " or gap == "\u00a0":
                run.append((s, e))
                prev_end = e
                continue
            if gap in (" of ", " by ", " & "):
                first = text[run[0][0] : run[0][1]]
                if not (gap == " by " and len(run) == 1 and _BY_PARTICIPLE.search(first)):
                    run.append((s, e))
                    prev_end = e
                    continue
            runs.append(run)
        run = [(s, e)]
        prev_end = e
    if run:
        runs.append(run)
    return runs


def _cleaned_runs(text: str) -> list[list[tuple[int, int]]]:
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    prev_end = -1
    prev_possessive = False
    for m in _tokens(text):
        start, end = m.span()
        s, e = start, end
        tok = text[start:end]
        if "'" in tok or "’" in tok:
            s, e = _clean_token(text, s, e)
            if s >= e or not (text[s].isupper() or _CAMEL.match(text, s)):
                if run:
                    runs.append(run)
                run, prev_possessive = [], False
                continue
        # else: a token as matched opens with a capital or a camel-case prefix (see _plain_runs)
        joinable = False
        if run and not prev_possessive:
            gap = text[prev_end:start]
            if gap in (" ", "\u00a0"):
                joinable = True
            elif gap in (" of ", " by ", " & "):
                # "Backed by Sequoia, Glean ...": a participle and its agent, not one name
                first = text[run[0][0] : run[0][1]]
                joinable = not (gap == " by " and len(run) == 1 and _BY_PARTICIPLE.search(first))
        if joinable:
            run.append((s, e))
        else:
            if run:
                runs.append(run)
            run = [(s, e)]
        prev_end = end
        prev_possessive = e < end
    if run:
        runs.append(run)
    return runs


def find_mentions(text: str, table: AliasTable) -> list[Mention]:
    """Names in ``text``: known aliases and capitalised runs, in order of appearance."""
    out: list[Mention] = []
    for run in _runs(text):
        found = _resolve_run(text, run, table)
        if found is not None:
            out.append(found)
    return out


def _resolve_run(text: str, run: list[tuple[int, int]], table: AliasTable) -> Mention | None:
    """The mention a run of capitalised words stands for, if any."""
    whole = text[run[0][0] : run[-1][1]]
    folded = whole.casefold()
    hit = table.lookup_folded(whole, folded)
    if hit:
        return _mention(whole, hit[0], run[0][0], run[-1][1], hit[1], True)
    if len(run) == 1:
        # the common case: one unknown capitalised word (a model code holds a digit)
        if (
            len(whole) == 1
            or _stop_folded(folded)
            or (not whole.isalpha() and _MODEL_CODE.match(whole))
            or _adjective(whole)
            or folded in _LEGAL
        ):
            return None
        s = run[0][0]
        if _opens(text, s) and _common_opening(text, whole, run[0][1]):
            return None
        person = _person_before(text, s)
        return _mention(whole, whole, s, run[0][1], "person" if person else "company", False)
    # strip leading function words and generic words ("Le Groupe M6", "The Company")
    i = 0
    while i < len(run) and (
        _is_stop(text[run[i][0] : run[i][1]])
        or _generic(table, text[run[i][0] : run[i][1]])
        or _MODEL_CODE.match(text[run[i][0] : run[i][1]])
        or _adjective(text[run[i][0] : run[i][1]])
    ):
        i += 1
        if i < len(run):
            rest = text[run[i - 1][0] : run[-1][1]]
            hit = table.lookup(rest[rest.find(" ") + 1 :]) if " " in rest else None
            if hit:  # "Selon Les Echos" -> "Les Echos"
                return _mention(
                    text[run[i][0] : run[-1][1]], hit[0], run[i][0], run[-1][1], hit[1], True
                )
    tokens = run[i:]
    while tokens and (
        text[tokens[-1][0] : tokens[-1][1]].casefold() in _LEGAL
        or _generic(table, text[tokens[-1][0] : tokens[-1][1]])
    ):
        if len(tokens) >= 2 and text[tokens[-1][0] : tokens[-1][1]] in _NAME_SUFFIXES:
            break  # "Corvid AI", "Stability AI": the suffix is part of the name
        tokens = tokens[:-1]
    if tokens and _adjective(text[tokens[-1][0] : tokens[-1][1]]):
        return None  # "Paris-based", "London-born"
    if not tokens:
        return None
    # the longest known company inside the run ("Nvidia H100s", "Groupe iliad")
    for size in range(len(tokens), 0, -1):
        for j in range(0, len(tokens) - size + 1):
            s, e = tokens[j][0], tokens[j + size - 1][1]
            hit = table.lookup(text[s:e])
            if hit and (size == len(tokens) or hit[1] in ("company", "vendor")):
                return _mention(text[s:e], hit[0], s, e, hit[1], True)
    names = [text[s:e] for s, e in tokens]
    if all(_is_stop(n) or _generic(table, n) or _MODEL_CODE.match(n) for n in names):
        return None
    if len(names) == 1 and len(names[0]) == 1:
        return None  # a lone capital letter is an initial, unless the table knows it ("X")
    s, e = tokens[0][0], tokens[-1][1]
    role: Role = "company"
    first = text[s : tokens[0][1]]
    if _person_before(text, s) or (len(tokens) >= 2 and first in table.first_names):
        role = "person"
    return _mention(text[s:e], text[s:e], s, e, role, False)


def _opens(text: str, start: int) -> bool:
    """Whether only quotes, dashes and spaces come before ``start``: ``not
    text[:start].strip(_OPENING)``, without copying the text when its first character says no."""
    return start == 0 or (text[0] in _OPENING and not text[:start].strip(_OPENING))


def _common_opening(text: str, word: str, end: int) -> bool:
    """Whether an unknown word opening a sentence is a common word rather than a name."""
    if _LOWER_COMPOUND.match(word):
        return True
    if word.casefold() in _MODIFIERS and _METRIC_NEXT.match(text, end):
        return True
    return _PARTICIPLE.search(word) is not None and _PHRASE_NEXT.match(text, end) is not None


def _generic(table: AliasTable, token: str) -> bool:
    hit = table.lookup(token)
    return hit is not None and hit[1] == "generic"
