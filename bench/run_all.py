"""Every benchmark in one go: pipeline vs bare loop, latency, memory, scale-out, extraction.

Each runs as its own process, one after the other (each starts and stops its own embedded broker
and workers), and prints one JSON object and a one-line summary; this prints them as they come,
then the summaries together. ``--quick`` runs small sizes (a smoke test, not the figures);
``--out FILE`` also writes every JSON object to FILE as a JSON list.

    .venv/bin/python bench/run_all.py [--quick] [--out bench-results.json]   (or: make bench)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import loadavg, machine, run_python

HERE = Path(__file__).resolve().parent

# (script, full-size arguments, quick arguments, bound in seconds)
BENCHES: list[tuple[str, list[str], list[str], float]] = [
    ("pipeline_bench.py", [], ["--events", "3000"], 3600.0),
    ("latency_bench.py", [], ["--seconds", "5"], 1800.0),
    ("memory_bench.py", [], ["--events", "3000"], 7200.0),
    ("scaleout_bench.py", [], ["--events", "3000"], 1800.0),
    ("extract_bench.py", [], ["--articles", "2000"], 1800.0),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="e.g. pipeline latency")
    ap.add_argument("--out", type=Path, help="write every result to this JSON file")
    args = ap.parse_args(argv)
    print(json.dumps({"machine": machine(), "loadavg": loadavg()}), flush=True)
    results: list[dict[str, Any]] = []
    summaries: list[str] = []
    failed = 0
    for script, full, quick, bound in BENCHES:
        name = script.removesuffix("_bench.py")
        if args.only and name not in args.only:
            continue
        if not (HERE / script).exists():
            summaries.append(f"{name}: skipped ({script} not present)")
            continue
        start = time.monotonic()
        try:
            done = run_python([str(HERE / script), *(quick if args.quick else full)], bound)
        except subprocess.TimeoutExpired:
            failed += 1
            summaries.append(f"{name}: FAILED, over its bound of {bound:.0f} s")
            continue
        lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
        objects = [ln for ln in lines if ln.startswith("{")]
        if done.returncode != 0 or not objects:
            failed += 1
            tail = "\n".join(done.stderr.splitlines()[-15:])
            summaries.append(f"{name}: FAILED (exit {done.returncode})")
            print(f"{name} failed:\n{tail}", file=sys.stderr, flush=True)
            continue
        result = json.loads(objects[-1])
        result.setdefault("bench", name)
        result["wall_seconds"] = round(time.monotonic() - start, 1)
        results.append(result)
        summary = lines[-1] if not lines[-1].startswith("{") else f"{name}: done"
        summaries.append(summary)
        print(objects[-1], flush=True)
        print(summary, flush=True)
    print("\n".join(["", "summary:", *summaries]), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
