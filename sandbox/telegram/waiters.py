"""Wakes long-polling requests (getUpdates, /__sandbox/events, callback answers)."""

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WakeUp:
    """Every notify() wakes everyone waiting at that moment; waiters then re-check their state."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        event = self._event
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return


async def wait_until(
    wakeup: WakeUp,
    check: Callable[[], T | None],
    seconds: float,
    stop: Callable[[], bool] = lambda: False,
) -> T | None:
    """Returns check()'s first non-None value, or None once `seconds` have passed."""
    deadline = time.monotonic() + max(seconds, 0.0)
    while True:
        result = check()
        remaining = deadline - time.monotonic()
        if result is not None or remaining <= 0 or stop():
            return result
        await wakeup.wait(remaining)
