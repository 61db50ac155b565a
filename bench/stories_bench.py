"""Cost of the story stage's pure part, and what it groups in the labelled dev set.

- fingerprint: ms per article of ``signals.stories.fingerprint`` over the dev articles;
- index: ms per ``StoryIndex.assign`` with N distinct synthetic articles in the window;
- dev grouping: which dev articles the index groups with an earlier one (they are distinct
  articles; two of them report the same xAI round), and the highest anchor Jaccard of a pair.

    .venv/bin/python bench/stories_bench.py [--dev PATH] [--window N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from pathlib import Path

from signals.models import NewsEvent
from signals.stories import fingerprint, jaccard
from signals.storyindex import StoryIndex

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "eval" / "dev_news.jsonl"


def load(path: Path) -> list[NewsEvent]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data["published_at"] = None  # some dev dates are partial; time plays no part here
        out.append(NewsEvent.model_validate(data))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--window", type=int, default=5000)
    args = parser.parse_args()
    events = load(args.dev)

    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        fps = {e.id: fingerprint(e) for e in events}
    per_article_ms = (time.perf_counter() - start) / (rounds * len(events)) * 1000

    index = StoryIndex()
    grouped = []
    for e in events:
        verdict = index.assign(e.id, 0.0, fps[e.id])
        if verdict.outcome != "new":
            grouped.append([e.id, verdict.matched, verdict.reason, verdict.similarity])
    top = max(
        (round(jaccard(fps[a].anchors, fps[b].anchors), 3), a, b)
        for a, b in itertools.combinations(fps, 2)
    )

    rng = random.Random(7)
    words = [f"w{i}" for i in range(5000)]
    synthetic = [
        NewsEvent(
            id=f"s{i}",
            body=" ".join(rng.choice(words) for _ in range(180))
            + f" Company{i} raised {rng.randrange(1, 900)} million.",
        )
        for i in range(args.window)
    ]
    sfps = [fingerprint(e) for e in synthetic]
    big = StoryIndex()
    start = time.perf_counter()
    for i, (e, fp) in enumerate(zip(synthetic, sfps, strict=True)):
        big.assign(e.id, float(i), fp)
    assign_ms = (time.perf_counter() - start) / len(synthetic) * 1000

    result = {
        "dev_articles": len(events),
        "fingerprint_ms_per_article": round(per_article_ms, 3),
        "index_assign_ms_per_article": round(assign_ms, 3),
        "index_window": len(big),
        "dev_grouped": grouped,
        "dev_top_anchor_jaccard": list(top),
    }
    print(json.dumps(result))
    print(
        f"fingerprint {per_article_ms:.2f} ms/article, assign {assign_ms:.2f} ms/article "
        f"with {len(big)} in the window; dev articles grouped: {len(grouped)}"
    )


if __name__ == "__main__":
    main()
