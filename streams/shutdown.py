"""Graceful stop of an agent: the work of the current iteration finishes before it is acked."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def finish(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end even if the agent is cancelled meanwhile (a graceful stop).

    Faust acks the events of the current iteration in a ``finally`` when the agent's stream is
    closed, so an event whose outputs were not yet sent would be committed and its alerts lost.
    Finishing the work first means every acked event has its outputs handed to the producer,
    which faust flushes on stop.
    """
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise
