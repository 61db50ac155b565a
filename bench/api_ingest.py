"""POST /v1/news throughput and latency on loopback against the embedded broker.

    .venv/bin/python bench/api_ingest.py

One client, sequential requests, 1 KB events: single events, then batches of 100. Every
request must be answered 202 (acknowledged by the broker, acks=all).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from prometheus_client import CollectorRegistry

from streams.api_server import serving
from streams.broker import EmbeddedBroker, free_port
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import create_topics


async def run(broker: EmbeddedBroker) -> None:
    settings = Settings(
        broker=broker.url,
        embedded_broker=True,
        partitions=4,
        api_rate_per_s=1e6,
        api_rate_burst=1_000_000,
    )
    await create_topics(settings)
    port = free_port()
    async with serving(settings, Metrics.create(CollectorRegistry()), port=port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for size, requests in ((1, 200), (100, 30)):
                latencies: list[float] = []
                started = time.perf_counter()
                for b in range(requests):
                    batch = [
                        {"id": f"b{size}-{b}-{i}", "title": "t", "body": "x" * 1000}
                        for i in range(size)
                    ]
                    t = time.perf_counter()
                    r = await client.post("/v1/news", json=batch if size > 1 else batch[0])
                    latencies.append(time.perf_counter() - t)
                    assert r.status_code == 202, r.text
                elapsed = time.perf_counter() - started
                latencies.sort()
                events = size * requests
                print(
                    f"batch={size}: {events} events in {elapsed:.2f} s = "
                    f"{events / elapsed:.0f} events/s; request p50 "
                    f"{statistics.median(latencies) * 1000:.1f} ms, p95 "
                    f"{latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms"
                )


def main() -> None:
    with EmbeddedBroker() as broker:
        asyncio.run(run(broker))


if __name__ == "__main__":
    main()
