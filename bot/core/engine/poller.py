"""Follows every open order with sms4sats, each on its own schedule, and hands news to the outbox.

Each open order has its own next check time in a heap; a loop starts the checks that are due,
at most `concurrency` at once, and never waits for a batch to finish. A check only asks
sms4sats and writes the database; telling the user is the outbox's job, so a slow Telegram
never holds a slot. How often an order is checked is its kind's rule (`check_every`): orders
waiting for a number or a code every interval, stale unpaid invoices less often, ended orders
never. Each order keeps its own phase within the interval, so thousands of orders are spread
evenly instead of firing at once.

Open orders live in memory, loaded once at start; after that the loop reads only the rows
written since it last looked (new orders, button presses), so a restart or a change made
elsewhere is picked up without reading every open order again.

The `Membership` says which orders are this instance's to check; alone on SQLite, all of them.
Several instances (PostgreSQL, a `Cluster`): each keeps every open order in memory, ready
to take over, but checks only those of the chats it serves, and only under a check lease: the
due checks of one wake-up are claimed together, in one transaction, and an order whose lease
another instance holds waits for its next turn. When the live instances change, leases of
orders that moved to another instance are handed back at once, and orders that moved here are
checked within an interval.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from dataclasses import dataclass

from bot.core.engine.cluster import Alone, Membership
from bot.core.engine.outbox import Outbox
from bot.core.engine.send_budget import Bucket
from bot.core.engine.tracker import OrderTracker
from bot.domain.kinds import rules_for
from bot.domain.orders import Order, OrderState
from storage import OrderStore

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 32
# When a ceiling on requests to sms4sats binds, orders go in this order: a code (or a delivery)
# is what a person waits for most; then a number; unpaid invoices last.
URGENCY = {OrderState.NUMBER: 0, OrderState.SENT: 0, OrderState.PAID: 1,
           OrderState.AWAITING_PAYMENT: 2}  # fmt: skip
# A check that takes longer than this (real seconds) gives its slot back: an sms4sats call that
# hangs waits for its timeout without holding back the checks of other orders.
SLOT_HOLD = 0.25
# Spreads orders over the interval: the golden ratio's fraction puts consecutive ids far apart.
_PHASE_STEP = 0.6180339887498949
# How often (bot's clock) the loop reads the orders written since it last looked, at most.
SYNC_EVERY = 0.5
# Rows written this long before the last look are read again: a write whose timestamp was
# taken before the look may land just after it.
SYNC_MARGIN = 2.0
# The loop gathers due checks for at least this long (real seconds) between two wake-ups, and
# looks at the clock at least every IDLE_WAKE (tests move the bot's clock forward).
MIN_WAKE = 0.005
IDLE_WAKE = 0.1


@dataclass(frozen=True, slots=True)
class TickReport:
    orders: int
    failed: int


class OrderPoller:
    def __init__(
        self,
        tracker: OrderTracker,
        outbox: Outbox,
        orders: OrderStore,
        *,
        poll_interval: float,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_requests_per_second: float | None = None,
        cluster: Membership | None = None,
    ) -> None:
        self._tracker = tracker
        self._outbox = outbox
        self._orders = orders
        self._interval = poll_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._open: dict[int, Order] = {}
        self._due: dict[int, float] = {}
        self._heap: list[tuple[float, int]] = []
        self._checking: set[int] = set()
        # Due, waiting for the ceiling (or for the loop): (urgency, due at, order id).
        self._ready: list[tuple[int, float, int]] = []
        # The ceiling on requests to sms4sats, on the bot's clock (tests move it), if any.
        self._ceiling: Bucket | None = None
        if max_requests_per_second is not None:
            # A tenth of a second's worth at once, at most: polite even right after a pause.
            burst = max(1.0, max_requests_per_second / 10)
            self._ceiling = Bucket(max_requests_per_second, burst, burst, tracker.now())
        self._held: set[int] = set()
        # Checks that waited for the ceiling, so far: /metrics shows that it binds.
        self.held_by_ceiling = 0
        self._synced_at: float | None = None
        self._tasks: set[asyncio.Task[bool]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        # Checks started so far: tests count them to see how often an order is checked.
        self.checks = 0
        # Unless told otherwise, alone on the database: the tests of the rules alone.
        self._cluster = cluster or Alone()
        # Orders whose check lease this instance may hold but no longer needs.
        self._to_release: set[int] = set()
        self._rebalanced = False
        # The live instances' count and this one's rank as of the last rebalance.
        self._served_as = (1, 0)
        self._cluster.on_change(self._on_rebalance)

    async def start(self) -> None:
        await self.sync()
        self._loop_task = asyncio.get_running_loop().create_task(self._run(), name="poller")

    async def close(self) -> None:
        tasks = [*self._tasks, *([self._loop_task] if self._loop_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def sync(self) -> None:
        """Take in the orders written since the last look (all open ones the first time)."""
        now = self._tracker.now()
        if self._synced_at is None:
            changed = await self._orders.open_orders()
        else:
            changed = await self._orders.changed_since(self._synced_at - SYNC_MARGIN)
        self._synced_at = now
        for order in changed:
            known = self._open.get(order.id)
            if known is not None and known.updated_at >= order.updated_at:
                continue
            await self._take_in(order, now)

    async def tick(self) -> TickReport:
        """Check every order due by now and wait for those checks (tests and the benchmark;
        the running bot uses the loop, which never waits for a batch)."""
        await self.sync()
        now = self._tracker.now()
        due = [order_id for order_id, at in self._due.items() if at <= now]
        due = await self._claim(due, now)
        # Under the ceiling, the most urgent first; the others stay due for the next tick.
        due.sort(key=lambda order_id: (self._urgency(order_id), self._due[order_id]))
        due = [order_id for order_id in due if self._admit(order_id, now)]
        results = await asyncio.gather(*(self._check_slot(order_id) for order_id in due))
        return TickReport(len(due), results.count(False))

    def _serves(self, order: Order) -> bool:
        return self._cluster.serves(order.chat_id)

    async def _take_in(self, order: Order, now: float) -> None:
        if order.untold and order.closed_at is None and self._serves(order):
            await self._outbox.add(order)
        if order.closed_at is not None or order.state.is_final:
            self._forget(order.id)
            return
        first = order.id not in self._open
        self._open[order.id] = order
        every = rules_for(order.kind).check_every(order, now, self._interval)
        if first:
            phase = (order.id * _PHASE_STEP) % 1.0
            self._schedule(order.id, max(now + phase * every, order.next_poll_at or 0.0))
        elif (due := self._due.get(order.id)) is not None and due > now + every:
            # Written elsewhere to be checked more often (a rental whose user expects an SMS):
            # the next check comes sooner, not after the slow step already scheduled.
            self._schedule(order.id, now + every)

    def _forget(self, order_id: int) -> None:
        self._open.pop(order_id, None)
        self._due.pop(order_id, None)
        self._held.discard(order_id)
        self._to_release.add(order_id)

    def _on_rebalance(self) -> None:
        self._rebalanced = True

    async def _rebalance(self, now: float) -> None:
        """The live instances changed: hand back the leases of orders served elsewhere now,
        and check the orders that came here within an interval (a dead instance's are late)."""
        self._rebalanced = False
        size, rank = self._served_as
        self._served_as = (self._cluster.size, self._cluster.rank)
        for order_id, order in self._open.items():
            if not self._cluster.serves(order.chat_id):
                self._to_release.add(order_id)
            elif abs(order.chat_id) % size != rank and order_id not in self._checking:
                at = now + ((order_id * _PHASE_STEP) % 1.0) * self._interval
                if at < self._due.get(order_id, at + 1):
                    self._schedule(order_id, at)
        await self._release()

    async def _release(self) -> None:
        # A check under way keeps its lease until it ends; it is handed back after.
        ids = self._to_release - self._checking
        self._to_release &= self._checking
        if not ids:
            return
        try:
            await self._cluster.release_checks(ids)
        except Exception:
            # They run out by themselves; only the takeover by the others is slower.
            log.exception("Handing back check leases failed")

    async def _claim(self, order_ids: list[int], now: float) -> list[int]:
        """The orders of `order_ids` to check now: those of chats this instance serves whose
        lease it got (alone: all of them); the rest are put off to their next turn."""
        order_ids = [i for i in order_ids if i in self._open and i in self._due]
        served = [i for i in order_ids if self._cluster.serves(self._open[i].chat_id)]
        try:
            claimed = await self._cluster.claim_checks(served) if served else set()
        except Exception:
            log.exception("Claiming order checks failed")
            claimed = set()
        for order_id in order_ids:
            order, due = self._open.get(order_id), self._due.get(order_id)
            if order_id not in claimed and order is not None and due is not None:
                every = rules_for(order.kind).check_every(order, now, self._interval)
                at = due + every
                while at <= now:  # keeps the order's phase
                    at += every
                self._schedule(order_id, at)
        return [i for i in order_ids if i in claimed]

    def _schedule(self, order_id: int, at: float) -> None:
        self._due[order_id] = at
        heapq.heappush(self._heap, (at, order_id))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_sync = self._tracker.now() + SYNC_EVERY
        while True:
            now = self._tracker.now()
            if now >= next_sync:
                try:
                    await self.sync()
                except Exception:
                    log.exception("Reading the changed orders failed")
                next_sync = now + SYNC_EVERY
            if self._rebalanced or self._to_release:
                if self._rebalanced:
                    await self._rebalance(now)
                else:
                    await self._release()
            due: list[int] = []
            while self._heap and self._heap[0][0] <= now:
                at, order_id = heapq.heappop(self._heap)
                if self._due.get(order_id) != at or order_id in self._checking:
                    continue  # rescheduled since, forgotten, or being checked
                due.append(order_id)
            for order_id in await self._claim(due, now) if due else ():
                heapq.heappush(
                    self._ready, (self._urgency(order_id), self._due[order_id], order_id)
                )
            while self._ready:
                _, at, order_id = self._ready[0]
                if self._due.get(order_id) != at or order_id in self._checking:
                    heapq.heappop(self._ready)
                    continue
                if not self._admit(order_id, self._tracker.now()):
                    break  # the ceiling binds: the rest wait, most urgent first
                heapq.heappop(self._ready)
                await self._slots.acquire()
                task = loop.create_task(self._check(order_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            wait = IDLE_WAKE
            if self._heap:
                wait = min(wait, self._heap[0][0] - self._tracker.now())
            if self._ready and self._ceiling is not None:
                wait = min(wait, self._ceiling.ready_at(self._tracker.now()) - self._tracker.now())
            await asyncio.sleep(max(wait, MIN_WAKE))

    def _urgency(self, order_id: int) -> int:
        order = self._open.get(order_id)
        return URGENCY.get(order.state, len(URGENCY)) if order is not None else len(URGENCY)

    def _admit(self, order_id: int, now: float) -> bool:
        """Whether the ceiling on requests to sms4sats lets this check go now (it takes a
        token if so); a check held back is counted once, when it does go."""
        ceiling = self._ceiling
        if ceiling is None:
            return True
        if ceiling.ready_at(now) > now:
            self._held.add(order_id)
            return False
        ceiling.take(now)
        if order_id in self._held:
            self._held.discard(order_id)
            self.held_by_ceiling += 1
        return True

    @property
    def waiting_for_ceiling(self) -> int:
        """Checks due but held back by the ceiling on requests to sms4sats, right now."""
        return len(self._held)

    async def _check_slot(self, order_id: int) -> bool:
        await self._slots.acquire()
        return await self._check(order_id)

    async def _check(self, order_id: int) -> bool:
        """Check one order and schedule its next check; the caller took a slot for it."""
        order = self._open.get(order_id)
        due = self._due.get(order_id)
        if order is None or due is None or order_id in self._checking:
            self._slots.release()
            return True
        self._checking.add(order_id)
        started = self._tracker.now()
        held = True

        def give_back() -> None:
            # Waiting on sms4sats (a hung call) costs no CPU: the slot goes to other orders.
            nonlocal held
            held = False
            self._slots.release()

        timer = asyncio.get_running_loop().call_later(SLOT_HOLD, give_back)
        try:
            self.checks += 1
            try:
                order = await self._tracker.check(order, wait=False)
            except Exception:
                # One broken order must not stop the others; it is tried again next interval.
                log.exception("Order %d: check failed", order_id)
                if order_id in self._due:
                    self._schedule(order_id, started + self._interval)
                return False
        finally:
            timer.cancel()
            self._checking.discard(order_id)
            if held:
                self._slots.release()
        if order.untold and order.closed_at is None:
            await self._outbox.add(order)
        if order_id not in self._due:
            return True  # forgotten meanwhile (closed by a button press)
        if order.closed_at is not None or order.state.is_final:
            self._forget(order_id)
            return True
        self._open[order_id] = order
        every = rules_for(order.kind).check_every(order, started, self._interval)
        at = due + every
        if at < started + every / 2:
            # Fallen behind (sms4sats slow): start a new phase rather than catch up in a rush,
            # which would check the order more than once an interval.
            at = started + every
        self._schedule(order_id, max(at, order.next_poll_at or 0.0))
        return True
