"""Pipeline throughput next to a bare aiokafka loop, on the same broker and the same topic.

1. ``--events`` news events (real prose recombined at run time, see ``benchlib``) are produced to
   ``news.raw`` of a fresh embedded broker, event times one every ``--step`` seconds (so the 1 h,
   1 d and 7 d windows open and expire as in an archive replay).
2. Bare loops read that topic with one aiokafka consumer (no group, ``getmany``):
   decode only (``orjson.loads``), then decode + ``NewsEvent`` + ``signals.detect`` per message.
3. One ``signals worker`` process (the service as shipped, default settings but for the story
   stage: ``--stories off`` runs the chain validate -> detect -> aggregate -> alert alone) consumes
   the same topic; timed from its first readiness (partitions assigned) until the detect stage has
   settled every event and the aggregate stage has committed every signal it was sent.

Prints one JSON object and a one-line summary. Target: pipeline >= 50 % of the bare detect loop.

    .venv/bin/python bench/pipeline_bench.py [--events 100000] [--stories off|on]
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
    prepare_topics,
    produce,
    start_profiler,
    start_workers,
    stop_profiler,
    stop_workers,
    summed,
    wait_drained,
    wait_ready,
)

from signals.detect import detect
from signals.models import NewsEvent
from streams.kafka import aiokafka_options
from streams.settings import Settings

TARGET = 0.5


async def bare_loop(settings: Settings, n: int, with_detect: bool) -> tuple[float, int]:
    """(seconds, signals) to read ``n`` messages of news.raw and decode (and detect) each."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 << 20,
        fetch_max_bytes=16 << 20,
        **aiokafka_options(settings),
    )
    await consumer.start()
    try:
        tps = [TopicPartition(settings.topic_news_raw, p) for p in range(settings.partitions)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        seen = signals = 0
        start = time.perf_counter()
        while seen < n:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batch.values():
                for record in records:
                    data = orjson.loads(record.value or b"")
                    if with_detect:
                        signals += len(detect(NewsEvent.model_validate(data)))
                    seen += 1
        return time.perf_counter() - start, signals
    finally:
        await consumer.stop()


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = loadavg()
    with broker() as b, tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(
            b, Path(tmp), stories_enabled=args.stories == "on", store=args.store, **args.set
        )
        prepare_topics(settings)
        corpus = Corpus(seed=args.seed, tag="pipe")
        start = time.time() - args.events * args.step
        messages = corpus.values(args.events, start=start, step_s=args.step)
        produce_s = asyncio.run(produce(settings, messages))
        del messages

        decode_s, _ = asyncio.run(bare_loop(settings, args.events, with_detect=False))
        bare_s, bare_signals = asyncio.run(bare_loop(settings, args.events, with_detect=True))
        load_bare = loadavg()
        print(  # progress, so that a run cut short still tells the bare rates
            f"bare: decode {args.events / decode_s:,.0f}/s, decode+detect "
            f"{args.events / bare_s:,.0f}/s, load {load_bare[0]}",
            file=sys.stderr,
            flush=True,
        )

        workers = start_workers(settings, 1, Path(tmp))
        profiler = None
        try:
            if args.profile:
                profiler = start_profiler(workers[0].pid, args.profile)
            t0 = wait_ready(workers)
            detect_done, done = wait_drained(settings, workers, args.events, args.timeout)
            if profiler is not None:
                stop_profiler(profiler)
            signals = summed(workers, "signals_signals_detected_total")
            alerts = summed(workers, "signals_alerts_emitted_total")
            dropped = summed(workers, "signals_duplicates_dropped_total")
            rejected = summed(workers, "signals_news_rejected_total")
        finally:
            if profiler is not None:
                stop_profiler(profiler)
            stop_workers(workers)
    pipeline_rate = args.events / (done - t0)
    bare_rate = args.events / bare_s
    ratio = pipeline_rate / bare_rate
    return {
        "bench": "pipeline",
        "events": args.events,
        "stories": args.stories,
        "store": args.store,
        "settings": args.set,
        "produce_events_per_s": round(args.events / produce_s, 1),
        "bare_decode_events_per_s": round(args.events / decode_s, 1),
        "bare_detect_events_per_s": round(bare_rate, 1),
        "bare_signals": bare_signals,
        "pipeline_events_per_s": round(pipeline_rate, 1),
        "pipeline_detect_stage_events_per_s": round(args.events / (detect_done - t0), 1),
        "pipeline_seconds": round(done - t0, 2),
        "pipeline_signals_sent": int(signals),
        "pipeline_alerts": int(alerts),
        "pipeline_duplicates_dropped": int(dropped),
        "pipeline_rejected": int(rejected),
        "ratio_to_bare_detect": round(ratio, 3),
        "target_ratio": TARGET,
        "meets_target": ratio >= TARGET,
        "loadavg_before": load_before,
        "loadavg_after_bare": load_bare,
        "loadavg_after": loadavg(),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--step", type=float, default=6.0, help="event-time seconds between events")
    add_worker_options(ap, seed=7)
    ap.add_argument("--timeout", type=float, default=1800.0, help="bound on the pipeline run")
    ap.add_argument("--profile", type=Path, help="py-spy the worker into this collapsed-stack file")
    args = ap.parse_args(argv)
    r = run(args)
    emit(
        r,
        f"pipeline: {r['pipeline_events_per_s']:,.0f} events/s vs bare decode+detect "
        f"{r['bare_detect_events_per_s']:,.0f}/s = {r['ratio_to_bare_detect']:.0%} "
        f"(target >= {TARGET:.0%}: {'OK' if r['meets_target'] else 'BELOW'}); "
        f"bare decode only {r['bare_decode_events_per_s']:,.0f}/s; {r['events']} events, "
        f"stories {r['stories']}, load {r['loadavg_before'][0]}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
