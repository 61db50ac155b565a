"""The aggregate stage alone, in this process: ``Pipeline.on_signals`` on the real window tables.

No broker: the tables use the memory store, each changelog record is serialised as faust
would (its ``json`` codec) and counted instead of sent, alerts are built but not sent. Signals
for ``--companies`` companies (3 kinds, 40 sources), event times 6 s apart, in batches of
``--batch``. Prints one JSON object and a one-line summary; ``--profile N`` also prints the
top N functions of a cProfile run (cumulative).

    .venv/bin/python bench/aggregate_profile.py [--signals 6000] [--companies 500]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import emit, loadavg, machine
from faust.serializers import codecs
from prometheus_client import CollectorRegistry

from signals.models import Evidence, Signal
from streams.app import create_app
from streams.codec import encode
from streams.metrics import Metrics
from streams.settings import Settings

T0 = 1_700_000_000.0


class _Message:
    def __init__(self, topic: str, value: bytes, timestamp: float, offset: int, partition: int):
        self.topic, self.value, self.timestamp = topic, value, timestamp
        self.offset, self.partition = offset, partition
        self.key = b""
        self.headers: list[tuple[str, bytes]] = []


class _Event:
    def __init__(self, message: _Message) -> None:
        self.message = message


class _Sent:
    """What ``send_changelog`` returns: faust reads the record's partition from it."""

    def __init__(self, partition: int) -> None:
        self.message = _Message("", b"", 0.0, 0, partition)


def events(settings: Settings, n: int, companies: int, seed: int) -> list[_Event]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        company = f"Company {rng.randrange(companies)}"
        when = T0 + i * 6
        signal = Signal(
            signal_id=f"s{i}",
            article_id=f"a{i}",
            kind=rng.choice(["funding", "revenue", "gpu_procurement"]),
            company=company,
            company_mention=company,
            language="en",
            confidence=0.9,
            evidence=Evidence(field="body", start=0, end=8, sentence="x raised"),
            source=f"outlet-{rng.randrange(40)}",
            published_at=datetime.fromtimestamp(when, UTC),
            amount=float(rng.randrange(1, 500)) * 1e6,
            currency="USD",
        )
        msg = _Message(
            settings.topic_signals_detected,
            encode(signal),
            when,
            i,
            zlib.crc32(company.encode()) % 4,
        )
        out.append(_Event(msg))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(broker="kafka://127.0.0.1:1", data_dir=Path(tmp), store="memory")
        service = create_app(settings, Metrics.create(CollectorRegistry()))
    pipeline = service.pipeline
    written = {"records": 0, "bytes": 0, "tombstones": 0}

    def send_changelog(partition: int, key: Any, value: Any, **_: Any) -> _Sent:
        written["records"] += 1
        written["bytes"] += len(codecs.dumps("json", key))
        if value is None:
            written["tombstones"] += 1
        else:
            written["bytes"] += len(codecs.dumps("json", value))
        return _Sent(partition)

    async def not_sent(*_args: Any, **_kwargs: Any) -> None:
        return None

    for wrapper in pipeline.tables.by_name.values():
        wrapper.table.send_changelog = send_changelog
    pipeline.topics.signals_alerts.send = not_sent
    batch = events(settings, args.signals, args.companies, args.seed)

    async def aggregate() -> None:
        for i in range(0, len(batch), args.batch):
            await pipeline.on_signals(batch[i : i + args.batch])

    profiler = cProfile.Profile() if args.profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    asyncio.run(aggregate())
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(args.profile)
    return {
        "bench": "aggregate",
        "signals": args.signals,
        "companies": args.companies,
        "batch": args.batch,
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "signals_per_cpu_s": round(args.signals / cpu, 1),
        "changelog": written,
        "profiled": bool(profiler),
        "loadavg": loadavg(),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--signals", type=int, default=6000)
    ap.add_argument("--companies", type=int, default=500)
    ap.add_argument("--batch", type=int, default=200, help="signals per on_signals call")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=int, default=0, help="print the top N functions")
    r = run(ap.parse_args(argv))
    emit(
        r,
        f"aggregate: {r['signals']:,} signals in {r['cpu_s']:.2f} s CPU "
        f"({r['signals_per_cpu_s']:,.0f}/s), {r['changelog']['records']:,} changelog records "
        f"({r['changelog']['tombstones']:,} tombstones); load {r['loadavg'][0]}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
