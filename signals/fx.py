"""Conversion to US dollars from a dated rate table packaged with the library."""

from __future__ import annotations

import json
from bisect import bisect_right
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Final

from signals.errors import ConfigError

RateTable = tuple[tuple[date, dict[str, Decimal]], ...]


@cache
def default_rates() -> RateTable:
    """The packaged table: (date, {currency: USD per unit}), oldest first."""
    raw = resources.files("signals").joinpath("data/fx_rates.json").read_text("utf-8")
    return parse_rates(json.loads(raw))


def parse_rates(data: object) -> RateTable:
    """Validate the JSON shape {"rates": [{"date": "YYYY-MM-DD", "usd_per_unit": {...}}]}."""
    if not isinstance(data, dict) or not isinstance(data.get("rates"), list):
        raise ConfigError("fx data must be an object with a 'rates' list")
    out: list[tuple[date, dict[str, Decimal]]] = []
    for row in data["rates"]:
        try:
            day = date.fromisoformat(row["date"])
            table = {str(k).upper(): Decimal(str(v)) for k, v in row["usd_per_unit"].items()}
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ConfigError(f"bad fx row {row!r}") from exc
        table["USD"] = Decimal(1)
        out.append((day, table))
    if not out:
        raise ConfigError("fx table is empty")
    return tuple(sorted(out, key=lambda r: r[0]))


def to_usd(
    amount: Decimal, currency: str, on: date | None = None, rates: RateTable | None = None
) -> tuple[Decimal, date] | None:
    """``amount`` in USD with the date of the rate used: the latest rate on or before ``on``
    (the oldest one for earlier dates; the latest one when ``on`` is None). None if unknown."""
    table = rates if rates is not None else default_rates()
    chosen = table[-1]
    if on is not None:
        # the rows are sorted by date: k rows are dated on or before ``on``
        k = bisect_right(table, on, key=_day)
        chosen = table[k - 1] if k else table[0]
    rate = chosen[1].get(currency.upper())
    if rate is None:
        return None
    return (amount * rate).quantize(_CENT), chosen[0]


_CENT: Final = Decimal("0.01")


def _day(row: tuple[date, dict[str, Decimal]]) -> date:
    return row[0]
