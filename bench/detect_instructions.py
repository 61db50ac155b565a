"""Instructions per article of ``signals.detect()``, counted by valgrind (steady when shared).

Runs ``detect()`` over the first 300 articles of the extraction benchmark's corpus
(``extract_bench.build_corpus``, seed 7) under ``valgrind --tool=callgrind``, then over the
first one, and prints the difference divided by 299: start-up, imports and corpus building
cancel out. Needs ``valgrind`` (Debian package). Takes about a minute.

    .venv/bin/python bench/detect_instructions.py [--articles 300]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(n: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from extract_bench import DEFAULT_DEV, build_corpus

    from signals import NewsEvent, detect

    corpus = build_corpus(DEFAULT_DEV, 300, 7)[:n]
    print(sum(len(detect(NewsEvent.model_validate(json.loads(line)))) for line in corpus))


def _instructions(n: int) -> int:
    """Instructions of one process running detect() over the first ``n`` articles."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={os.path.join(tmp, 'out')}",
            sys.executable,
            __file__,
            "--worker",
            str(n),
        ]
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    found = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        _run(args.worker)
        return 0
    many, one = _instructions(args.articles), _instructions(1)
    per_article = (many - one) // (args.articles - 1)
    print(json.dumps({"articles": args.articles, "instructions_per_article": per_article}))
    print(f"detect: {per_article:,} instructions per article ({args.articles} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
