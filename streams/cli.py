"""The ``signals`` command: broker, worker, publish, tail, extract, evaluate, demo.

Every command reads its configuration from ``SIGNALS_*`` environment variables (see the README).
With ``SIGNALS_BROKER`` unset, ``broker``, ``worker`` and ``demo`` start the embedded broker.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import BinaryIO

import click

from streams import feeds_cli
from streams.settings import Settings


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return settings


def _need_broker(settings: Settings) -> None:
    if not settings.broker:
        raise click.UsageError(
            "no broker: set SIGNALS_BROKER=kafka://HOST:PORT "
            "(for example the address printed by `signals broker`)"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="market-signals")
def main() -> None:
    """Market signals from French and English news, on Kafka.

    Reads news events from `news.raw`, detects funding rounds, GPU procurement and revenue
    changes, aggregates them per company in time windows, and emits alerts on `signals.alerts`.
    Configuration: SIGNALS_* environment variables (see the README).
    """


@main.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: a free one).")
def broker(port: int | None) -> None:
    """Run the embedded Kafka-compatible broker (Tansu, in memory) in the foreground.

    Creates the service's topics, prints the address to export as SIGNALS_BROKER, and runs
    until Ctrl-C or SIGTERM. Everything is lost when it stops.
    """
    from streams.broker import EmbeddedBroker, install_signal_handlers
    from streams.topics import create_topics

    settings = _settings()
    if settings.broker:
        raise click.UsageError(f"SIGNALS_BROKER is set ({settings.broker}): nothing to start")
    install_signal_handlers()
    with EmbeddedBroker(port) as embedded:
        live = settings.model_copy(update={"broker": embedded.url, "embedded_broker": True})
        asyncio.run(create_topics(live))
        click.echo(f"broker ready on {embedded.bootstrap} (pid {embedded.pid})")
        click.echo(f"export SIGNALS_BROKER={embedded.url} SIGNALS_EMBEDDED_BROKER=true")
        try:
            while embedded.running():
                _wait(1.0)
        except KeyboardInterrupt:
            pass
    click.echo("broker stopped")


def _wait(seconds: float) -> None:
    import time

    time.sleep(seconds)


@main.command()
def worker() -> None:
    """Run the pipeline worker (RocksDB table state in SIGNALS_DATA_DIR by default).

    news.raw -> validate -> detect -> signals.detected -> windows -> rules -> signals.alerts;
    bad input goes to news.rejected. Without SIGNALS_BROKER it starts an embedded broker.
    """
    from streams.broker import broker_for
    from streams.worker import run_worker

    settings = _settings()
    with broker_for(settings) as live:
        if not settings.broker:
            click.echo(f"embedded broker on {live.broker}", err=True)
        run_worker(live)


@main.command()
@click.option("--host", default=None, help="Address to bind (default: SIGNALS_API_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: SIGNALS_API_PORT).")
def api(host: str | None, port: int | None) -> None:
    """Serve the HTTP API (POST /v1/news, alerts, aggregates, /metrics, /docs) with uvicorn.

    Its own process, not a worker: it produces to news.raw (acks=all) and reads
    signals.alerts and the window tables' changelogs. Needs SIGNALS_BROKER.
    """
    from prometheus_client import CollectorRegistry

    from streams.api_server import run_api
    from streams.metrics import Metrics

    settings = _settings()
    _need_broker(settings)
    run_api(settings, Metrics.create(CollectorRegistry()), host=host, port=port)


@main.command()
@click.argument("file", type=click.File("rb"))
@click.option(
    "--topic", default=None, help="Topic to publish to (default: SIGNALS_TOPIC_NEWS_RAW)."
)
def publish(file: BinaryIO, topic: str | None) -> None:
    """Publish JSON lines from FILE (or - for stdin) to news.raw, one message a line (acks=all).

    Lines are sent as they are, even malformed ones (the worker rejects those); the key is the
    event's id when the line has one.
    """
    from streams.publish import publish_lines

    settings = _settings()
    _need_broker(settings)
    lines = [line.rstrip(b"\r\n") for line in file if line.strip()]
    asyncio.run(publish_lines(settings, topic or settings.topic_news_raw, lines))
    click.echo(f"published {len(lines)} messages to {topic or settings.topic_news_raw}")


@main.command()
@click.argument("topic")
@click.option("--from-beginning/--from-end", default=True, help="Where to start reading.")
@click.option("--follow/--no-follow", "-f", default=True, help="Keep waiting for new messages.")
@click.option(
    "--idle", type=float, default=2.0, help="With --no-follow: stop after this idle time."
)
def tail(topic: str, from_beginning: bool, follow: bool, idle: float) -> None:
    """Print the messages of TOPIC, one value a line (news.raw, signals.alerts, ...)."""
    from streams.publish import tail_topic

    settings = _settings()
    _need_broker(settings)

    def show(value: bytes) -> None:
        click.echo(value.decode("utf-8", errors="replace"))

    try:
        asyncio.run(tail_topic(settings, topic, show, from_beginning, None if follow else idle))
    except KeyboardInterrupt:
        pass


@main.command()
@click.argument("file", type=click.File("rb"), required=False)
@click.option("--text", default=None, help="Detect signals in this text instead of a file.")
@click.option("--language", default=None, help="Language of --text (fr, en; default: detect).")
@click.option("--explain", is_flag=True, help="Also print, to stderr, where each signal was read.")
def extract(file: BinaryIO | None, text: str | None, language: str | None, explain: bool) -> None:
    """Detect signals offline (no broker) in news events read as JSON lines from FILE or -.

    Prints one JSON signal a line, with the same signal_id the worker puts on
    signals.detected. Lines that are not valid events are reported on stderr (exit status 1).
    """
    from signals.models import NewsEvent
    from streams.extract import extract as extract_signals
    from streams.offline import explain_signal, extract_lines, text_event

    bad = 0
    results: list[tuple[int, NewsEvent | None, str | None]]
    if text is not None:
        results = [(0, text_event(text, language), None)]
    else:
        results = list(extract_lines(file or click.get_binary_stream("stdin")))
    for lineno, event, error in results:
        if event is None:
            bad += 1
            click.echo(f"line {lineno}: {error}", err=True)
            continue
        for signal in extract_signals(event):
            click.echo(signal.model_dump_json())
            if explain:
                click.echo(explain_signal(signal), err=True)
    if bad:
        sys.exit(1)


@main.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--scorer",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Scorer script (default: score.py next to GOLD).",
)
@click.option("--json", "as_json", is_flag=True, help="Ask the scorer for JSON output.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also keep the predictions in this file.",
)
def evaluate(gold: Path, scorer: Path | None, as_json: bool, predictions: Path | None) -> None:
    """Run detection over a labelled GOLD.jsonl and print the scorer's precision/recall/F1."""
    from streams.offline import evaluate as run_evaluation

    code, output = run_evaluation(gold, scorer, as_json=as_json, keep=predictions)
    click.echo(output, nl=False)
    sys.exit(code)


