from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from streams.app import create_app, faust_options
from streams.metrics import Metrics
from streams.settings import Settings
from streams.transport import Transport


def test_options_come_from_settings(tmp_path: Path) -> None:
    settings = Settings(
        broker="kafka://k1:9092;k2:9092",
        data_dir=tmp_path,
        session_timeout_s=7.0,
        web_enabled=True,
        web_port=7001,
    )
    opts = faust_options(settings)
    assert opts["store"] == "rocksdb://"
    assert opts["datadir"] == str(tmp_path)
    assert opts["processing_guarantee"] == "at_least_once"
    assert opts["broker_session_timeout"] == 7.0
    assert (opts["web_enabled"], opts["web_host"], opts["web_port"]) == (True, "127.0.0.1", 7001)
    # production brokers keep faust's own safety check
    assert "recovery_consistency_check" not in opts
    assert (opts["producer_linger"], opts["producer_max_batch_size"]) == (0.005, 1_000_000)


def test_embedded_broker_options() -> None:
    opts = faust_options(Settings(broker="kafka://127.0.0.1:1", embedded_broker=True))
    assert opts["recovery_consistency_check"] is False
    # the producer batches as on Kafka: recovery finds the true ends by fetch (streams/offsets.py)
    assert opts["producer_max_batch_size"] == 1_000_000


@pytest.mark.parametrize("embedded", [False, True])
def test_app_consumes_through_our_transport(embedded: bool) -> None:
    settings = Settings(
        broker="kafka://127.0.0.1:1", store="memory", embedded_broker=embedded, fetch_max_wait_ms=7
    )
    transport = create_app(settings, Metrics.create(CollectorRegistry())).app.transport
    assert isinstance(transport, Transport)
    assert transport.fetch_max_wait_ms == 7
    # the fetch-based end offsets are for the embedded broker only; Kafka keeps ListOffsets
    assert transport.exact_end_offsets is embedded


def test_no_broker_no_app() -> None:
    with pytest.raises(ValueError):
        faust_options(Settings(broker=None))


def test_create_app_does_no_io(tmp_path: Path) -> None:
    # an unreachable broker: building the app must not connect to anything
    settings = Settings(broker="kafka://127.0.0.1:1", store="memory", data_dir=tmp_path)
    service = create_app(settings, Metrics.create(CollectorRegistry()))
    assert service.app.conf.id == "market-signals"
    assert {"detect_signals", "aggregate_signals"} <= {a.split(".")[-1] for a in service.app.agents}
    assert not any(tmp_path.iterdir())


def test_surge_window_must_be_kept() -> None:
    settings = Settings(broker="kafka://127.0.0.1:1", store="memory", surge_window_s=1800)
    with pytest.raises(ValueError):
        create_app(settings, Metrics.create(CollectorRegistry()))


def test_monitor_keeps_committed_offsets_not_per_event_bookkeeping(tmp_path: Path) -> None:
    from faust.types import TP, Message

    settings = Settings(broker="kafka://127.0.0.1:1", store="memory", data_dir=tmp_path)
    monitor = create_app(settings, Metrics.create(CollectorRegistry())).app.monitor
    tp = TP("signals.detected", 2)
    message = Message(tp.topic, tp.partition, 7, 0.0, 0, {}, b"k", b"v", None)
    monitor.on_message_in(tp, 7, message)
    assert monitor.on_stream_event_in(tp, 7, object(), None) is None
    monitor.on_message_out(tp, 7, message)
    assert monitor.on_send_initiated(None, tp.topic, None, 1, 1) is None
    assert (monitor.messages_received_total, monitor.messages_sent, message.time_in) == (0, 0, None)
    monitor.on_tp_commit({tp: 8})  # what the consumer lag gauge reads
    assert monitor.tp_committed_offsets == {tp: 8}
