"""The background job that follows every open order until its user has been told the end.

One repeating job, owned by the Application's JobQueue: each tick reads the open orders in one
query and asks sms4sats about them with bounded concurrency. No task per order, no sleeping loops,
and closed orders are never read again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.tracker import OrderTracker
from storage import ChatStore, Order, OrderState, OrderStore

log = logging.getLogger(__name__)

JOB_NAME = "poll-open-orders"
DEFAULT_CONCURRENCY = 32
# Most invoices are paid within a minute or never; past this age an unpaid one is checked only
# every SLOW_POLL_EVERY ticks, which keeps abandoned invoices from dominating the requests.
SLOW_POLL_AFTER = 120.0
SLOW_POLL_EVERY = 4


@dataclass(frozen=True, slots=True)
class TickReport:
    orders: int
    failed: int


class OrderPoller:
    def __init__(
        self,
        tracker: OrderTracker,
        orders: OrderStore,
        chats: ChatStore,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._tracker = tracker
        self._orders = orders
        self._chats = chats
        self._concurrency = concurrency
        self._tick_lock = asyncio.Lock()
        self._ticks = 0

    async def tick(self) -> TickReport:
        # A slow tick (sms4sats hanging) must not overlap the next one: they would poll the same
        # orders twice.
        if self._tick_lock.locked():
            log.debug("Previous poll still running; skipping this tick")
            return TickReport(0, 0)
        async with self._tick_lock:
            self._ticks += 1
            now = self._tracker.now()
            due = [o for o in await self._orders.open_orders(due_at=now) if self._due(o, now)]
            if not due:
                return TickReport(0, 0)
            unreachable = await self._chats.unreachable_chats({order.chat_id for order in due})
            semaphore = asyncio.Semaphore(self._concurrency)

            async def poll_one(order: Order) -> bool:
                async with semaphore:
                    try:
                        await self._tracker.poll(order, reachable=order.chat_id not in unreachable)
                    except Exception:
                        # One broken order must not stop the others; it is tried again next tick.
                        log.exception("Order %d: poll failed", order.id)
                        return False
                    return True

            results = await asyncio.gather(*(poll_one(order) for order in due))
            return TickReport(len(due), results.count(False))

    def _due(self, order: Order, now: float) -> bool:
        if order.state is not OrderState.AWAITING_PAYMENT or order.card_outdated:
            return True
        if now - order.created_at < SLOW_POLL_AFTER:
            return True
        return self._ticks % SLOW_POLL_EVERY == 0
