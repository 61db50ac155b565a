"""The JSON Schemas in schemas/ are generated from the models, current, and strict enough."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from webhook_receiver import make_alert

from signals.models import DeadWebhook, NewsEvent, WebhookMessage
from streams.schemas import PUBLIC_SCHEMAS, load, main, stale

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"


def validator(name: str) -> Draft202012Validator:
    schema = load(name, SCHEMAS)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schemas_dir_is_current() -> None:
    problems = stale(SCHEMAS)
    assert not problems, f"stale JSON Schemas {problems}: run `signals schemas --write`"


def test_every_public_topic_has_a_schema() -> None:
    names = {e.name for e in PUBLIC_SCHEMAS}
    assert {
        "news.raw",
        "news.rejected",
        "signals.detected",
        "signals.alerts",
        "webhooks.dead",
    } <= names


def test_messages_as_written_validate() -> None:
    alert = make_alert()
    doc = json.loads(alert.model_dump_json())
    assert not list(validator("signals.alerts").iter_errors(doc))
    signal = json.loads(alert.signals[0].model_dump_json())
    assert not list(validator("signals.detected").iter_errors(signal))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    dead = DeadWebhook(
        webhook_id="msg_x",
        subscription_id="desk",
        target="https://hooks.example.com/in",
        reason="client_error",
        status_code=400,
        attempts=1,
        first_attempt_at=now,
        failed_at=now,
        alert=alert,
    )
    assert not list(validator("webhooks.dead").iter_errors(json.loads(dead.model_dump_json())))
    body = json.loads(WebhookMessage(timestamp=now, data=alert).model_dump_json())
    assert not list(validator("webhook.alert.created").iter_errors(body))
    news = json.loads(NewsEvent(id="n1", body="text").model_dump_json(exclude_none=True))
    assert not list(validator("news.raw").iter_errors(news))
    assert not list(validator("news.raw").iter_errors({"id": "only-an-id"}))


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 2},
        {"severity": "apocalyptic"},
        {"kind": "weather"},
        {"signals": "none"},
    ],
)
def test_broken_alerts_fail(change: dict[str, object]) -> None:
    doc = {**json.loads(make_alert().model_dump_json()), **change}
    assert list(validator("signals.alerts").iter_errors(doc))


def test_missing_fields_fail() -> None:
    doc = json.loads(make_alert().model_dump_json())
    del doc["schema_version"]
    assert list(validator("signals.alerts").iter_errors(doc))
    assert list(validator("news.raw").iter_errors({"title": "no id"}))


def test_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "signals.alerts.schema.json"
    path.write_text(path.read_text().replace('"Alert"', '"Alarm"'))
    (tmp_path / "old.topic.schema.json").write_text("{}")
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "signals.alerts.schema.json" in err and "old.topic.schema.json" in err


def test_cli_subcommand_checks_the_repo() -> None:
    from click.testing import CliRunner

    from streams.cli import main as cli

    result = CliRunner().invoke(cli, ["schemas", "--check", "--dir", str(SCHEMAS)])
    assert result.exit_code == 0, result.output
