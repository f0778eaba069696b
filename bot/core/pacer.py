"""One shared budget of browsing requests per second to sms4sats.

Browsing (what is in stock where, and at what price) is read by every person paging through a
picker and by the background refresh; sms4sats should see a steady, bounded load however many
people browse at once. Every such request takes a slot here first: slots are `1 / rate` seconds
apart, for the whole bot. People waiting for a page go before the background refresh, which only
takes a slot when nobody is waiting. Orders, status checks and payments do not pass here: they
are not browsing, and they must never queue behind it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_RATE = 2.0


class RequestPacer:
    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        share: Callable[[], float] = lambda: 1.0,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # Several instances on one database split the budget: each takes its share of it.
        self._share = share
        self._monotonic = monotonic
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._people = 0
        self._nobody_waits = asyncio.Event()
        self._nobody_waits.set()
        self.granted = 0
        """Slots handed out since the start (for the metrics and the load measurement)."""

    async def slot(self, *, background: bool = False) -> None:
        """Wait for the next free slot; a background caller also waits until nobody else does."""
        if background:
            await self._background_slot()
            return
        self._people += 1
        self._nobody_waits.clear()
        try:
            async with self._lock:
                wait = self._next - self._monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._claim()
        finally:
            self._people -= 1
            if not self._people:
                self._nobody_waits.set()

    async def _background_slot(self) -> None:
        # It waits for its slot without holding the lock, and looks again after: a person who
        # came meanwhile takes that slot, and the refresh waits for the next free one.
        while True:
            await self._nobody_waits.wait()
            async with self._lock:
                if self._people:
                    continue
                wait = self._next - self._monotonic()
                if wait <= 0:
                    self._claim()
                    return
            await asyncio.sleep(wait)

    def _claim(self) -> None:
        interval = 1.0 / (self.rate * max(self._share(), 1e-3))
        self._next = max(self._monotonic(), self._next) + interval
        self.granted += 1
