from __future__ import annotations

import asyncio

import pytest

from streams.shutdown import finish


async def test_work_finishes_when_the_agent_is_cancelled_meanwhile() -> None:
    done: list[str] = []
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.05)
        done.append("sent")

    agent = asyncio.ensure_future(finish(work()))
    await started.wait()
    agent.cancel()
    with pytest.raises(asyncio.CancelledError):
        await agent
    assert done == ["sent"]  # without finish() the cancel would have cut the work short
