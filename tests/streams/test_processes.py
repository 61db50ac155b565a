from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from streams.processes import settings_env
from streams.settings import Settings


def test_settings_survive_the_trip_through_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Settings(
        broker="kafka://127.0.0.1:9",
        embedded_broker=True,
        store="memory",
        data_dir=Path("/tmp/x"),
        partitions=3,
        sasl_password=SecretStr("s3cret"),
        funding_threshold_usd=5e6,
    )
    for key, value in settings_env(original).items():
        monkeypatch.setenv(key, value)
    assert Settings() == original
