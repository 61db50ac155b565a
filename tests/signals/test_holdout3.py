"""Regression floor on docs/eval/holdout3.jsonl: 40 articles written blind for this repository
(in our own words, by someone who had not read the detectors), scored by ../shared/eval/score.py.

Nobody tuned on this set: it is the honest estimate of quality on unseen news (strict F1 0.728
when it was written, unchanged by a later tuning round on holdout2). The floor only guards against
regressions; do not tune rules on its documents.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from signals.evaluation import predictions_for

HERE = Path(__file__).resolve()
GOLD = HERE.parents[2] / "docs" / "eval" / "holdout3.jsonl"
SCORER = HERE.parents[3] / "shared" / "eval" / "score.py"


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    docs = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    preds = tmp_path_factory.mktemp("holdout3") / "predictions.jsonl"
    preds.write_text("".join(json.dumps(p) + "\n" for p in predictions_for(docs)), "utf-8")
    out = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(preds), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    strict: dict[str, dict[str, float]] = json.loads(out.stdout)["strict"]
    return strict


def test_holdout3_overall_strict_f1(scores: dict[str, dict[str, float]]) -> None:
    assert scores["all"]["f1"] >= 0.70, scores["all"]


@pytest.mark.parametrize("key", ["funding", "gpu_procurement", "revenue", "lang:en", "lang:fr"])
def test_holdout3_strict_f1_per_kind_and_language(
    scores: dict[str, dict[str, float]], key: str
) -> None:
    assert scores[key]["f1"] >= 0.55, scores[key]
