"""One engine for one or many instances: the membership of a process alone, and the order in
which the engine starts and stops its parts. Against in-memory fakes; the cluster of several
instances on PostgreSQL is tests/e2e/test_instances.py's."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.engine.cluster import Alone
from bot.core.engine.lifecycle import Engine
from bot.domain.orders import OrderState
from bot.domain.telling import OutboxEntry, Part, Priority
from storage import OutboxStore
from tests.unit.core import ALICE, BOB, POLL_INTERVAL, FakeClock, build_core, eventually, new_order
from tests.unit.fakes import FakeOutboxStore


def _entry(order_id: int) -> OutboxEntry:
    return OutboxEntry(order_id, Part.CARD, ALICE, Priority.WAITED_FOR, 0.0)


async def test_a_process_alone_serves_every_chat_and_holds_every_lease() -> None:
    alone = Alone()
    assert (alone.size, alone.rank, alone.share) == (1, 0, 1.0)
    assert alone.serves(ALICE) and alone.serves(-BOB)
    assert await alone.claim_checks([1, 2, 3]) == {1, 2, 3}


async def test_a_process_alone_takes_up_what_a_previous_run_left_once() -> None:
    rows = FakeOutboxStore(FakeClock())
    await rows.put(_entry(1))
    alone = Alone()
    assert await alone.free_rows(rows) == [_entry(1)]
    # Every row after that is one it wrote itself and keeps in memory: nothing to read again.
    assert await alone.free_rows(rows) == []
    assert await rows.pending() == [_entry(1)]


async def test_a_process_alone_writes_holds_and_removes_its_own_rows() -> None:
    rows = FakeOutboxStore(FakeClock())
    alone = Alone()
    assert await alone.put_row(rows, _entry(1))
    assert await alone.hold_row(rows, 1, Part.CARD)
    # Nobody else writes: the tell's reading of the order stands, no second look.
    assert not await alone.remove_row(rows, 1, Part.CARD)
    assert await rows.pending() == []


class RecordingMembership(Alone):
    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    async def start(self) -> None:
        self.events.append("membership started")

    async def close(self) -> None:
        self.events.append("membership closed")

    async def free_rows(self, store: OutboxStore) -> list[OutboxEntry]:
        self.events.append("outbox took up its rows")
        return await super().free_rows(store)

    async def claim_checks(self, order_ids: Collection[int]) -> set[int]:
        self.events.append("poller checked")
        return await super().claim_checks(order_ids)


class RecordingBackground:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def start(self) -> None:
        self.events.append("background started")

    async def close(self) -> None:
        self.events.append("background closed")


async def test_the_engine_starts_its_parts_in_order_and_stops_them_in_reverse() -> None:
    events: list[str] = []
    membership = RecordingMembership(events)
    core = build_core(cluster=membership)
    order = await new_order(core, state=OrderState.NUMBER)
    engine = Engine(
        membership, core.outbox, core.poller,
        background=[RecordingBackground(events)],
    )  # fmt: skip
    await engine.start()
    assert events == ["membership started", "outbox took up its rows", "background started"]
    # The poller runs too: once the order is due, it claims its check.
    core.clock.advance(POLL_INTERVAL)
    await eventually(lambda: "poller checked" in events)
    events.clear()
    await engine.stop()
    assert events == ["background closed", "membership closed"]
    # Stopped: the outbox takes nothing more (what is left to tell waits in its table).
    await core.outbox.add(await core.orders.update(order.id, state=OrderState.COMPLETED))
    assert core.outbox.pending == 0


async def test_background_parts_left_off_are_still_closed() -> None:
    events: list[str] = []
    membership = RecordingMembership(events)
    core = build_core(cluster=membership)
    engine = Engine(
        membership, core.outbox, core.poller,
        background=[RecordingBackground(events)], start_background=False,
    )  # fmt: skip
    await engine.start()
    await engine.stop()
    assert "background started" not in events
    assert "background closed" in events
