"""Quality floor on the labelled dev set, scored by ../shared/eval/score.py (read at run time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from signals.evaluation import predictions_for

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
GOLD = EVAL / "dev_news.jsonl"
SCORER = EVAL / "score.py"


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    docs = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    preds = tmp_path_factory.mktemp("eval") / "predictions.jsonl"
    preds.write_text("".join(json.dumps(p) + "\n" for p in predictions_for(docs)), "utf-8")
    out = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(preds), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)["strict"]  # type: ignore[no-any-return]


def test_overall_strict_f1(scores: dict) -> None:  # type: ignore[type-arg]
    assert scores["all"]["f1"] >= 0.85


@pytest.mark.parametrize("key", ["funding", "gpu_procurement", "revenue", "lang:en", "lang:fr"])
def test_strict_f1_per_kind_and_language(scores: dict, key: str) -> None:  # type: ignore[type-arg]
    assert scores[key]["f1"] >= 0.75, scores[key]
