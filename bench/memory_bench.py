"""Worker memory: RSS after N and 2N events, with windows expiring, on the embedded broker.

One ``signals worker`` (default settings) on a fresh embedded broker. The events (real prose
recombined at run time, see ``benchlib``) carry publication times ``--step`` seconds apart, so
the event-time clock runs through many 1 h / 1 d / 7 d windows and their expiry (and the story
window, when the story stage is on). 2N events (N = ``--events``) are produced in
``2 * --points`` equal slices; after each slice is fully processed the worker's RSS is read
(``/proc/PID/status``, lowest of a few readings), with its window-table keys (the
``signals_table_keys`` gauge, refreshed every 5 s).

Prints one JSON object and a one-line summary. Target: RSS growth < 10 % from N to 2N.

    .venv/bin/python bench/memory_bench.py [--events 100000] [--step 60] [--points 2]
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
    wait_drained,
    wait_ready,
)

from streams.heap import TRIM_INTERVAL_S

TARGET = 0.10
MIB = 1024 * 1024
GAUGE_PERIOD_S = 5.5


def settled_rss(pid: int, samples: int = 5, every_s: float = 0.5) -> int:
    """The lowest of a few RSS readings once the worker is idle (after its last commit)."""
    readings = []
    for _ in range(samples):
        time.sleep(every_s)
        readings.append(rss_bytes(pid))
    return min(readings)


def table_keys(worker: Any) -> dict[str, int]:
    """Keys held per window table (the worker's gauge)."""
    out = {}
    for name, value in worker.metrics().items():
        if name.startswith("signals_table_keys{"):
            out[name.split('table="', 1)[1].split('"', 1)[0]] = int(value)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = loadavg()
    rows = []
    with broker() as b, tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(
            b, Path(tmp), stories_enabled=args.stories == "on", store=args.store, **args.set
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
            t_start = time.perf_counter()
            slices = 2 * args.points
            done = 0
            for i in range(slices):
                n = (2 * args.events * (i + 1)) // slices - done
                messages = corpus.values(n, start=start + done * args.step, step_s=args.step)
                t0 = time.perf_counter()
                asyncio.run(produce(settings, messages))
                del messages
                done += n
                wait_drained(settings, workers, done, timeout_s=args.timeout)
                elapsed = time.perf_counter() - t0
                busy = settled_rss(pid)
                # idle past one heap trim (streams/heap.py) and one table-size gauge refresh
                time.sleep(max(TRIM_INTERVAL_S, GAUGE_PERIOD_S) + 2.0)
                rss = settled_rss(pid)
                keys = table_keys(workers[0])
                rows.append(
                    {
                        "events": done,
                        "event_time_days": round(done * args.step / 86400, 1),
                        "rss_mib": round(rss / MIB, 1),
                        "rss_busy_mib": round(busy / MIB, 1),
                        "seconds": round(elapsed, 1),
                        "events_per_s": round(n / elapsed, 1),
                        "table_keys": sum(keys.values()),
                        "table_keys_by_table": keys,
                        "broker_rss_mib": round(rss_bytes(b.pid or 0) / MIB, 1),
                        "loadavg": loadavg(),
                        "utc": time.strftime("%H:%M:%S", time.gmtime()),
                    }
                )
                print(f"  {rows[-1]}", file=sys.stderr, flush=True)
            total_s = time.perf_counter() - t_start
            if args.hold:
                print(f"  worker PID {pid} held for {args.hold:.0f} s", file=sys.stderr, flush=True)
                time.sleep(args.hold)
        finally:
            stop_workers(workers)
    at_n = next(r for r in rows if r["events"] == args.events)
    growth = rows[-1]["rss_mib"] / at_n["rss_mib"] - 1
    busy_growth = rows[-1]["rss_busy_mib"] / at_n["rss_busy_mib"] - 1
    return {
        "bench": "memory",
        "events_per_step": args.events,
        "event_time_step_s": args.step,
        "event_time_span_days": round(2 * args.events * args.step / 86400, 1),
        "stories": args.stories,
        "store": args.store,
        "rss_at_start_mib": round(rss_start / MIB, 1),
        "steps": rows,
        "rss_at_n_mib": at_n["rss_mib"],
        "rss_at_2n_mib": rows[-1]["rss_mib"],
        "seconds": round(total_s, 1),
        "rss_growth": round(growth, 4),
        "rss_busy_growth": round(busy_growth, 4),
        "target_growth": TARGET,
        "meets_target": growth < TARGET,
        "loadavg_before": load_before,
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000, help="events per step (N)")
    ap.add_argument("--step", type=float, default=60.0, help="event-time seconds between events")
    ap.add_argument("--points", type=int, default=2, help="RSS readings per N events (>= 1)")
    ap.add_argument("--hold", type=float, default=0.0, help="keep the worker up s for inspection")
    add_worker_options(ap, seed=13)
    ap.add_argument("--timeout", type=float, default=3600.0, help="bound on each step")
    args = ap.parse_args(argv)
    if args.points < 1:
        ap.error("--points must be >= 1")
    r = run(args)
    emit(
        r,
        f"memory: worker RSS {r['rss_at_n_mib']:.0f} MiB after {args.events:,} events, "
        f"{r['rss_at_2n_mib']:.0f} MiB after {2 * args.events:,} = {r['rss_growth']:+.1%} "
        f"(target < {TARGET:.0%}: {'OK' if r['meets_target'] else 'BELOW'}; "
        f"right after each half: {r['rss_busy_growth']:+.1%}); "
        f"event time {r['event_time_span_days']} days; load {r['loadavg_before'][0]}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
