"""The background job that follows every open order until its user has been told the end.

One repeating job: each tick reads the open orders in one query, checks those that are due with
sms4sats with bounded concurrency, and hands whatever the users must be told to `Deliveries`.
A tick never waits for Telegram. How often an order is due is its kind's rule.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.core.deliveries import Deliveries
from bot.core.tracker import OrderTracker
from bot.domain.kinds import rules_for
from bot.domain.orders import Order
from storage import ChatStore, OrderStore

log = logging.getLogger(__name__)

JOB_NAME = "poll-open-orders"
DEFAULT_CONCURRENCY = 32


@dataclass(frozen=True, slots=True)
class TickReport:
    orders: int
    failed: int


class OrderPoller:
    def __init__(
        self,
        tracker: OrderTracker,
        deliveries: Deliveries,
        orders: OrderStore,
        chats: ChatStore,
        *,
        poll_interval: float,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._tracker = tracker
        self._deliveries = deliveries
        self._orders = orders
        self._chats = chats
        self._interval = poll_interval
        self._concurrency = concurrency
        self._tick_lock = asyncio.Lock()
        self._checked_at: dict[int, float] = {}

    async def tick(self) -> TickReport:
        # A slow tick (sms4sats hanging) must not overlap the next one: they would check the
        # same orders twice.
        if self._tick_lock.locked():
            log.debug("Previous poll still running; skipping this tick")
            return TickReport(0, 0)
        async with self._tick_lock:
            now = self._tracker.now()
            open_orders = await self._orders.open_orders(due_at=now)
            due = [order for order in open_orders if self._due(order, now)]
            self._forget_closed(open_orders)
            if not due:
                return TickReport(0, 0)
            unreachable = await self._chats.unreachable_chats({order.chat_id for order in due})
            semaphore = asyncio.Semaphore(self._concurrency)

            async def check_one(order: Order) -> bool:
                async with semaphore:
                    try:
                        order = await self._tracker.check(order)
                    except Exception:
                        # One broken order must not stop the others; it is tried next tick.
                        log.exception("Order %d: check failed", order.id)
                        return False
                    self._checked_at[order.id] = now
                    if order.chat_id in unreachable:
                        await self._tracker.close_unreachable(order)
                    elif order.untold:
                        self._deliveries.request(order.chat_id, order.id, urgent=order.code_pending)
                    return True

            results = await asyncio.gather(*(check_one(order) for order in due))
            return TickReport(len(due), results.count(False))

    def _due(self, order: Order, now: float) -> bool:
        if order.untold or order.state.is_final:
            return True
        last = self._checked_at.get(order.id)
        if last is None:
            return True
        every = rules_for(order.kind).check_every(order, now, self._interval)
        # Half a tick of slack: a tick that fires a little early still counts as on time.
        return now - last >= every - self._interval / 2

    def _forget_closed(self, open_orders: list[Order]) -> None:
        if len(self._checked_at) > 2 * len(open_orders) + 100:
            still_open = {order.id for order in open_orders}
            for order_id in [o for o in self._checked_at if o not in still_open]:
                del self._checked_at[order_id]