@main.command()
@click.option("--once", is_flag=True, help="Exit 0 once every sample has been processed.")
@click.option(
    "--port",
    type=int,
    default=None,
    help="Port of the HTTP API (alerts, metrics) while the demo runs.",
)
@click.option(
    "--file",
    "samples",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="News to publish (default: the bundled samples).",
)
@click.option(
    "--timeout",
    type=float,
    default=180.0,
    show_default=True,
    help="With --once: give up (exit 1) after this many seconds.",
)
def demo(once: bool, port: int | None, samples: Path | None, timeout: float) -> None:
    """Start a broker and a worker, publish sample news and print alerts as they arrive.

    Needs no configuration: without SIGNALS_BROKER it starts the embedded broker, and the
    worker keeps its tables in memory. Ctrl-C stops everything it started.
    """
    from streams.demo import run_demo

    settings = _settings()
    code = run_demo(settings, once=once, api_port=port, samples=samples, timeout_s=timeout)
    sys.exit(code)


# `signals ingest feeds FILE` and `signals replay FILE.jsonl` (streams/feeds_cli.py)
main.add_command(feeds_cli.ingest)
main.add_command(feeds_cli.replay)


@main.command()
@click.option("--write", "write_files", is_flag=True, help="Regenerate the files in --dir.")
@click.option("--check", is_flag=True, help="Exit 1 when a file in --dir is missing or stale.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
)
def schemas(write_files: bool, check: bool, directory: Path) -> None:
    """Print, write or check the JSON Schemas of the public topics (from the pydantic models)."""
    from streams.schemas import run

    if write_files and check:
        raise click.UsageError("--write and --check exclude each other")
    sys.exit(run(directory, write_files=write_files, check=check))


@main.command()
def deliver() -> None:
    """Deliver alerts to the webhook subscriptions of SIGNALS_WEBHOOKS_CONFIG (signed, retried).

    A consumer group of its own on signals.alerts; pending retries live on webhooks.retry, so a
    restart loses none. Runs until Ctrl-C or SIGTERM; start several to share the partitions.
    """
    from streams.delivery import main as run_delivery

    settings = _settings()
    _need_broker(settings)
    if settings.webhooks_config is None:
        raise click.UsageError("set SIGNALS_WEBHOOKS_CONFIG to a subscriptions file")
    run_delivery()


if __name__ == "__main__":
    main()
