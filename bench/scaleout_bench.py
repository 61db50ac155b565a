"""Scale-out: one worker vs two workers of the same app on the same topic.

For each worker count a fresh app (own group, topics and tables) on one embedded broker: the
workers are started and waited for (partitions assigned, no rebalance in progress), then
``--events`` events (real prose recombined at run time, see ``benchlib``) are produced as fast
as the broker takes them, and the run is timed from the first send until the detect stage has
settled every event and the aggregate stage has committed every signal.

Prints one JSON object and a one-line summary. Target: 2 workers >= 1.6x one worker, where the
machine has the cores for it (two workers, the broker and this driver share ``nproc`` cores).

    .venv/bin/python bench/scaleout_bench.py [--events 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import (
    Corpus,
    add_worker_options,
    bench_settings,
    broker,
    emit,
    loadavg,
    machine,
    prepare_topics,
    produce,
    start_workers,
    stop_workers,
    summed,
    wait_drained,
    wait_ready,
)

TARGET = 1.6


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = loadavg()
    rows = []
    with broker() as b, tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2):
            settings = bench_settings(
                b, Path(tmp), stories_enabled=args.stories == "on", store=args.store, **args.set
            )
            prepare_topics(settings)
            corpus = Corpus(seed=args.seed, tag=f"scale{n}")
            messages = corpus.values(args.events, start=time.time() - args.events * 6, step_s=6)
            logs = Path(tmp) / f"w{n}"
            logs.mkdir()
            workers = start_workers(settings, n, logs)
            try:
                wait_ready(workers)
                time.sleep(2.0)  # a second join may still be settling: check again
                wait_ready(workers)
                t0 = time.perf_counter()
                asyncio.run(produce(settings, messages))
                _, done = wait_drained(settings, workers, args.events, timeout_s=args.timeout)
                per_worker = [int(summed([w], "signals_news_ingested_total")) for w in workers]
            finally:
                stop_workers(workers)
            rows.append(
                {
                    "workers": n,
                    "events_per_s": round(args.events / (done - t0), 1),
                    "seconds": round(done - t0, 2),
                    "ingested_per_worker": per_worker,
                    "loadavg": loadavg(),
                }
            )
    speedup = rows[1]["events_per_s"] / rows[0]["events_per_s"]
    cores = os.cpu_count() or 1
    return {
        "bench": "scaleout",
        "events": args.events,
        "stories": args.stories,
        "store": args.store,
        "runs": rows,
        "speedup": round(speedup, 3),
        "target_speedup": TARGET,
        "meets_target": speedup >= TARGET,
        # two busy workers plus the broker need more than two cores to show 2x
        "machine_allows": cores >= 4,
        "loadavg_before": load_before,
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    add_worker_options(ap, seed=17)
    ap.add_argument("--timeout", type=float, default=1800.0, help="bound on each run")
    args = ap.parse_args(argv)
    r = run(args)
    one, two = r["runs"]
    emit(
        r,
        f"scale-out: 1 worker {one['events_per_s']:,.0f} events/s, 2 workers "
        f"{two['events_per_s']:,.0f} events/s = {r['speedup']:.2f}x (target >= {TARGET}x: "
        f"{'OK' if r['meets_target'] else 'BELOW'}; {r['machine']['nproc']} cores"
        f"{'' if r['machine_allows'] else ', too few to show it'}); load {r['loadavg_before'][0]}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
