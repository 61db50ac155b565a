"""Shared parts of the pipeline benchmarks: corpus, broker, workers, probes, output.

The corpus is built at run time from the bodies of ``../shared/eval/dev_news.jsonl`` (never
stored in the repository): the sentences of each language are pooled and recombined (seeded) into
articles of 3-12 sentences, every figure in them redrawn with the same number of digits and every
company name replaced by one of 5,000 invented names, with fresh ids, outlets and publication
times. Without the redrawing the 23 dev articles' companies would be the subject of every event
(a fifth of them about xAI's funding): per-company windows would hold what no broad feed
produces, and the story stage would see 100,000 rewrites of the same 23 stories.

Every benchmark starts its own embedded broker on a free loopback port and ``signals worker``
child processes, and stops each of them by PID.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from streams.broker import EmbeddedBroker, free_port
from streams.kafka import aiokafka_options
from streams.processes import WorkerProcess
from streams.settings import Settings
from streams.topics import create_topics

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "eval" / "dev_news.jsonl"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_DIGITS = re.compile(r"\d+")
OUTLETS = 40


# ----------------------------------------------------------------------------- corpus


def sentence_pools(dev: Path = DEFAULT_DEV) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(sentences by language, titles by language) of the dev set's prose."""
    pools: dict[str, list[str]] = {}
    titles: dict[str, list[str]] = {}
    for line in dev.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        lang = str(doc.get("language") or "en")
        pools.setdefault(lang, []).extend(
            s.strip() for s in _SENTENCE.findall(doc.get("body") or "") if len(s.strip()) > 20
        )
        if doc.get("title"):
            titles.setdefault(lang, []).append(str(doc["title"]))
    return pools, titles


