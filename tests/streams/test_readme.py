from __future__ import annotations

from pathlib import Path

from streams.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"SIGNALS_{name.upper()}"
        for name in Settings.model_fields
        if f"`SIGNALS_{name.upper()}`" not in README
    ]
    assert missing == []


def test_the_two_commands_and_the_topics_are_documented() -> None:
    assert "make demo" in README and "make test" in README
    for topic in ("news.raw", "news.rejected", "signals.detected", "signals.alerts"):
        assert f"`{topic}`" in README
