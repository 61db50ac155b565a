"""Worker memory: RSS after N and 2N events, with windows expiring, on the embedded broker.

One ``signals worker`` (default settings) on a fresh embedded broker. The events (real prose
recombined at run time, see ``benchlib``) carry publication times ``--step`` seconds apart, so
the event-time clock runs through many 1 h / 1 d / 7 d windows and their expiry (and the story
window, when the story stage is on). ``--events`` events are produced and fully processed, the
worker's RSS is read (``/proc/PID/status``), then ``--events`` more, and RSS again.

Prints one JSON object and a one-line summary. Target: RSS growth < 10 % from N to 2N.

    .venv/bin/python bench/memory_bench.py [--events 100000] [--step 60]
"""

from __future__ import annotations

import argparse
import asyncio
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
    rss_bytes,
    start_workers,
    stop_workers,
    summed,
    wait_drained,
    wait_ready,
)

TARGET = 0.10
MIB = 1024 * 1024


def settled_rss(pid: int, samples: int = 5, every_s: float = 0.5) -> int:
    """The lowest of a few RSS readings once the worker is idle (after its last commit)."""
    readings = []
    for _ in range(samples):
        time.sleep(every_s)
        readings.append(rss_bytes(pid))
    return min(readings)


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = loadavg()
    rows = []
    with broker() as b, tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(
            b, Path(tmp), stories_enabled=args.stories == "on", store=args.store
        )
        prepare_topics(settings)
        corpus = Corpus(seed=args.seed, tag="mem")
        # event time: 2N events ending now, one every --step seconds
        start = time.time() - 2 * args.events * args.step
        workers = start_workers(settings, 1, Path(tmp))
        try:
            wait_ready(workers)
            pid = workers[0].pid
            rss_start = rss_bytes(pid)
            for half in (1, 2):
                first = start + (half - 1) * args.events * args.step
                messages = corpus.values(args.events, start=first, step_s=args.step)
                t0 = time.perf_counter()
                asyncio.run(produce(settings, messages))
                del messages
                wait_drained(settings, workers, half * args.events, timeout_s=args.timeout)
                elapsed = time.perf_counter() - t0
                rows.append(
                    {
                        "events": half * args.events,
                        "rss_mib": round(settled_rss(pid) / MIB, 1),
                        "seconds": round(elapsed, 1),
                        "table_keys": summed(workers, "signals_table_keys"),
                        "broker_rss_mib": round(rss_bytes(b.pid or 0) / MIB, 1),
                        "loadavg": loadavg(),
                    }
                )
        finally:
            stop_workers(workers)
    growth = rows[1]["rss_mib"] / rows[0]["rss_mib"] - 1
    return {
        "bench": "memory",
        "events_per_step": args.events,
        "event_time_step_s": args.step,
        "event_time_span_days": round(2 * args.events * args.step / 86400, 1),
        "stories": args.stories,
        "store": args.store,
        "rss_at_start_mib": round(rss_start / MIB, 1),
        "steps": rows,
        "rss_growth": round(growth, 4),
        "target_growth": TARGET,
        "meets_target": growth < TARGET,
        "loadavg_before": load_before,
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000, help="events per step (N)")
    ap.add_argument("--step", type=float, default=60.0, help="event-time seconds between events")
    add_worker_options(ap, seed=13)
    ap.add_argument("--timeout", type=float, default=3600.0, help="bound on each step")
    args = ap.parse_args(argv)
    r = run(args)
    a, b = r["steps"]
    emit(
        r,
        f"memory: worker RSS {a['rss_mib']:.0f} MiB after {a['events']:,} events, "
        f"{b['rss_mib']:.0f} MiB after {b['events']:,} = {r['rss_growth']:+.1%} "
        f"(target < {TARGET:.0%}: {'OK' if r['meets_target'] else 'BELOW'}); "
        f"event time {r['event_time_span_days']} days; load {r['loadavg_before'][0]}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
