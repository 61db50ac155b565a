"""End-to-end latency: produce -> alert, p50/p95/p99, at fixed input rates.

One ``signals worker`` on a fresh embedded broker; after a warm-up, news events (real prose
recombined at run time, see ``benchlib``; published "now") are produced at each ``--rates`` value
for ``--seconds`` seconds, without awaiting each send. A plain aiokafka consumer on
``signals.alerts`` (fetch wait 5 ms) stamps each alert as it arrives; the latency of an article is
the time from handing its event to the producer to reading its first alert. Articles that yield
no alert (no figure over a threshold) have no latency.

Prints one JSON object and a one-line summary. Targets: p99 < 100 ms at 100 events/s and
< 500 ms at 1,000 events/s.

    .venv/bin/python bench/latency_bench.py [--rates 100 1000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from benchlib import (
    Corpus,
    add_worker_options,
    bench_settings,
    broker,
    emit,
    loadavg,
    machine,
    percentile,
    prepare_topics,
    produce,
    start_workers,
    stop_workers,
    wait_drained,
    wait_ready,
)

from streams.kafka import aiokafka_options
from streams.settings import Settings

TARGETS_MS = {100: 100.0, 1000: 500.0}


async def measure(
    settings: Settings, messages: list[tuple[bytes, bytes]], rate: float, drain_s: float
) -> dict[str, Any]:
    """Produce ``messages`` at ``rate``/s while reading alerts; latencies of first alerts."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    sent: dict[str, float] = {}
    ids = [key.decode() for key, _ in messages]
    first: dict[str, float] = {}
    consumer = AIOKafkaConsumer(
        enable_auto_commit=False, fetch_max_wait_ms=5, **aiokafka_options(settings)
    )
    await consumer.start()
    tps = [TopicPartition(settings.topic_signals_alerts, p) for p in range(settings.partitions)]
    consumer.assign(tps)
    await consumer.seek_to_end(*tps)
    done = asyncio.Event()

    async def read() -> None:
        last_new = time.monotonic()
        while True:
            batch = await consumer.getmany(timeout_ms=20)
            now = time.time()
            for records in batch.values():
                for record in records:
                    article = orjson.loads(record.value or b"{}").get("article_id")
                    if article in sent and article not in first:
                        first[article] = now
                        last_new = time.monotonic()
            if done.is_set() and (len(first) == len(sent) or time.monotonic() - last_new > drain_s):
                return

    def on_sent(i: int, at: float) -> None:
        sent[ids[i]] = at

    reader = asyncio.create_task(read())
    try:
        produce_s = await produce(settings, messages, rate=rate, on_sent=on_sent)
        done.set()
        await asyncio.wait_for(reader, timeout=drain_s * 40)
    finally:
        reader.cancel()
        await consumer.stop()
    latencies = sorted((first[a] - sent[a]) * 1000 for a in first)
    return {
        "rate": rate,
        "events": len(messages),
        "achieved_rate": round(len(messages) / produce_s, 1),
        "alerted_articles": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = loadavg()
    results = []
    with broker() as b, tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(
            b, Path(tmp), stories_enabled=args.stories == "on", store=args.store, **args.set
        )
        prepare_topics(settings)
        corpus = Corpus(seed=args.seed, tag="lat")
        workers = start_workers(settings, 1, Path(tmp))
        try:
            wait_ready(workers)
            warm = corpus.values(args.warmup)
            asyncio.run(produce(settings, warm))
            wait_drained(settings, workers, args.warmup, timeout_s=300)
            settled = args.warmup
            for rate in args.rates:
                messages = corpus.values(int(rate * args.seconds))
                r = asyncio.run(measure(settings, messages, rate, args.drain))
                settled += len(messages)
                wait_drained(settings, workers, settled, timeout_s=600)
                target = TARGETS_MS.get(int(rate))
                r["target_p99_ms"] = target
                r["meets_target"] = None if target is None else r["p99_ms"] < target
                r["loadavg"] = loadavg()
                results.append(r)
        finally:
            stop_workers(workers)
    return {
        "bench": "latency",
        "stories": args.stories,
        "store": args.store,
        "settings": args.set,
        "seconds_per_rate": args.seconds,
        "results": results,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rates", type=float, nargs="+", default=[100.0, 1000.0])
    ap.add_argument("--seconds", type=float, default=20.0, help="seconds of input per rate")
    ap.add_argument("--warmup", type=int, default=200, help="events sent and settled first")
    ap.add_argument("--drain", type=float, default=5.0, help="stop after this long without alerts")
    add_worker_options(ap, seed=11)
    args = ap.parse_args(argv)
    r = run(args)
    parts = [
        f"{x['rate']:g}/s p50 {x['p50_ms']:.0f} p95 {x['p95_ms']:.0f} p99 {x['p99_ms']:.0f} ms "
        f"({'OK' if x['meets_target'] else 'BELOW'} target {x['target_p99_ms']})"
        for x in r["results"]
    ]
    emit(r, "latency produce->alert: " + "; ".join(parts) + f"; load {r['loadavg_before'][0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
