"""'Tell me when it's back': setting watches and telling them once stock returns.

A tick (every few seconds) ends the watches whose day is over, reads the stock of each watched
country through the stock board (fresh for a minute, so one `getnumbersstatus` per watched country
a minute, shared by every watcher of it and by everyone browsing), and tells each watch whose
service has numbers again. Telling is a compare-and-set on the watch's row: with several instances
on one database exactly one tells it; with a cluster, each instance looks only at the chats it
serves. A watch whose telling failed for now (Telegram trouble) runs on to the next tick; one whose
chat is gone (the person blocked the bot) ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.engine.cluster import Alone, Membership
from bot.core.engine.teller import ChatUnreachable, OutcomeUnknown, TellFailed
from bot.core.stock import StockBoard
from bot.domain.clock import Clock
from bot.domain.watches import MAX_WATCHES, WATCH_LASTS, Watch
from bot.sms4sats import Sms4SatsError
from storage import WatchStore

log = logging.getLogger(__name__)


class WatchTeller(Protocol):
    async def back_in_stock(self, watch: Watch) -> None:
        """Tell the person the service has numbers again (a new message, with a button to the
        confirmation). Raises ChatUnreachable, OutcomeUnknown or TellFailed like the Teller."""


class WatchSet(Enum):
    NEW = "new"
    RENEWED = "renewed"
    TOO_MANY = "too-many"


@dataclass(frozen=True, slots=True)
class WatchRequest:
    user_id: int
    chat_id: int
    country_code: int
    service_code: str
    service_name: str | None


class Watches:
    def __init__(
        self,
        store: WatchStore,
        board: StockBoard,
        teller: WatchTeller,
        clock: Clock,
        *,
        cluster: Membership | None = None,
    ) -> None:
        self.store = store
        self._board = board
        self._teller = teller
        self._clock = clock
        self._cluster = cluster or Alone()

    async def watch_listed(
        self, user_id: int, chat_id: int, country: int, service: str
    ) -> tuple[WatchSet, str | None]:
        """A watch on a service as the country's last listing names it; what came of it, and
        that name (None when the listing is not known now)."""
        listing = self._board.known_listing(country) or []
        raw = next((s.name for s in listing if s.code == service), None)
        return await self.watch(WatchRequest(user_id, chat_id, country, service, raw)), raw

    async def watch(self, request: WatchRequest) -> WatchSet:
        added = await self.store.add(
            request.user_id,
            request.chat_id,
            request.country_code,
            request.service_code,
            request.service_name,
            WATCH_LASTS,
            MAX_WATCHES,
        )
        if added is None:
            return WatchSet.TOO_MANY
        return WatchSet.NEW if added else WatchSet.RENEWED

    async def tick(self) -> int:
        """One round: end what ran out, tell what is back; how many were told."""
        await self.store.end_expired()
        watches = [w for w in await self.store.active() if self._cluster.serves(w.chat_id)]
        by_country: dict[int, list[Watch]] = {}
        for watch in watches:
            by_country.setdefault(watch.country_code, []).append(watch)
        told = 0
        for country, waiting in by_country.items():
            try:
                listing = await self._board.listed(country, background=True)
            except Sms4SatsError as error:
                log.info("Watches: stock of %s unknown for now: %s", country, error)
                continue
            stocked = {service.code for service in listing if service.count > 0}
            for watch in waiting:
                if watch.service_code in stocked and await self._tell(watch):
                    told += 1
        return told

    async def _tell(self, watch: Watch) -> bool:
        if not await self.store.claim(watch.id):
            return False  # told by another instance, or its day ran out meanwhile
        try:
            await self._teller.back_in_stock(watch)
        except ChatUnreachable:
            await self.store.done(watch.id)
            return False
        except OutcomeUnknown:
            # It may have arrived: telling twice is worse than once too few for a hint.
            await self.store.done(watch.id)
            return True
        except TellFailed:
            await self.store.release(watch.id)
            return False
        except BaseException:
            await self.store.release(watch.id)
            raise
        await self.store.done(watch.id)
        return True
