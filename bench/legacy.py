"""The design this benchmark compares against, as it was before the outbox: one tick every
interval that reads all open orders and checks those due, and one worker per chat that tells
users in arrival order (a code goes first within its own chat only).

Kept here, not in the bot, so `make bench` runs both designs side by side on the same
stand-ins. Only the imports changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.engine.tracker import OrderTracker
from bot.domain.kinds import rules_for
from bot.domain.orders import Order
from storage import ChatStore, OrderStore

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 32
Tell = Callable[[int], Awaitable[object]]


class Deliveries:
    def __init__(self, tell: Tell) -> None:
        self._tell = tell
        # chat -> {order id: urgent}; a code waiting is urgent and goes before card edits.
        self._pending: dict[int, dict[int, bool]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._closed = False

    def request(self, chat_id: int, order_id: int, *, urgent: bool = False) -> None:
        if self._closed:
            return
        waiting = self._pending.setdefault(chat_id, {})
        waiting[order_id] = waiting.get(order_id, False) or urgent
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.get_running_loop().create_task(
                self._work(chat_id), name=f"deliveries-{chat_id}"
            )

    @property
    def busy_chats(self) -> int:
        return len(self._workers)

    async def _work(self, chat_id: int) -> None:
        try:
            while waiting := self._pending.get(chat_id):
                order_id = next((o for o, urgent in waiting.items() if urgent), None)
                if order_id is None:
                    order_id = next(iter(waiting))
                del waiting[order_id]
                try:
                    await self._tell(order_id)
                except Exception:
                    # One broken order must not stop the chat's others; a later check retries.
                    log.exception("Order %d: telling its user failed", order_id)
        finally:
            self._pending.pop(chat_id, None)
            self._workers.pop(chat_id, None)

    async def drain(self) -> None:
        """Wait until every requested delivery was attempted (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


@dataclass(frozen=True, slots=True)
class TickReport:
    orders: int
    failed: int


class LegacyPoller:
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


def locked_tell(tracker: OrderTracker) -> Tell:
    """The old tracker's tell: under the order's one lock, which its checks took too, so a
    check of an order being told waited for Telegram. Kept so the old design is measured as
    it was (the tracker now has a tell lock of its own)."""

    async def tell(order_id: int) -> object:
        async with tracker.lock(order_id):
            return await tracker.tell(order_id)

    return tell
