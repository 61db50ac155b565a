"""``signals ingest feeds FILE`` and ``signals replay FILE.jsonl``: news from feeds and archives.

Registered on the main ``signals`` group by :mod:`streams.cli`. Heavy imports happen inside the
commands so ``signals --help`` stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from streams.settings import Settings

if TYPE_CHECKING:
    from streams.feedstate import FeedSpec
    from streams.replay import ProgressFile, ReplayReport

log = logging.getLogger(__name__)


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if not settings.broker:
        raise click.UsageError("no broker: set SIGNALS_BROKER=kafka://HOST:PORT")
    return settings


@click.group()
def ingest() -> None:
    """Bring news into news.raw from outside sources."""


@ingest.command("feeds")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="Poll every feed once, then exit.")
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    help="Serve Prometheus metrics on SIGNALS_WEB_HOST:PORT/metrics.",
)
def feeds(file: Path, once: bool, metrics_port: int | None) -> None:
    """Poll the RSS/Atom feeds listed in FILE (YAML or JSON) into news.raw, until stopped.

    Each feed: {url, source, interval (s), language, timeout (s)}. Conditional GETs, backoff on
    errors; per-feed state (ETag, Last-Modified, ids sent) in SIGNALS_DATA_DIR/feeds-state.json,
    so a restart neither sends an item twice nor misses one.
    """
    from streams.feedstate import FeedConfigError, load_feeds

    settings = _settings()
    try:
        specs = load_feeds(file)
    except FeedConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="FILE") from None
    outcomes = asyncio.run(_run_feeds(settings, specs, once, metrics_port))
    if once:
        for url, outcome, published in outcomes:
            click.echo(f"{outcome:14} {published:5} new  {url}")


async def _run_feeds(
    settings: Settings, specs: list[FeedSpec], once: bool, metrics_port: int | None
) -> list[tuple[str, str, int]]:
    import httpx
    from prometheus_client import CollectorRegistry, start_http_server

    from streams.feeds import FeedPoller
    from streams.feedstate import FeedStateStore
    from streams.ingest import NewsProducer
    from streams.metrics import Metrics

    registry = CollectorRegistry()
    metrics = Metrics.create(registry)
    if metrics_port is not None:
        start_http_server(metrics_port, addr=settings.web_host, registry=registry)
    producer = NewsProducer(settings.model_copy(update={"api_send_timeout_s": 30.0}))
    headers = {"User-Agent": "market-signals-feed-poller/0.1"}
    async with httpx.AsyncClient(follow_redirects=True, headers=headers) as client:
        poller = FeedPoller(
            specs,
            FeedStateStore.in_dir(settings.data_dir),
            producer.send,
            metrics,
            client,
        )
        try:
            if once:
                results = await poller.poll_all()
                return [(r.url, r.outcome, r.published) for r in results]
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            await poller.run(stop)
            return []
        finally:
            await producer.stop()


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rate", type=click.FloatRange(min=0.001), default=None, help="Events a second.")
@click.option(
    "--as-fast-as-possible",
    "flat_out",
    is_flag=True,
    help="No pacing: send as fast as the broker acknowledges (the default).",
)
@click.option(
    "--progress-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where the offset is kept (default: SIGNALS_DATA_DIR/replay/<archive>-<hash>.json).",
)
@click.option("--restart", is_flag=True, help="Forget the saved progress; start from line 1.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def replay(
    file: Path,
    rate: float | None,
    flat_out: bool,
    progress_file: Path | None,
    restart: bool,
    batch_size: int,
    quiet: bool,
) -> None:
    """Replay a JSON-lines archive of news events into news.raw (acks=all), resumably.

    Stop it at any time and run the same command again: it resumes after the last batch the
    broker acknowledged. Lines that are not valid events are counted and skipped.
    """
    from streams.replay import ProgressFile, ReplayError, default_progress_path

    if rate is not None and flat_out:
        raise click.UsageError("--rate and --as-fast-as-possible exclude each other")
    settings = _settings()
    store = ProgressFile(progress_file or default_progress_path(settings.data_dir, file))
    if restart:
        store.reset()
    try:
        report = asyncio.run(_run_replay(settings, file, store, rate, batch_size, quiet))
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from None
    p = report.progress
    resumed = f" (resumed at byte {report.resumed_from:,})" if report.resumed_from else ""
    click.echo(
        f"replayed {report.sent_now} events{resumed}; {p.sent} sent in all, "
        f"{p.invalid} invalid lines skipped; progress in {store.path}"
    )
    if report.invalid_lines:
        click.echo(f"invalid lines: {', '.join(map(str, report.invalid_lines))}", err=True)


async def _run_replay(
    settings: Settings,
    file: Path,
    store: ProgressFile,
    rate: float | None,
    batch_size: int,
    quiet: bool,
) -> ReplayReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from streams.ingest import NewsProducer
    from streams.replay import Pacer, ReplayProgress, replay

    producer = NewsProducer(settings.model_copy(update={"api_send_timeout_s": 60.0}))
    size = file.stat().st_size
    bar = Progress(
        TextColumn("[bold]replay[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[sent]:>8} events"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    )
    with bar:
        task = bar.add_task(file.name, total=size, sent=0)

        def show(progress: ReplayProgress) -> None:
            bar.update(task, completed=progress.offset, sent=progress.sent)

        try:
            return await replay(
                file,
                producer.send,
                store,
                pacer=Pacer(rate),
                batch_size=batch_size,
                on_progress=show,
            )
        finally:
            await producer.stop()
