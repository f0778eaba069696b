"""Telling users, apart from checking sms4sats: one queue with priorities and Telegram's limits.

Checks of sms4sats store what changed and `add` the order here; they never wait for Telegram.
The outbox keeps one entry per part of an order to tell (its code, its card) and sends the most
urgent first: codes, then changes the user waits for (paid, number, refund), then cosmetic card
edits. Repeated requests for one part coalesce into its entry, and the tell reads the order
when it gets to it, so a card goes straight to its newest state. Each chat gets one message at
a time within its own budget, so a chat that is over its limits only delays itself.

Restarts: each entry is also a row of the `outbox` table (written after the order it is about),
and what was told is written on the order itself. After a kill the rows come back, and the
poller adds any open order that is untold, so nothing is lost; a row whose part was told
already costs a look at the order and sends nothing.

The rows are the `Membership`'s to claim. One process alone (SQLite) holds them all; it takes
up what a previous run left when it starts. Several instances (PostgreSQL, a `Cluster`): a row
is sent by the instance holding its claim. An instance claims the rows it writes, and every
`CLAIM_EVERY` seconds the rows nobody holds in the chats it serves (new ones, or a dead
instance's, whose claims ran out); right before sending it makes sure the claim is still its
own, and once told it deletes the row only if it still holds it, then reads the order again:
news that arrived meanwhile from another instance is queued again rather than lost. Its
heartbeat renews its claims, and its share of Telegram's overall budget follows the number of
live instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.engine.cluster import Alone, Membership
from bot.core.engine.send_budget import Prepaid, SendBudget, call_priority, prepaid_call
from bot.domain.clock import Clock
from bot.domain.orders import Order, OrderState
from bot.domain.telling import OutboxEntry, Part, Priority
from storage import ChatStore, OrderStore, OutboxStore

log = logging.getLogger(__name__)

# Messages in flight at once: enough to keep the overall budget busy while Telegram is slow.
MAX_IN_FLIGHT = 64
# A tell that did not get through (a flood wait, Telegram trouble) is tried again after this,
# doubling per attempt, up to RETRY_MAX: for as long as it takes (the tracker decides when a
# part is given up), and within RETRY_MAX of Telegram coming back.
RETRY_FIRST = 2.0
RETRY_MAX = 30.0
# The loop looks at the clock at least this often (real seconds): tests move the bot's clock
# forward, and entries wait for a time on that clock.
IDLE_WAKE = 0.1
# On a clean stop, how long messages on their way may take to be answered (real seconds).
CLOSE_GRACE = 5.0
# How often the rows nobody holds are looked for, at most (real seconds; other instances').
CLAIM_EVERY = 0.5

TellPart = Callable[[int, tuple[Part, ...]], Awaitable[Order | None]]
CloseUnreachable = Callable[[Order], Awaitable[object]]


def what_to_tell(order: Order) -> list[tuple[Part, Priority]]:
    """The parts of `order` its user has not been told, and how urgent each is."""
    parts: list[tuple[Part, Priority]] = []
    if order.code_pending:
        parts.append((Part.CODE, Priority.CODE))
    if order.sms_pending:
        # A rental's SMS is what its user waits for, like a code.
        parts.append((Part.SMS, Priority.CODE))
    if order.card_outdated:
        # Once a code is there, its own message told the user; an unpaid invoice that
        # expired has nobody waiting on it.
        cosmetic = order.code is not None or order.state is OrderState.INVOICE_EXPIRED
        parts.append((Part.CARD, Priority.COSMETIC if cosmetic else Priority.WAITED_FOR))
    if order.warning_pending:
        parts.append((Part.WARNING, Priority.WAITED_FOR))
    return parts


@dataclass(slots=True)
class _Item:
    order_id: int
    part: Part
    chat_id: int
    priority: Priority
    due_at: float  # the bot's clock
    version: int = 0
    in_flight: bool = False
    # Asked for again while being told: what was sent may be older than what is stored.
    dirty: bool = False
    attempts: int = 0
    # Another instance holds the row now (cluster): this one forgets the item, sends nothing.
    lost: bool = False

    def entry(self) -> OutboxEntry:
        return OutboxEntry(self.order_id, self.part, self.chat_id, self.priority, self.due_at)


_Key = tuple[int, Part]


class Outbox:
    def __init__(
        self,
        tell: TellPart,
        close_unreachable: CloseUnreachable,
        store: OutboxStore,
        orders: OrderStore,
        chats: ChatStore,
        clock: Clock,
        *,
        budget: SendBudget | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        cluster: Membership | None = None,
    ) -> None:
        self._tell = tell
        self._close_unreachable = close_unreachable
        self._store = store
        self._orders = orders
        self._chats = chats
        self._clock = clock
        self._budget = budget or SendBudget()
        self._max_in_flight = max_in_flight
        self._items: dict[_Key, _Item] = {}
        self._seq = itertools.count()
        # Ready to go, most urgent first: (priority, sequence, key, version).
        self._ready: list[tuple[int, int, _Key, int]] = []
        # Waiting for their time on the bot's clock: (due_at, sequence, key, version).
        self._later: list[tuple[float, int, _Key, int]] = []
        # Waiting for their chat's budget, in loop time: (ready_at, sequence, key, version).
        self._paced: list[tuple[float, int, _Key, int]] = []
        # Waiting for the message in flight to their chat.
        self._chat_busy: dict[int, list[_Key]] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # The priority the loop waits for a token at, if it does; set when one more urgent comes.
        self._waiting_at: int | None = None
        self._urgent = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._claim_task: asyncio.Task[None] | None = None
        self._closed = False
        # Unless told otherwise, alone on the database: the tests of the rules alone.
        self._cluster = cluster or Alone()
        self._claim_now = asyncio.Event()
        self._cluster.on_change(self._share_changed)
        self._share_changed()

    async def start(self) -> None:
        """Take up what a previous run left to tell, then start telling."""
        loop = asyncio.get_running_loop()
        await self.claim_free()
        self._claim_task = loop.create_task(self._claim_loop(), name="outbox-claims")
        self._loop_task = loop.create_task(self._run(), name="outbox")

    def _take_up(self, entries: list[OutboxEntry]) -> None:
        for entry in entries:
            key = (entry.order_id, entry.part)
            if key not in self._items:
                item = _Item(entry.order_id, entry.part, entry.chat_id, entry.priority, 0.0)
                self._items[key] = item
                self._queue(item)

    async def claim_free(self) -> None:
        """Claim the rows nobody holds in the chats this instance serves."""
        if not self._closed:
            self._take_up(await self._cluster.free_rows(self._store))

    async def _claim_loop(self) -> None:
        # Within a heartbeat of a claim running out, when heartbeats come faster (short polls).
        every = min(CLAIM_EVERY, self._cluster.beat_every)
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):  # not wait_for: see _sleep
                    await self._claim_now.wait()
            self._claim_now.clear()
            try:
                await self.claim_free()
            except Exception:
                log.exception("Claiming the outbox's free rows failed")

    def _share_changed(self) -> None:
        self._budget.set_share(self._cluster.share)
        # A dead instance's chats may be this one's now: look for their messages at once.
        self._claim_now.set()

    async def add(self, order: Order) -> None:
        """Tell the order's user what they have not been told, as soon as its turn comes."""
        if self._closed:
            return
        due = order.tell_after or 0.0
        for part, priority in what_to_tell(order):
            key = (order.id, part)
            item = self._items.get(key)
            if item is None:
                item = _Item(order.id, part, order.chat_id, priority, due)
                self._items[key] = item
            elif item.in_flight:
                item.dirty = True
                item.priority = min(item.priority, priority)
                continue
            elif priority >= item.priority and due <= item.due_at:
                continue  # already queued, at least as urgently
            else:
                item.priority = min(item.priority, priority)
                item.due_at = max(item.due_at, due) if item.attempts else due
            self._queue(item)
            # After the order's own write: a kill in between is covered by the poller, which
            # adds every open untold order when it starts.
            await self._put(item)

    async def _put(self, item: _Item) -> None:
        held = await self._cluster.put_row(self._store, item.entry())
        if not held and not item.in_flight:
            # Another instance holds the row and tells it; this one's copy goes.
            self._items.pop((item.order_id, item.part), None)

    @property
    def pending(self) -> int:
        """Parts still to tell, in flight included."""
        return len(self._items)

    @property
    def in_flight(self) -> int:
        """Tells under way (a message on its way to Telegram, or its answer awaited)."""
        return len(self._in_flight)

    async def close(self) -> None:
        """Stop sending; what is still queued stays in the table for the next run.

        Messages already on their way get a moment to be answered and recorded: one cut off
        after Telegram took it is the one a restart would send again."""
        self._closed = True
        loops = [task for task in (self._loop_task, self._claim_task) if task is not None]
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=CLOSE_GRACE)
        tasks = list(self._in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _queue(self, item: _Item) -> None:
        item.version += 1
        key = (item.order_id, item.part)
        if item.due_at > self._clock():
            heapq.heappush(self._later, (item.due_at, next(self._seq), key, item.version))
        else:
            heapq.heappush(self._ready, (int(item.priority), next(self._seq), key, item.version))
            if self._waiting_at is not None and item.priority < self._waiting_at:
                self._urgent.set()
        self._wake.set()

    def _current(self, key: _Key, version: int) -> _Item | None:
        item = self._items.get(key)
        return item if item is not None and item.version == version and not item.in_flight else None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # A free slot first, then the most urgent item: a code that came in meanwhile is
            # the one that gets it.
            while len(self._in_flight) >= self._max_in_flight:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            self._wake.clear()
            item = self._next(loop.time())
            if item is None:
                await self._sleep(self._idle_wait(loop.time()))
                continue
            # The chat's budget was checked. A token of the overall budget, in turn with the
            # other calls waiting for one (by priority): taken here, before the tell starts, so
            # no tell waits for Telegram's budget while it holds a slot and its chat.
            await self._take_token(int(item.priority))
            # Something more urgent may have come meanwhile: the token is its.
            self._requeue(item)
            item = self._next(loop.time())
            if item is None:
                continue
            self._budget.take_chat(item.chat_id, loop.time())
            item.in_flight = True
            self._chat_busy.setdefault(item.chat_id, [])
            task = loop.create_task(self._send(item))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    def _next(self, now_loop: float) -> _Item | None:
        """The most urgent item that may go now; the others are parked where they wait."""
        now = self._clock()
        while self._later and self._later[0][0] <= now:
            _, seq, key, version = heapq.heappop(self._later)
            if item := self._current(key, version):
                heapq.heappush(self._ready, (int(item.priority), seq, key, version))
        while self._paced and self._paced[0][0] <= now_loop:
            _, seq, key, version = heapq.heappop(self._paced)
            if item := self._current(key, version):
                heapq.heappush(self._ready, (int(item.priority), seq, key, version))
        while self._ready:
            _, seq, key, version = heapq.heappop(self._ready)
            item = self._current(key, version)
            if item is None:
                continue
            if item.chat_id in self._chat_busy:
                self._chat_busy[item.chat_id].append(key)
                continue
            ready_at = self._budget.chat_ready_at(item.chat_id, now_loop)
            if ready_at > now_loop:
                heapq.heappush(self._paced, (ready_at, seq, key, version))
                continue
            return item
        return None

    def _idle_wait(self, now_loop: float) -> float:
        wait = IDLE_WAKE
        if self._paced:
            wait = min(wait, self._paced[0][0] - now_loop)
        return max(wait, 0.0)

    async def _sleep(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that lands
        # as the event is set, and close() then waits forever for a loop that goes on.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _take_token(self, priority: int) -> None:
        """A token of the overall budget, waited for at `priority`, or sooner at a higher one
        when a more urgent item comes meanwhile (a code behind card deletions)."""
        while True:
            self._urgent.clear()
            self._waiting_at = priority
            token = asyncio.ensure_future(self._budget.take_overall(priority))
            urgent = asyncio.ensure_future(self._urgent.wait())
            try:
                await asyncio.wait((token, urgent), return_when=asyncio.FIRST_COMPLETED)
            except BaseException:
                token.cancel()
                raise
            finally:
                self._waiting_at = None
                urgent.cancel()
            if token.done():
                token.result()
                return
            # Back in line at the new priority (a token handed out meanwhile goes unused).
            token.cancel()
            priority = self._ready[0][0] if self._ready else priority

    def _requeue(self, item: _Item) -> None:
        key = (item.order_id, item.part)
        heapq.heappush(self._ready, (int(item.priority), next(self._seq), key, item.version))

    async def _send(self, item: _Item) -> None:
        # This task's own context: the tell's first call spends the token taken for it; any
        # further call (a replaced card's deletion) waits for one by the tell's priority.
        prepaid_call.set(Prepaid())
        call_priority.set(int(item.priority))
        order: Order | None = None
        failed = False
        try:
            if not await self._cluster.hold_row(self._store, item.order_id, item.part):
                item.lost = True
            elif await self._chats.unreachable_chats({item.chat_id}):
                # Blocked or removed: the order stays untold for when they come back.
                fresh = await self._orders.get(item.order_id)
                if fresh is not None:
                    await self._close_unreachable(fresh)
            else:
                order = await self._tell(item.order_id, (item.part,))
            if item.dirty and order is not None:
                # Asked for again meanwhile: the order as stored now says whether anything is
                # left, without spending a message of the budget to find out.
                item.dirty = False
                order = await self._orders.get(item.order_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            # One broken order must not stop the others; it is tried again after a wait.
            log.exception("Order %d: telling its user failed", item.order_id)
            failed = True
        finally:
            for key in self._chat_busy.pop(item.chat_id, []):
                if waiting := self._items.get(key):
                    self._queue(waiting)
            self._wake.set()
        await self._settle(item, order, failed)

    async def _settle(self, item: _Item, order: Order | None, failed: bool) -> None:
        # No await before the entry is settled in memory: an `add` in between would be lost.
        item.in_flight = False
        key = (item.order_id, item.part)
        if item.lost:
            del self._items[key]
            return
        still = dict(what_to_tell(order)) if order is not None else {}
        if not failed and item.part not in still and not item.dirty:
            del self._items[key]
            if not await self._cluster.remove_row(self._store, *key):
                return
            # Another instance may have stored news of the order after the tell read it, and
            # asked for it on the row just deleted: the order as stored now says.
            fresh = await self._orders.get(item.order_id)
            if fresh is not None and fresh.closed_at is None:
                await self.add(fresh)
            return
        if item.dirty and not failed:
            item.attempts = 0
        else:
            item.attempts += 1
        item.dirty = False
        if item.part in still:
            item.priority = still[item.part]
        retry = 0.0 if not item.attempts else min(RETRY_MAX, RETRY_FIRST * 2 ** (item.attempts - 1))
        tell_after = order.tell_after if order is not None and order.tell_after else 0.0
        item.due_at = max(self._clock() + retry, tell_after)
        self._queue(item)
        await self._put(item)
