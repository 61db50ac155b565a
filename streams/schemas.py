"""JSON Schemas of the public topics, generated from the pydantic models into ``schemas/``.

``signals schemas --write`` regenerates them; ``--check`` exits 1 when a file is missing or
stale (a test runs the check). Output topics are described as written: every field is present
(nulls included) and ``schema_version`` is pinned, so a consumer validating with a schema of
another version notices. ``news.raw`` is described as accepted: only ``id`` is required.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from signals.models import (
    SCHEMA_VERSION,
    Alert,
    DeadWebhook,
    NewsEvent,
    RejectedMessage,
    Signal,
    WebhookMessage,
)

DEFAULT_DIR = Path("schemas")  # relative to the working directory: run from the repo root
DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class PublicSchema:
    """One schema file: what it describes and from which model."""

    name: str
    model: type[BaseModel]
    mode: Literal["validation", "serialization"]
    description: str


PUBLIC_SCHEMAS: tuple[PublicSchema, ...] = (
    PublicSchema("news.raw", NewsEvent, "validation", "Input topic news.raw: one news event"),
    PublicSchema("news.rejected", RejectedMessage, "serialization", "Dead letters of the pipeline"),
    PublicSchema("signals.detected", Signal, "serialization", "One detected market signal"),
    PublicSchema("signals.alerts", Alert, "serialization", "One alert"),
    PublicSchema("webhooks.dead", DeadWebhook, "serialization", "Webhook deliveries given up on"),
    PublicSchema(
        "webhook.alert.created",
        WebhookMessage,
        "serialization",
        "The JSON body of a webhook delivery (Standard Webhooks)",
    ),
)


def _all_required(node: dict[str, Any]) -> None:
    props = node.get("properties")
    if isinstance(props, dict):
        node["required"] = list(props)
        version = props.get("schema_version")
        if isinstance(version, dict):
            version["const"] = SCHEMA_VERSION


def schema_document(entry: PublicSchema) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one public schema."""
    doc = entry.model.model_json_schema(mode=entry.mode)
    if entry.mode == "serialization":
        _all_required(doc)
        for definition in doc.get("$defs", {}).values():
            _all_required(definition)
    head = {
        "$schema": DRAFT,
        "$id": f"urn:market-signals:schema:{entry.name}:v{SCHEMA_VERSION}",
        "title": doc.pop("title", entry.model.__name__),
        "description": entry.description,
    }
    doc.pop("description", None)
    return {**head, **doc}


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def filename(entry: PublicSchema) -> str:
    return f"{entry.name}.schema.json"


def expected_files() -> dict[str, str]:
    """File name -> content of every schema file."""
    return {filename(e): render(schema_document(e)) for e in PUBLIC_SCHEMAS}


def stale(directory: Path = DEFAULT_DIR) -> list[str]:
    """Schema files that are missing, different, or no longer generated."""
    wanted = expected_files()
    problems = []
    for name, text in wanted.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(name)
    if directory.is_dir():
        problems += sorted(p.name for p in directory.glob("*.schema.json") if p.name not in wanted)
    return problems


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    """(Re)write every schema file; remove generated files no longer wanted."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = expected_files()
    for path in directory.glob("*.schema.json"):
        if path.name not in wanted:
            path.unlink()
    written = []
    for name, text in wanted.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load(name: str, directory: Path = DEFAULT_DIR) -> dict[str, Any]:
    """A schema file by name (``signals.alerts``)."""
    data: dict[str, Any] = json.loads((directory / f"{name}.schema.json").read_text("utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m streams.schemas [--write|--check] [--dir DIR]``."""
    parser = argparse.ArgumentParser(prog="signals schemas", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="regenerate the files")
    group.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="default: schemas/")
    args = parser.parse_args(argv)
    return run(args.dir, write_files=args.write, check=args.check)


def run(directory: Path, *, write_files: bool, check: bool) -> int:
    """The subcommand: print the schemas, write them, or check them (exit status)."""
    if write_files:
        for path in write(directory):
            print(f"wrote {path}")
        return 0
    if check:
        problems = stale(directory)
        for name in problems:
            print(f"stale: {directory / name} (run `signals schemas --write`)", file=sys.stderr)
        return 1 if problems else 0
    print(render({name: json.loads(text) for name, text in expected_files().items()}), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
