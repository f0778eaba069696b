"""The core assembled on in-memory fakes: the one place the unit tests construct it.

Every unit test of the engine and the use cases gets its parts from `build_core`, so a change to
a constructor (the core is being reshaped) is made here once, not in every test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.core.engine.cluster import Membership
from bot.core.engine.outbox import Outbox
from bot.core.engine.poller import OrderPoller
from bot.core.engine.tracker import OrderTracker
from bot.core.placement import Limits, OrderPlacement
from bot.domain.orders import Order, OrderKind
from tests.unit.fakes import (
    FakeChatStore,
    FakeOrderStore,
    FakeOutboxStore,
    FakePlacementStore,
    FakeSms4Sats,
    RecordingTeller,
)

POLL_INTERVAL = 1.0
ALICE = 10001
BOB = 10002
# Far from zero, like the real clock: the code compares timestamps with None and with 0.
START = 1_700_000_000.0


class FakeClock:
    """The bot's clock, moved by the test: nothing waits for real time to pass."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Core:
    clock: FakeClock
    orders: FakeOrderStore
    chats: FakeChatStore
    outbox_rows: FakeOutboxStore
    placements: FakePlacementStore
    sms4sats: FakeSms4Sats
    teller: RecordingTeller
    tracker: OrderTracker
    outbox: Outbox
    poller: OrderPoller
    placement: OrderPlacement


def build_core(
    *,
    limits: Limits | None = None,
    clock: FakeClock | None = None,
    cluster: Membership | None = None,
) -> Core:
    """`cluster`: the outbox's and the poller's membership (alone on the database if None)."""
    clock = clock or FakeClock()
    orders = FakeOrderStore(clock)
    chats = FakeChatStore(clock)
    outbox_rows = FakeOutboxStore(clock)
    placements = FakePlacementStore(clock)
    sms4sats = FakeSms4Sats(clock)
    teller = RecordingTeller()
    tracker = OrderTracker(
        teller, orders, chats, sms4sats, poll_interval=POLL_INTERVAL, clock=clock
    )
    outbox = Outbox(
        tracker.tell, tracker.close_unreachable, outbox_rows, orders, chats, clock, cluster=cluster
    )
    poller = OrderPoller(tracker, outbox, orders, poll_interval=POLL_INTERVAL, cluster=cluster)
    placement = OrderPlacement(orders, placements, sms4sats, tracker, clock, limits or Limits())
    return Core(
        clock, orders, chats, outbox_rows, placements, sms4sats, teller, tracker, outbox,
        poller, placement,
    )  # fmt: skip


async def new_order(
    core: Core, *, chat_id: int = ALICE, kind: OrderKind = OrderKind.RECEIVE, **changes: object
) -> Order:
    """An order as stored, then `changes` written to it (the state sms4sats moved it to...)."""
    remote_id = f"remote-{len(core.orders.rows) + 1}"
    order = await core.orders.create(
        remote_id=remote_id, kind=kind, user_id=abs(chat_id), chat_id=chat_id, amount_sats=3700,
        invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    return await core.orders.update(order.id, **changes) if changes else order


@asynccontextmanager
async def running_outbox(core: Core) -> AsyncIterator[Outbox]:
    """The outbox's loop running (it sends on its own task), closed at the end."""
    await core.outbox.start()
    try:
        yield core.outbox
    finally:
        await core.outbox.close()


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until `check()` holds: for what the outbox's own task does after an `add`.

    It yields to the event loop between looks; the loop itself wakes on its own (an `add` wakes
    it, and it looks at the fake clock at least every IDLE_WAKE)."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.005)
