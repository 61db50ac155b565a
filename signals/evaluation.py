"""Predictions in the shape the evaluation scorer reads (``../shared/eval/score.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from signals.detect import detect
from signals.entities import AliasTable
from signals.errors import ParseError
from signals.models import NewsEvent, Signal

SCORED_FIELDS = ("amount", "currency", "quantity", "direction", "change_pct")


def event_of(doc: Mapping[str, Any]) -> NewsEvent:
    """The NewsEvent of one labelled document (its labels are ignored)."""
    try:
        return NewsEvent.model_validate(
            {k: doc.get(k) for k in ("id", "title", "body", "language", "url", "source")}
            | {"body": doc.get("body") or "", "id": str(doc.get("id") or "")}
        )
    except ValueError as exc:
        raise ParseError(f"bad document {doc.get('id')!r}: {exc}") from exc


def prediction(signal: Signal) -> dict[str, Any]:
    """One scorer line for a signal: article, kind, company and the figures it states."""
    line: dict[str, Any] = {
        "article_id": signal.article_id,
        "kind": signal.kind,
        "company": signal.company,
    }
    for key in SCORED_FIELDS:
        line[key] = getattr(signal, key)
    line["signal_id"] = signal.signal_id
    return line


prediction_line = prediction  # the name streams.offline looks up


def predictions_for(
    docs: Iterable[Mapping[str, Any]], aliases: AliasTable | Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Scorer prediction lines for labelled documents (JSON objects as read from the .jsonl)."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        for signal in detect(event_of(doc), aliases):
            out.append(prediction(signal))
    return out
