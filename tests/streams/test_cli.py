from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.cli import main
from streams.offline import prediction_line, text_event

SAMPLES = Path(__file__).resolve().parents[2] / "streams" / "samples" / "demo.jsonl"


@pytest.mark.parametrize(
    "command", ["broker", "worker", "publish", "tail", "extract", "evaluate", "demo"]
)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_extract_text_prints_json_signals_with_ids() -> None:
    result = CliRunner().invoke(
        main, ["extract", "--text", "Acme Robotics raised $200 million in a Series B round."]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines, "expected at least one signal"
    for line in lines:
        for field in ("signal_id", "article_id", "kind", "company", "amount", "currency"):
            assert field in line
    assert any(s["kind"] == "funding" and s["amount"] == 200e6 for s in lines)


def test_extract_is_deterministic_and_matches_text_event_ids() -> None:
    text = "Acme Robotics raised $200 million in a Series B round."
    runner = CliRunner()
    first = runner.invoke(main, ["extract", "--text", text]).stdout
    second = runner.invoke(main, ["extract", "--text", text]).stdout
    assert first == second
    assert json.loads(first.splitlines()[0])["article_id"] == text_event(text).id


def test_extract_reports_bad_lines_and_keeps_going() -> None:
    result = CliRunner().invoke(main, ["extract", str(SAMPLES)])
    assert result.exit_code == 1  # the samples hold malformed lines on purpose
    assert "not_json" in result.stderr
    assert "not_utf8" in result.stderr
    assert "invalid_event" in result.stderr
    ids = {json.loads(line)["article_id"] for line in result.stdout.splitlines()}
    assert ids, "the valid samples give signals"


def test_extract_reads_stdin() -> None:
    event = json.dumps({"id": "n1", "body": "Acme Robotics raised $200 million."})
    result = CliRunner().invoke(main, ["extract", "-"], input=event + "\n")
    assert result.exit_code == 0
    assert all(json.loads(line)["article_id"] == "n1" for line in result.stdout.splitlines())


def test_extract_explain_writes_evidence_to_stderr() -> None:
    result = CliRunner().invoke(
        main, ["extract", "--explain", "--text", "Acme Robotics raised $200 million."]
    )
    assert result.exit_code == 0
    assert "funding Acme Robotics" in result.stderr
    assert "$200 million" in result.stderr  # the sentence, figures marked


def test_evaluate_runs_the_scorer(shared_dir: Path, tmp_path: Path) -> None:
    gold = shared_dir / "eval" / "dev_news.jsonl"
    kept = tmp_path / "predictions.jsonl"
    result = CliRunner().invoke(main, ["evaluate", str(gold), "--predictions", str(kept)])
    assert result.exit_code == 0, result.output
    assert "strict" in result.output
    assert "documents 23" in result.output
    for line in kept.read_text().splitlines():
        assert {"article_id", "kind", "company"} <= set(json.loads(line))


def test_evaluate_json_output(shared_dir: Path) -> None:
    gold = shared_dir / "eval" / "dev_news.jsonl"
    result = CliRunner().invoke(main, ["evaluate", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.output)


def test_evaluate_without_a_scorer_fails(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "body": "nothing"}\n')
    result = CliRunner().invoke(main, ["evaluate", str(gold)])
    assert result.exit_code == 2
    assert "no scorer" in result.output


def test_prediction_line_has_the_scorer_fields() -> None:
    from streams.extract import extract

    [signal, *_] = extract(text_event("Acme Robotics raised $200 million."))
    line = prediction_line(signal)
    assert line["article_id"] == signal.article_id
    assert line["kind"] == "funding"


def test_publish_and_tail_need_a_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGNALS_BROKER", raising=False)
    result = CliRunner().invoke(main, ["tail", "news.raw"])
    assert result.exit_code == 2
    assert "SIGNALS_BROKER" in result.output
