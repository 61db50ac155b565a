"""Cost of the story stage's pure part, and what it groups in the labelled dev set.

- fingerprint: ms per article of ``signals.stories.fingerprint`` over the dev articles, over
  templated articles, and for one article of about 1 MB (the largest the worker accepts);
- index: ms per ``StoryIndex.assign`` while N templated articles are indexed (one template,
  other companies and figures: they share most of their words, so most of their LSH buckets);
  the cost per article must not grow with N;
- dev grouping: which dev articles the index groups with an earlier one (they are distinct
  articles; two of them report the same xAI round), and the highest anchor Jaccard of a pair.

Times are CPU seconds of this process (``time.process_time``): on a shared machine they move
less than wall time. Best of ``--repeat`` runs.

    .venv/bin/python bench/stories_bench.py [--dev PATH] [--sizes 1000,2000,4000,8000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from signals.models import NewsEvent
from signals.stories import Fingerprint, fingerprint, jaccard
from signals.storyindex import StoryIndex

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "eval" / "dev_news.jsonl"

_SYLLABLES = "ba ko ri sun tel vo ma xen du pra li om fe gra zu nek".split()
_TEMPLATE = (
    "{co} posts quarterly sales of ${sales} million, up {up}%\n"
    "{co}, based in {city}, posted sales of ${sales} million for the quarter ended in "
    "September, up {up}% on a year earlier, and an operating profit of ${profit} million. "
    "Its chief executive, {boss}, told analysts that orders from {sector} customers kept "
    "rising and that the group now expects annual sales of ${low} million to ${high} million. "
    "The shares closed {move}% higher in {market} trading. {co} has {staff} employees."
)


def load(path: Path) -> list[NewsEvent]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data["published_at"] = None  # some dev dates are partial; time plays no part here
        out.append(NewsEvent.model_validate(data))
    return out


def templated(n: int, seed: int = 7) -> list[NewsEvent]:
    """``n`` articles of one template, each about another company with other figures."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = "".join(_SYLLABLES[(i >> s) & 15] for s in (12, 8, 4, 0)).title()
        sales = rng.randrange(20, 4000)
        body = _TEMPLATE.format(
            co=f"{name} {rng.choice(('Industries', 'Software', 'Foods', 'Motors'))}",
            sales=sales,
            up=rng.randrange(2, 300),
            city=rng.choice(("Lyon", "Turin", "Denver", "Osaka", "Leeds", "Ghent")),
            profit=rng.randrange(1, 900),
            boss=f"{rng.choice(_SYLLABLES).title()}{rng.choice(_SYLLABLES)} "
            f"{rng.choice(_SYLLABLES).title()}{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}",
            sector=rng.choice(("retail", "automotive", "energy", "healthcare")),
            low=sales * 4,
            high=sales * 4 + rng.randrange(10, 500),
            move=rng.randrange(1, 40),
            market=rng.choice(("Paris", "Frankfurt", "New York")),
            staff=rng.randrange(100, 90_000),
        )
        out.append(NewsEvent(id=f"t{i}", body=body))
    return out


def best_cpu_seconds(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def timed_index(fps: list[Fingerprint], repeat: int) -> tuple[float, StoryIndex]:
    """Best CPU seconds to index ``fps`` into an empty index, and the last index built."""
    best = float("inf")
    index = StoryIndex()
    for _ in range(repeat):
        index = StoryIndex()
        start = time.process_time()
        for i, fp in enumerate(fps):
            index.assign(fp.keys.id, float(i), fp)
        best = min(best, time.process_time() - start)
    return best, index


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    events = load(args.dev)

    def fingerprint_all(batch: list[NewsEvent]) -> None:
        for e in batch:
            fingerprint(e)

    rounds = 20
    dev_ms = best_cpu_seconds(lambda: fingerprint_all(events * rounds), args.repeat)
    dev_ms *= 1000 / (rounds * len(events))
    corpus = templated(max(sizes))
    sample = corpus[:1000]
    templated_ms = best_cpu_seconds(lambda: fingerprint_all(sample), args.repeat)
    templated_ms *= 1000 / len(sample)
    rng = random.Random(1)
    huge = NewsEvent(id="huge", body=" ".join(rng.choice(corpus).body for _ in range(1900)))
    huge_ms = best_cpu_seconds(lambda: fingerprint(huge), args.repeat) * 1000

    fps = {e.id: fingerprint(e) for e in events}
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

    corpus_fps = [fingerprint(e) for e in corpus]
    assign_ms: dict[str, float] = {}
    stories: dict[str, int] = {}
    for n in sizes:
        seconds, built = timed_index(corpus_fps[:n], args.repeat)
        assign_ms[str(n)] = round(seconds / n * 1000, 3)
        stories[str(n)] = len({e.story_id for e in built.entries()})

    result = {
        "dev_articles": len(events),
        "fingerprint_ms_per_article": {
            "dev": round(dev_ms, 3),
            "templated": round(templated_ms, 3),
            f"one_{len(huge.body)}_chars": round(huge_ms, 1),
        },
        "templated_assign_ms_per_article": assign_ms,
        "templated_stories": stories,
        "dev_grouped": grouped,
        "dev_top_anchor_jaccard": list(top),
    }
    print(json.dumps(result))
    per_n = ", ".join(f"{n}: {ms:.3f}" for n, ms in assign_ms.items())
    print(
        f"fingerprint {dev_ms:.2f} ms/article (dev), {templated_ms:.2f} (templated), "
        f"{huge_ms:.0f} ms for {len(huge.body)} chars; assign ms/article with N templated "
        f"articles {per_n}; dev articles grouped: {len(grouped)}"
    )


if __name__ == "__main__":
    main()
