"""Where a worker's time goes: top functions of a py-spy collapsed-stack file.

``pipeline_bench.py --profile FILE`` samples the worker with py-spy (``-f raw``); this prints,
for the functions seen most, the share of samples in which they are on the stack (inclusive)
and at the top of it (self).

    .venv/bin/python bench/profile_summary.py FILE [--top 40]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path


def frame_name(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``func file.py``."""
    func, _, where = frame.partition(" (")
    return f"{func} {where.split(':')[0].rsplit('/', 1)[-1]}" if where else func


def summarize(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [frame_name(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    return total, inclusive, own


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    total, inclusive, own = summarize(args.file)
    print(f"{total} samples")
    print("inclusive:")
    for name, n in inclusive.most_common(args.top):
        print(f"  {n / total:6.1%}  {name}")
    print("self:")
    for name, n in own.most_common(args.top // 2):
        print(f"  {n / total:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
