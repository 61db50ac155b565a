"""Offline commands: ``signals extract`` and ``signals evaluate`` (no broker)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from signals.models import NewsEvent, Signal, stable_id
from streams.codec import decode_event
from streams.errors import DecodeError
from streams.extract import extract

PREDICTION_FIELDS = ("amount", "currency", "quantity", "direction", "change_pct")


def text_event(text: str, language: str | None = None) -> NewsEvent:
    """An input event for ``--text``; its id derives from the text, so it is stable."""
    return NewsEvent(id=f"text-{stable_id(text, length=12)}", body=text, language=language)


def extract_lines(
    lines: Iterable[bytes],
) -> Iterator[tuple[int, NewsEvent | None, str | None]]:
    """(line number, event or None, error or None) for each non-blank JSON line."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield lineno, decode_event(line.rstrip(b"\r\n")), None
        except DecodeError as exc:
            yield lineno, None, str(exc)


def explain_signal(signal: Signal) -> str:
    """A human-readable account of a signal: figures and the sentence, highlights in [ ]."""
    figures = {k: getattr(signal, k) for k in PREDICTION_FIELDS if getattr(signal, k) is not None}
    sentence = signal.evidence.sentence
    marked = sentence
    for start, end in sorted(signal.evidence.highlights, reverse=True):
        marked = marked[:start] + "[" + marked[start:end] + "]" + marked[end:]
    shown = " ".join(f"{k}={v}" for k, v in figures.items())
    return (
        f"# {signal.kind} {signal.company} {shown} confidence={signal.confidence:.2f}"
        f"{' hedged' if signal.hedged else ''}\n"
        f"#   {signal.evidence.field}[{signal.evidence.start}:{signal.evidence.end}]: {marked}"
    )


def prediction_line(signal: Signal) -> dict[str, Any]:
    """One line of the scorer's PREDICTIONS file."""
    builder = _library_builder()
    if builder is not None:
        line: dict[str, Any] = builder(signal)
        return line
    out: dict[str, Any] = {
        "article_id": signal.article_id,
        "kind": signal.kind,
        "company": signal.company,
    }
    for name in PREDICTION_FIELDS:
        out[name] = getattr(signal, name)
    return out


def _library_builder() -> Any:
    """``signals.evaluation.prediction_line`` when the detection library provides it."""
    try:
        module = importlib.import_module("signals.evaluation")
    except ImportError:
        return None
    return getattr(module, "prediction_line", None)


def predictions(gold: Path) -> list[dict[str, Any]]:
    """Run detection over every document of a labelled file."""
    out: list[dict[str, Any]] = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = NewsEvent.model_validate(orjson.loads(line))
        out.extend(prediction_line(s) for s in extract(event))
    return out


def evaluate(
    gold: Path, scorer: Path | None = None, *, as_json: bool = False, keep: Path | None = None
) -> tuple[int, str]:
    """(exit status, output) of the scorer run on our predictions for ``gold``."""
    scorer = scorer or gold.resolve().parent / "score.py"
    if not scorer.exists():
        return 2, f"no scorer at {scorer} (use --scorer PATH)\n"
    lines = b"".join(orjson.dumps(p) + b"\n" for p in predictions(gold))
    with tempfile.TemporaryDirectory(prefix="signals-eval-") as tmp:
        path = Path(tmp) / "predictions.jsonl"
        path.write_bytes(lines)
        if keep is not None:
            keep.write_bytes(lines)
        cmd = [sys.executable, str(scorer), str(gold), str(path)] + (["--json"] if as_json else [])
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr
