"""The engine's parts started in order and stopped in reverse, by one object.

Start: the membership first, so the outbox and the poller start with their share of the work;
the outbox before the poller, which hands it every open order still untold as it loads them;
then what runs in the background beside them (the stock board's refresh). Stop: the reverse.
The outbox stops before the membership, so what it still holds is handed to the others at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.engine.cluster import Membership
from bot.core.engine.outbox import Outbox
from bot.core.engine.poller import OrderPoller


class Background(Protocol):
    """A part that keeps something fresh in the background (the stock board)."""

    def start(self) -> None: ...

    async def close(self) -> None:
        """Stop, and end what it has under way."""


class Engine:
    def __init__(
        self,
        cluster: Membership,
        outbox: Outbox,
        poller: OrderPoller,
        *,
        background: Sequence[Background] = (),
        start_background: bool = True,
    ) -> None:
        """`start_background=False` (BROWSE_REFRESH=0): the background parts are not started,
        only closed at the end (a stock board then fetches on demand, and ends its fetches)."""
        self.cluster = cluster
        self.outbox = outbox
        self.poller = poller
        self._background = tuple(background)
        self._start_background = start_background

    async def start(self) -> None:
        await self.cluster.start()
        await self.outbox.start()
        await self.poller.start()
        if self._start_background:
            for part in self._background:
                part.start()

    async def stop(self) -> None:
        for part in reversed(self._background):
            await part.close()
        await self.poller.close()
        await self.outbox.close()
        await self.cluster.close()
