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
from storage import ChatStore, Order, OrderStore

log = logging.getLogger(__name__)

JOB_NAME = "poll-open-orders"


@dataclass(frozen=True, slots=True)
class TickReport:
    orders: int
    failed: int


class OrderPoller:
    def __init__(
        self, tracker: OrderTracker, orders: OrderStore, chats: ChatStore, concurrency: int = 16
    ) -> None:
        self._tracker = tracker
        self._orders = orders
        self._chats = chats
        self._concurrency = concurrency
        self._tick_lock = asyncio.Lock()

    async def tick(self) -> TickReport:
        # A slow tick (sms4sats hanging) must not overlap the next one: they would poll the same
        # orders twice.
        if self._tick_lock.locked():
            log.debug("Previous poll still running; skipping this tick")
            return TickReport(0, 0)
        async with self._tick_lock:
            due = await self._orders.open_orders(due_at=self._tracker.now())
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
