"""Accounting for the fault tests: a workload with a known outcome per event, and the ledger.

The oracle is the pure library: :func:`streams.extract.extract` on each event gives the signals
the pipeline must emit (same ``signal_id``), the alert rules give the alert ids, and the window
figures are recomputed from those signals. Events with no signal leave no record of their own;
they are accounted for by the consumer group's committed offset on ``news.raw`` passing them
(faust commits an offset only after the event's sends are acknowledged: at-least-once).
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from signals.models import Alert, NewsEvent, Signal, stable_id
from streams.alerts import AlertRules, surge_holds, threshold_alerts, usd_amount
from streams.codec import encode_event
from streams.extract import extract
from streams.kafka import aiokafka_options
from streams.processes import WorkerProcess
from streams.settings import Settings
from streams.tables import _SEP, table_key
from streams.windows_replica import WindowsReplica, changelog_topics

Record = dict[str, Any]

COMPANIES = [
    f"{a} {b}"
    for a in ("Quartz", "Borealis", "Helio", "Nimbus", "Cobalt", "Larch", "Tessel", "Vireo")
    for b in ("Lattice", "Analytics", "Forge", "Kestrel", "Meadow")
]
SOURCES = ("wire", "paper", "blog")
# written for these tests; each yields exactly one signal above its alert threshold
WITH_SIGNAL = (
    "{c} raised ${a} million in a Series B round led by Northwind Ventures.",
    "{c} a levé {a} millions de dollars lors d'un tour de table de série C.",
    "{c} has ordered {q} Nvidia H100 GPUs for its new data centre.",
    "{c} reported revenue up {p}% year over year to $40 million.",
)
WITHOUT_SIGNAL = (
    "The harbour in {c} town reopened after the storm, officials said on day {i}.",
    "Le marché couvert de la ville a rouvert ses portes ce matin (édition {i}).",
    "A local choir performed {i} songs at the autumn festival.",
    "Traffic on the ring road was lighter than usual on morning {i}.",
)


@dataclass
class Workload:
    """Input lines and what the pipeline must make of each."""

    lines: list[bytes]
    hour: datetime
    signals_by_line: list[list[Signal]]
    bad: set[bytes]

    @property
    def signals(self) -> dict[str, Signal]:
        return {s.signal_id: s for found in self.signals_by_line for s in found}


def workload(n: int, tag: str, hour: datetime | None = None, bad_every: int = 50) -> Workload:
    """``n`` events, all published within one hour: ~40 % with a signal, 2 % malformed."""
    start = hour or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    lines: list[bytes] = []
    found: list[list[Signal]] = []
    bad: set[bytes] = set()
    for i in range(n):
        if i % bad_every == bad_every - 1:
            line = _malformed(i, tag)
            bad.add(line)
            lines.append(line)
            found.append([])
            continue
        company = COMPANIES[(i // 4) % len(COMPANIES)]  # each company: every kind
        values = {"c": company, "a": 100 + i % 900, "q": 20_000 + i, "p": 25 + i % 50, "i": i}
        template = WITH_SIGNAL[i % 4] if i % 5 < 2 else WITHOUT_SIGNAL[i % 4]
        event = NewsEvent(
            id=f"{tag}-{i}",
            body=template.format(**values),
            source=SOURCES[i % len(SOURCES)],
            published_at=start + timedelta(seconds=i % 3600),
        )
        lines.append(encode_event(event))
        found.append(extract(event))
    return Workload(lines, start, found, bad)


def _malformed(i: int, tag: str) -> bytes:
    kind = i % 3
    if kind == 0:
        return f"not json {tag} {i}".encode()
    if kind == 1:
        return orjson.dumps([tag, i])
    return orjson.dumps({"title": f"no id {tag} {i}"})


def expected_alert_ids(signals: dict[str, Signal], rules: AlertRules, hour: datetime) -> set[str]:
    """Threshold alerts of every signal, plus one surge alert per company whose hour holds."""
    ids = {a.alert_id for s in signals.values() for a in threshold_alerts(s, rules)}
    by_company: dict[str, dict[str, str]] = {}
    for s in signals.values():
        by_company.setdefault(s.company, {})[s.signal_id] = s.source or "unknown"
    for company, members in by_company.items():
        if surge_holds(members, rules):
            ids.add(stable_id("alert", "surge", company, hour.isoformat()))
    return ids


class Publisher:
    """Sends lines from a thread at a bounded rate, remembering where each one landed."""

    def __init__(self, settings: Settings, lines: list[bytes], rate_per_s: float) -> None:
        self.settings = settings
        self.lines = lines
        self.rate_per_s = rate_per_s
        self.positions: list[tuple[int, int]] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="publisher", daemon=True)

    def start(self) -> Publisher:
        self._thread.start()
        return self

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout_s)
        assert not self._thread.is_alive(), "publisher did not finish"
        if self.error is not None:
            raise self.error
        assert len(self.positions) == len(self.lines)

    def ends(self) -> dict[int, int]:
        """Partition -> offset after the last line sent there."""
        out: dict[int, int] = {}
        for p, o in self.positions:
            out[p] = max(out.get(p, 0), o + 1)
        return out

    def _run(self) -> None:
        try:
            asyncio.run(self._send())
        except BaseException as exc:  # re-raised by join()
            self.error = exc

    async def _send(self) -> None:
        from aiokafka import AIOKafkaProducer

        from streams.publish import event_key

        producer = AIOKafkaProducer(acks="all", linger_ms=5, **aiokafka_options(self.settings))
        await producer.start()
        try:
            batch = max(1, int(self.rate_per_s / 20))
            for i in range(0, len(self.lines), batch):
                chunk = self.lines[i : i + batch]
                futures = [
                    await producer.send(self.settings.topic_news_raw, line, key=event_key(line))
                    for line in chunk
                ]
                for meta in await asyncio.gather(*futures):
                    self.positions.append((meta.partition, meta.offset))
                await asyncio.sleep(batch / self.rate_per_s)
        finally:
            await producer.stop()


class Tail:
    """Reads topics from the beginning with confluent-kafka (not the app's clients)."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.records: dict[str, list[Record]] = {t: [] for t in topics}
        self.raw: dict[str, list[Any]] = {t: [] for t in topics}
        self._consumer = Consumer(
            {
                "bootstrap.servers": settings.bootstrap_servers(),
                "group.id": f"tail-{settings.app_id}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            }
        )
        self._consumer.assign(
            [
                TopicPartition(t, p, OFFSET_BEGINNING)
                for t in topics
                for p in range(settings.partitions)
            ]
        )

    def poll(self, seconds: float) -> int:
        """Read what arrives within ``seconds``; returns the number of records read."""
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            msg = self._consumer.poll(0.05)
            if msg is None or msg.error():
                continue
            n += 1
            topic = str(msg.topic())
            self.raw[topic].append(
                SimpleNamespace(
                    topic=topic,
                    partition=msg.partition(),
                    offset=msg.offset(),
                    key=msg.key(),
                    value=msg.value(),
                )
            )
            try:
                record: Record = orjson.loads(msg.value() or b"null") or {}
            except orjson.JSONDecodeError:
                record = {}
            if isinstance(record, dict):
                record["_partition"], record["_offset"] = msg.partition(), msg.offset()
                self.records[topic].append(record)
        return n

    def drain(self, idle_s: float = 1.0, max_s: float = 30.0) -> None:
        """Read until nothing arrives for ``idle_s`` (at most ``max_s``)."""
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline and self.poll(idle_s):
            pass

    def ends(self, topic: str) -> dict[int, int]:
        """Partition -> offset after the last record read (the highwater we saw)."""
        out: dict[int, int] = {}
        for r in self.raw[topic]:
            out[r.partition] = max(out.get(r.partition, 0), r.offset + 1)
        return out

    def close(self) -> None:
        self._consumer.close()


def committed(settings: Settings, topic: str) -> dict[int, int]:
    """The app's committed offsets on ``topic`` (an OffsetFetch: joins no group)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers(),
            "group.id": settings.app_id,
            "enable.auto.commit": False,
        }
    )
    try:
        parts = [TopicPartition(topic, p) for p in range(settings.partitions)]
        return {tp.partition: max(tp.offset, 0) for tp in consumer.committed(parts, timeout=10)}
    finally:
        consumer.close()


@dataclass
class Ledger:
    """What came out, set against what had to."""

    sent: int = 0
    accounted: int = 0
    with_signal: int = 0
    rejected: int = 0
    no_signal: int = 0
    signals_expected: int = 0
    signals_missing: int = 0
    signals_unexpected: int = 0
    signal_redeliveries: int = 0
    alerts_expected: int = 0
    alerts_missing: int = 0
    alerts_unexpected: int = 0
    alert_redeliveries: int = 0
    redelivered_alerts_differing: int = 0
    redelivered_alerts_differing_in_windows_only: int = 0
    rejection_redeliveries: int = 0
    window_keys_checked: int = 0
    window_mismatches: list[str] = field(default_factory=list)
    state_mismatches: list[str] = field(default_factory=list)
    webhooks_expected: int = 0
    webhooks_missing: int = 0
    webhook_redeliveries: int = 0
    alerts_with_several_webhook_ids: int = 0

    @property
    def lost(self) -> int:
        return self.sent - self.accounted

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if not isinstance(v, list)}
        out["lost"] = self.lost
        out["window_mismatches"] = len(self.window_mismatches)
        out["state_mismatches"] = len(self.state_mismatches)
        return out

    def report(self, name: str) -> None:
        print(f"RELIABILITY {name} {json.dumps(self.summary(), sort_keys=True)}")


def wait_until_settled(
    settings: Settings,
    tail: Tail,
    work: Workload,
    raw_ends: dict[int, int],
    alert_ids: set[str],
    timeout_s: float,
    worker: WorkerProcess,
    role: str = "worker",
) -> None:
    """Poll until every expected output is out and every input offset is committed.

    ``raw_ends``: partition -> offset after the last input event on ``news.raw``. Fails at
    once if ``worker`` exits, and adds its log (as the ``role``'s) when the time runs out.
    """
    wanted_signals = set(work.signals)
    deadline = time.monotonic() + timeout_s
    status = "nothing read"
    while True:
        tail.poll(0.5)
        assert worker.running(), worker.log_tail()
        seen_signals = {r.get("signal_id") for r in tail.records[settings.topic_signals_detected]}
        seen_alerts = {r.get("alert_id") for r in tail.records[settings.topic_signals_alerts]}
        raw_done = committed(settings, settings.topic_news_raw)
        detected_done = committed(settings, settings.topic_signals_detected)
        detected_ends = tail.ends(settings.topic_signals_detected)
        status = (
            f"signals {len(wanted_signals & seen_signals)}/{len(wanted_signals)}, "
            f"alerts {len(alert_ids & seen_alerts)}/{len(alert_ids)}, "
            f"news.raw committed {raw_done} of {raw_ends}, "
            f"signals.detected committed {detected_done} of {detected_ends}"
        )
        if (
            wanted_signals <= seen_signals
            and alert_ids <= seen_alerts
            and all(raw_done.get(p, 0) >= end for p, end in raw_ends.items())
            and all(detected_done.get(p, 0) >= end for p, end in detected_ends.items())
        ):
            return
        assert time.monotonic() < deadline, (
            f"not settled after {timeout_s}s: {status}\n{role}'s log:\n{worker.log_tail(150)}"
        )


def account(
    settings: Settings, tail: Tail, work: Workload, positions: list[tuple[int, int]]
) -> Ledger:
    """The ledger of one run, after :func:`wait_until_settled`.

    ``positions``: (partition, offset) on ``news.raw`` of each line of ``work``.
    """
    rules = AlertRules.from_settings(settings)
    alert_ids = expected_alert_ids(work.signals, rules, work.hour)
    detected = tail.records[settings.topic_signals_detected]
    alerts = tail.records[settings.topic_signals_alerts]
    rejected = [
        r
        for r in tail.records[settings.topic_news_rejected]
        if r.get("topic") == settings.topic_news_raw
    ]
    raw_done = committed(settings, settings.topic_news_raw)
    seen_signals = Counter(r.get("signal_id") for r in detected)
    rejected_values = Counter(base64.b64decode(r["value_b64"]) for r in rejected)
    ledger = Ledger(sent=len(work.lines))
    for line, found, (p, o) in zip(work.lines, work.signals_by_line, positions, strict=True):
        if line in work.bad:
            if rejected_values[line] and all(r.get("reason") for r in rejected):
                ledger.rejected += 1
                ledger.accounted += 1
        elif found:
            if all(seen_signals[s.signal_id] for s in found):
                ledger.with_signal += 1
                ledger.accounted += 1
        elif raw_done.get(p, 0) > o:
            ledger.no_signal += 1
            ledger.accounted += 1
    ledger.rejection_redeliveries = sum(rejected_values.values()) - len(rejected_values)
    wanted = work.signals
    ledger.signals_expected = len(wanted)
    ledger.signals_missing = len(set(wanted) - set(seen_signals))
    ledger.signals_unexpected = len(set(seen_signals) - set(wanted))
    ledger.signal_redeliveries = sum(seen_signals.values()) - len(seen_signals)
    _alerts(ledger, alerts, alert_ids)
    _windows(ledger, settings, tail, wanted)
    _state(ledger, detected, alerts, wanted)
    return ledger


def _alerts(ledger: Ledger, alerts: list[Record], alert_ids: set[str]) -> None:
    by_id: dict[str, list[Record]] = {}
    for a in alerts:
        by_id.setdefault(str(a.get("alert_id")), []).append(a)
    ledger.alerts_expected = len(alert_ids)
    ledger.alerts_missing = len(alert_ids - set(by_id))
    ledger.alerts_unexpected = len(set(by_id) - alert_ids)
    for copies in by_id.values():
        ledger.alert_redeliveries += len(copies) - 1
        first = _content(copies[0])
        for other in copies[1:]:
            if _content(other) != first:
                ledger.redelivered_alerts_differing += 1
                if _content(other, windows=False) == _content(copies[0], windows=False):
                    ledger.redelivered_alerts_differing_in_windows_only += 1


def _content(alert: Record, windows: bool = True) -> dict[str, Any]:
    skip = {"_partition", "_offset"} | (set() if windows else {"windows"})
    return {k: v for k, v in alert.items() if k not in skip}


def _windows(ledger: Ledger, settings: Settings, tail: Tail, wanted: dict[str, Signal]) -> None:
    """The tables (read back from their changelogs, as the API does) vs a recomputation."""
    topics = changelog_topics(settings)
    replica = WindowsReplica(topics)
    for topic in topics:
        for record in tail.raw.get(topic, []):
            replica.apply(record)
    expected: dict[str, dict[str, Signal]] = {}
    for s in wanted.values():
        expected.setdefault(table_key(s.company, s.kind), {})[s.signal_id] = s
    for key, members in expected.items():
        company, _, kind = key.partition(_SEP)
        got = replica.figures(company).get(kind, [])
        want = (
            len(members),
            round(sum(usd_amount(s) or 0.0 for s in members.values()), 2),
            sum(s.quantity or 0 for s in members.values()),
            len({s.source for s in members.values()}),
        )
        ledger.window_keys_checked += 1
        if len(got) != 3:
            ledger.window_mismatches.append(f"{key!r}: windows {[w.window for w in got]}")
        for w in got:
            have = (w.count, round(w.amount_usd, 2), w.quantity, w.sources)
            if have != want:
                ledger.window_mismatches.append(f"{key!r} {w.window}: {have} != {want}")


def _state(
    ledger: Ledger, detected: list[Record], alerts: list[Record], wanted: dict[str, Signal]
) -> None:
    """The table state each worker used: the alert of a key's last signal counts them all.

    ``signals.detected`` is keyed by company, so a key's signals are in one partition in the
    order they were aggregated; the threshold alert of the last one saw the whole window.
    """
    last: dict[str, Record] = {}
    for r in sorted(detected, key=lambda r: (r["_partition"], r["_offset"])):
        last[table_key(str(r["company"]), str(r["kind"]))] = r
    totals = Counter(table_key(s.company, s.kind) for s in wanted.values())
    by_signal: dict[str, Record] = {}
    for a in alerts:
        if a.get("rule") != "surge":
            by_signal[a["signals"][0]["signal_id"]] = a
    for key, record in last.items():
        alert = by_signal.get(str(record["signal_id"]))
        if alert is None:
            ledger.state_mismatches.append(f"{key!r}: no alert for its last signal")
            continue
        hour = [w for w in alert["windows"] if w["window"] == "1h"]
        if not hour or hour[0]["count"] != totals[key]:
            counted = hour[0]["count"] if hour else None
            ledger.state_mismatches.append(f"{key!r}: counted {counted} of {totals[key]}")


def webhook_figures(ledger: Ledger, received: list[Any], expected: set[str]) -> None:
    """``received``: the receiver's requests (``webhook_id``, ``status``, ``body``)."""
    delivered = [r.webhook_id for r in received if 200 <= r.status < 300]
    ledger.webhooks_expected = len(expected)
    ledger.webhooks_missing = len(expected - set(delivered))
    ledger.webhook_redeliveries = len(delivered) - len(set(delivered))
    ids: dict[str, set[str]] = {}
    for r in received:
        ids.setdefault(str(r.body["data"]["alert_id"]), set()).add(r.webhook_id)
    ledger.alerts_with_several_webhook_ids = sum(len(v) > 1 for v in ids.values())


def alert_from(record: Record) -> Alert:
    return Alert.model_validate({k: v for k, v in record.items() if not k.startswith("_")})


def assigned(log_text: str, topic: str) -> set[int] | None:
    """Partitions of ``topic`` in the last assignment a faust worker logged (None: none yet)."""
    _, marker, table = log_text.rpartition("Setting newly assigned partitions")
    if not marker:
        return None
    for line in table.splitlines()[1:]:
        if line.startswith("+"):
            continue
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] == topic:
            return _partition_set(cells[1])
    return set()


def _partition_set(text: str) -> set[int]:
    out: set[int] = set()
    for part in text.strip("{}").split(","):
        first, _, last = part.strip().partition("-")
        if first:
            out.update(range(int(first), int(last or first) + 1))
    return out


def fault_settings(
    settings: Settings, tmp_path: Path, webhook: tuple[str, str] | None = None
) -> Settings:
    """Pipeline settings for a fault test: stories off (see RELIABILITY.md), webhooks on."""
    tag = settings.app_id.removeprefix("test-")
    update: dict[str, object] = {
        "stories_enabled": False,
        "topic_webhooks_retry": f"webhooks.retry.{tag}",
        "topic_webhooks_state": f"webhooks.state.{tag}",
        "webhook_backoff_initial_s": 0.5,
        "webhook_backoff_max_s": 2.0,
        "webhook_max_attempts": 30,
    }
    if webhook is not None:
        url, secret = webhook
        config = tmp_path / "hooks.json"
        config.write_text(
            json.dumps(
                {
                    "allow_private_targets": True,  # the receiver is on loopback
                    "subscriptions": [{"id": "desk", "url": url, "secret": secret}],
                }
            )
        )
        update["webhooks_config"] = config
    return settings.model_copy(update=update)


def tail_for(settings: Settings) -> Tail:
    return Tail(
        settings,
        [
            settings.topic_signals_detected,
            settings.topic_signals_alerts,
            settings.topic_news_rejected,
            *changelog_topics(settings),
        ],
    )