def company_names(dev: Path = DEFAULT_DEV) -> list[str]:
    """Names of the companies the dev prose talks about: the packaged alias table's (GPU vendors
    excepted) and those ``signals.detect`` finds in the dev articles."""
    from signals.detect import detect
    from signals.models import NewsEvent

    data = json.loads((REPO / "signals" / "data" / "companies.json").read_text("utf-8"))
    vendors = {c["name"] for c in data["companies"] if c.get("vendor")}
    names = {
        n
        for c in data["companies"]
        if not c.get("vendor")
        for n in [c["name"], *c.get("aliases", [])]
    }
    for line in dev.read_text("utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            event = NewsEvent(id="dev", title=doc.get("title"), body=doc["body"])
            names.update(s.company for s in detect(event) if s.company not in vendors)
    return sorted(names, key=len, reverse=True)


def invented_names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    parts = ["vor", "tan", "qui", "lex", "mar", "dio", "sel", "bra", "nox", "tel", "ria", "gen"]
    parts += ["ka", "zu", "pho", "lin", "sor", "ven", "tri", "dal", "mu", "rex", "pal", "ost"]
    kinds = ["", "", " Labs", " AI", " Systems", " Robotics", " Energy", " Bio"]
    out: set[str] = set()
    while len(out) < n:
        word = "".join(rng.sample(parts, rng.randint(2, 3))).capitalize()
        out.add(word + rng.choice(kinds))
    return sorted(out)


class Corpus:
    """News events (JSON bytes) recombined from the dev set's sentences, deterministic by seed.

    ``companies``: how many invented company names replace the dev set's (consistently within an
    article); 0 keeps the dev names, and then a fifth of the articles are about xAI's funding.
    """

    def __init__(
        self, seed: int = 7, dev: Path = DEFAULT_DEV, tag: str = "b", companies: int = 5000
    ) -> None:
        self.pools, self.titles = sentence_pools(dev)
        self.langs = sorted(self.pools)
        self.rng = random.Random(seed)
        self.tag = tag
        self.count = 0
        self.invented = invented_names(companies, seed) if companies else []
        self.names: re.Pattern[str] | None = None
        if self.invented:
            alternatives = "|".join(re.escape(n) for n in company_names(dev))
            self.names = re.compile(rf"(?<!\w)({alternatives})(?!\w)")

    def _rename(self, text: str, chosen: dict[str, str]) -> str:
        if self.names is None:
            return text

        def name(m: re.Match[str]) -> str:
            if m.group() not in chosen:
                chosen[m.group()] = self.rng.choice(self.invented)
            return chosen[m.group()]

        return self.names.sub(name, text)

    def _redraw(self, text: str) -> str:
        def digits(m: re.Match[str]) -> str:
            n = len(m.group())
            return str(self.rng.randint(10 ** (n - 1) if n > 1 else 0, 10**n - 1))

        return _DIGITS.sub(digits, text)

    def event(self, published_at: float | None) -> dict[str, Any]:
        k = self.count
        self.count += 1
        lang = self.langs[k % len(self.langs)]
        sentences = self.rng.sample(self.pools[lang], self.rng.randint(3, 12))
        chosen: dict[str, str] = {}
        body = self._rename(" ".join(self._redraw(s) for s in sentences), chosen)
        titles = self.titles.get(lang)
        event: dict[str, Any] = {
            "id": f"{self.tag}-{k}",
            "body": body,
            "language": lang,
            "source": f"outlet-{self.rng.randrange(OUTLETS)}.example",
        }
        if titles:
            event["title"] = self._rename(self._redraw(self.rng.choice(titles)), chosen)
        if published_at is not None:
            event["published_at"] = datetime.fromtimestamp(published_at, UTC).isoformat()
        return event

    def values(
        self, n: int, start: float | None = None, step_s: float = 0.0
    ) -> list[tuple[bytes, bytes]]:
        """``n`` (key, value) messages; event time ``start + i * step_s`` (None: now)."""
        base = time.time() if start is None else start
        out = []
        for i in range(n):
            event = self.event(base + i * step_s)
            out.append((event["id"].encode(), orjson.dumps(event)))
        return out


# ----------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    total = next((ln.split()[1] for ln in mem.splitlines() if ln.startswith("Mem:")), "?")
    return {
        "nproc": os.cpu_count(),
        "mem_total": total,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "signals_build": signals_build(),
    }


def signals_build() -> str:
    """The build of ``signals`` the workers run: "compiled" after ``make compiled``, else "pure"."""
    import signals

    return signals.build()


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def emit(result: dict[str, Any], summary: str) -> None:
    """One JSON object, then a one-line summary."""
    print(json.dumps(result), flush=True)
    print(summary, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


# ----------------------------------------------------------------------------- broker, workers


@contextlib.contextmanager
def broker() -> Iterator[EmbeddedBroker]:
    """A fresh embedded broker on a free loopback port, stopped by PID on exit."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmbeddedBroker(log_path=Path(tmp) / "tansu.log") as b,
    ):
        yield b


def bench_settings(b: EmbeddedBroker, data_dir: Path, **update: Any) -> Settings:
    """Service settings on ``b`` with their own app id and topics (defaults otherwise)."""
    tag = uuid.uuid4().hex[:6]
    values: dict[str, Any] = {
        "broker": b.url,
        "embedded_broker": True,
        "app_id": f"bench-{tag}",
        "data_dir": data_dir / tag,
        "web_enabled": True,
        "commit_interval_s": 0.5,
        "topic_news_raw": f"news.raw.{tag}",
        "topic_news_rejected": f"news.rejected.{tag}",
        "topic_signals_detected": f"signals.detected.{tag}",
        "topic_signals_alerts": f"signals.alerts.{tag}",
        "topic_webhooks_dead": f"webhooks.dead.{tag}",
        "log_level": "WARNING",
    }
    values.update(update)
    return Settings(**values)


async def produce(
    settings: Settings,
    messages: Sequence[tuple[bytes, bytes]],
    topic: str | None = None,
    rate: float | None = None,
    on_sent: Callable[[int, float], None] | None = None,
) -> float:
    """Send ``messages`` (acks=all) without awaiting each one; at ``rate``/s if given.

    Returns the seconds taken. ``on_sent(i, wall_time)`` is called as message i is handed over.
    """
    from aiokafka import AIOKafkaProducer

    name = topic or settings.topic_news_raw
    producer = AIOKafkaProducer(
        acks="all",
        linger_ms=0 if rate else 5,
        max_batch_size=1 << 20,
        **aiokafka_options(settings),
    )
    await producer.start()
    try:
        start = time.perf_counter()
        pending = []
        for i, (key, value) in enumerate(messages):
            if rate:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            if on_sent is not None:
                on_sent(i, time.time())
            pending.append(await producer.send(name, value=value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return time.perf_counter() - start
    finally:
        await producer.stop()


@dataclass
class Worker:
    """A ``signals worker`` child process with its HTTP port (``/metrics``, ``/readyz``)."""

    settings: Settings
    log_path: Path
    process: WorkerProcess = field(init=False)

    def __post_init__(self) -> None:
        self.process = WorkerProcess(self.settings, log_path=self.log_path)

    @property
    def url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}"

    def start(self) -> Worker:
        self.process.start()
        return self

    def stop(self) -> None:
        self.process.stop()

    @property
    def pid(self) -> int:
        pid = self.process.pid
        if pid is None:
            raise RuntimeError("worker not started")
        return pid

    def ready(self) -> bool:
        if not self.process.running():
            raise RuntimeError(f"worker exited:\n{self.process.log_tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=1.0) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def metrics(self) -> dict[str, float]:
        """Samples of ``/metrics``: ``name{labels}`` -> value."""
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5.0) as r:
            text = r.read().decode()
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out


def start_workers(settings: Settings, n: int, log_dir: Path) -> list[Worker]:
    workers = []
    for i in range(n):
        # each worker its own state dir: RocksDB locks it
        s = settings.model_copy(
            update={"web_port": free_port(), "data_dir": settings.data_dir / f"worker-{i}"}
        )
        s.data_dir.mkdir(parents=True, exist_ok=True)
        workers.append(Worker(s, log_dir / f"worker-{i}.log").start())
    return workers


def wait_ready(workers: Sequence[Worker], timeout_s: float = 120.0, poll_s: float = 0.05) -> float:
    """Wait until every worker has partitions and is not rebalancing; returns the time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(w.ready() for w in workers):
            return time.perf_counter()
        time.sleep(poll_s)
    raise TimeoutError(f"workers not ready within {timeout_s}s")


def stop_workers(workers: Sequence[Worker]) -> None:
    for w in workers:
        w.stop()


def summed(workers: Sequence[Worker], prefix: str) -> float:
    """Sum over workers of every sample whose name starts with ``prefix``."""
    total = 0.0
    for w in workers:
        total += sum(v for k, v in w.metrics().items() if k.startswith(prefix))
    return total


def settled_at_detect(workers: Sequence[Worker]) -> float:
    """Input events finished by the detect stage: ingested, rejected, or dropped as duplicate."""
    total = 0.0
    for w in workers:
        m = w.metrics()
        for k, v in m.items():
            if k.startswith(("signals_news_ingested_total", "signals_news_rejected_total")):
                total += v
            elif k.startswith("signals_duplicates_dropped_total") and 'stage="story"' in k:
                total += v
    return total


async def committed(settings: Settings, topic: str) -> dict[int, int]:
    """Offsets the app's consumer group committed on ``topic``, by partition.

    A consumer of the group that never subscribes (so never joins) asks with OffsetFetch.
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        group_id=settings.app_id, enable_auto_commit=False, **aiokafka_options(settings)
    )
    await consumer.start()
    try:
        out = {}
        for p in range(settings.partitions):
            offset = await consumer.committed(TopicPartition(topic, p))
            out[p] = -1 if offset is None else int(offset)
        return out
    finally:
        await consumer.stop()


async def next_offsets(
    settings: Settings, topic: str, expected: int, timeout_s: float
) -> dict[int, int]:
    """Read ``topic`` from the start until ``expected`` messages; the next offset of each partition.

    (ListOffsets under-reports on the embedded broker, so the end is found by reading, TANSU.md.)
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        enable_auto_commit=False, fetch_max_wait_ms=50, **aiokafka_options(settings)
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(settings.partitions)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        seen = 0
        ends = {tp.partition: 0 for tp in tps}
        deadline = time.monotonic() + timeout_s
        while seen < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200, max_records=50_000)
            for tp, records in batch.items():
                seen += len(records)
                ends[tp.partition] = records[-1].offset + 1
        if seen < expected:
            raise TimeoutError(f"{topic}: {seen} of {expected} messages after {timeout_s}s")
        return ends
    finally:
        await consumer.stop()


def wait_drained(
    settings: Settings,
    workers: Sequence[Worker],
    n_events: int,
    timeout_s: float,
    poll_s: float = 0.2,
) -> tuple[float, float]:
    """Wait until the detect stage has settled ``n_events`` and the aggregate stage committed
    everything on ``signals.detected``. Returns (detect done, all done) perf_counter times."""
    deadline = time.monotonic() + timeout_s
    detect_done = None
    while time.monotonic() < deadline:
        for w in workers:
            if not w.process.running():
                raise RuntimeError(f"worker exited:\n{w.process.log_tail()}")
        if settled_at_detect(workers) >= n_events:
            detect_done = time.perf_counter()
            break
        time.sleep(poll_s)
    if detect_done is None:
        raise TimeoutError(f"detect stage did not settle {n_events} events in {timeout_s}s")
    topic = settings.topic_signals_detected
    sent = int(summed(workers, "signals_signals_detected_total"))
    high = asyncio.run(next_offsets(settings, topic, sent, max(1.0, deadline - time.monotonic())))
    while time.monotonic() < deadline:
        done = asyncio.run(committed(settings, topic))
        if all(done.get(p, 0) >= h for p, h in high.items()):
            return detect_done, time.perf_counter()
        time.sleep(poll_s)
    raise TimeoutError(f"aggregate stage did not commit {high} in {timeout_s}s")


def prepare_topics(settings: Settings) -> None:
    asyncio.run(create_topics(settings))


def start_profiler(pid: int, out: Path, rate: int = 50) -> subprocess.Popen[bytes]:
    """py-spy sampling ``pid`` into a collapsed-stack file until :func:`stop_profiler`."""
    spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(spy), "record", "-p", str(pid), "-r", str(rate), "-f", "raw", "-o", str(out)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(proc: subprocess.Popen[bytes]) -> None:
    """Stop py-spy by its PID (SIGINT makes it write the file)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def run_python(argv: list[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run a benchmark script with this interpreter; its output is captured."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, timeout=timeout_s, env=env
    )


def add_worker_options(ap: argparse.ArgumentParser, *, seed: int) -> None:
    """The options every pipeline benchmark takes: story stage, table store, corpus seed, and
    any other worker setting (``--set NAME=VALUE``, parsed into ``args.set``, a dict)."""
    ap.add_argument("--stories", choices=("off", "on"), default="off")
    ap.add_argument("--store", choices=("rocksdb", "memory"), default="rocksdb")
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument(
        "--set",
        type=_setting,
        action=_SettingsAction,
        default={},
        metavar="NAME=VALUE",
        help="another worker setting (Settings field), e.g. fetch_max_wait_ms=20",
    )


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or name not in Settings.model_fields:
        raise argparse.ArgumentTypeError(f"not NAME=VALUE of a setting: {text}")
    return name, value


class _SettingsAction(argparse.Action):
    """Collects repeated ``--set NAME=VALUE`` into one dict."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        current = dict(getattr(namespace, self.dest) or {})
        name, value = values
        current[name] = value
        setattr(namespace, self.dest, current)
