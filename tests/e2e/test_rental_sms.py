"""A rental's SMS in the database (both backends) and the rule that tells each exactly once:
an attempt is counted before it starts; one that certainly failed is taken back and tried again;
one whose outcome is unknown is repeated at most once. Migration 10 keeps older orders."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.core.engine.teller import OutcomeUnknown, TellFailed
from bot.core.engine.tracker import OrderTracker
from bot.domain.in_flight import InFlightPlacement
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import ReceivedSms
from bot.domain.rental_sms import StoredSms
from bot.domain.telling import OutboxEntry, Part, Priority
from bot.sms4sats import Sms4SatsClient
from storage import (
    ChatStore,
    Database,
    OrderStore,
    OutboxStore,
    RentalSmsStore,
    open_database,
)
from storage.migrations import MIGRATIONS
from tests.e2e.conftest import BOTH_BACKENDS, ShiftableClock

FAST = 9e9


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    yield database
    await database.close()


async def new_rental(orders: OrderStore) -> Order:
    order = await orders.create(
        remote_id="c" * 64, kind=OrderKind.RENTAL, user_id=5, chat_id=5, amount_sats=1368,
        invoice="lnbc1", invoice_expires_at=None, country_code=6, rental_weeks=2,
    )  # fmt: skip
    return await orders.update(order.id, state=OrderState.NUMBER, number="6281234567")


@BOTH_BACKENDS
async def test_the_same_sms_is_one_row(database: Database) -> None:
    clock = ShiftableClock()
    orders, sms = OrderStore(database, clock), RentalSmsStore(database, clock)
    order = await new_rental(orders)
    first, second = ReceivedSms("Code 1111", "1111", 1.0), ReceivedSms("Code 2222", "2222", 2.0)
    assert await sms.add(order.id, (first,), keep=3, fast_until=FAST) == 1
    assert await sms.add(order.id, (first, second), keep=3, fast_until=FAST) == 1
    assert await sms.add(order.id, (second, first), keep=3, fast_until=FAST) == 0
    stored = await orders.get(order.id)
    assert stored is not None and stored.sms_count == 2 and stored.sms_pending
    assert stored.fast_poll_until == FAST
    assert [item["text"] for item in json.loads(stored.recent_sms or "[]")] == [
        "Code 1111", "Code 2222",
    ]  # fmt: skip
    assert [s.code for s in await sms.unsettled(order.id)] == ["1111", "2222"]


@BOTH_BACKENDS
async def test_an_attempt_is_counted_once_and_taken_back(database: Database) -> None:
    clock = ShiftableClock()
    orders, sms = OrderStore(database, clock), RentalSmsStore(database, clock)
    order = await new_rental(orders)
    await sms.add(order.id, (ReceivedSms("1234", "1234"),), keep=3, fast_until=FAST)
    (row,) = await sms.unsettled(order.id)
    counted = await sms.count_send(row)
    assert counted is not None and counted.sends == 1
    # Another instance read the same row: it does not count (and does not send) again.
    assert await sms.count_send(row) is None
    await sms.uncount_send(counted)
    (row,) = await sms.unsettled(order.id)
    assert row.sends == 0


class FlakyTeller:
    """Telegram as the tracker sees it: each send_sms answers with the next outcome."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[str] = []
        self.attempts = 0

    async def send_sms(self, order: Order, sms: StoredSms) -> int:
        self.attempts += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.sent.append(sms.text)
        return 1000 + len(self.sent)

    async def show_card(self, order: Order, *, balance: int | None) -> int:
        return 1

    async def send_code(self, order: Order) -> int:
        raise AssertionError("a rental has no code message")

    async def send_warning(self, order: Order) -> None:
        raise AssertionError("a rental is never warned")

    async def remove_message(self, chat_id: int, message_id: int) -> None:
        return None

    async def placement_lost(self, placement: InFlightPlacement) -> None:
        return None

    async def placement_recovered(self, placement: InFlightPlacement, order: Order) -> None:
        return None


async def telling(
    database: Database, teller: FlakyTeller
) -> tuple[OrderTracker, RentalSmsStore, Order, ShiftableClock]:
    clock = ShiftableClock()
    orders, sms = OrderStore(database, clock), RentalSmsStore(database, clock)
    order = await new_rental(orders)
    await sms.add(order.id, (ReceivedSms("Code 4242", "4242"),), keep=3, fast_until=FAST)
    async with httpx.AsyncClient() as http:
        client = Sms4SatsClient(http, "http://127.0.0.1:9")  # never called by a tell
    tracker = OrderTracker(
        teller, orders, ChatStore(database, clock), client, poll_interval=1.0, clock=clock,
        rental_sms=sms,
    )  # fmt: skip
    return tracker, sms, order, clock


async def test_a_certain_failure_is_retried_until_it_gets_through(tmp_path: Path) -> None:
    database = await open_database(tmp_path / "bot.db")
    teller = FlakyTeller(TellFailed("429"), TellFailed("500"), TellFailed("429"))
    tracker, sms, order, _ = await telling(database, teller)
    for _ in range(3):
        told = await tracker.tell(order.id, (Part.SMS,))
        assert told is not None and told.sms_pending
        assert (await sms.unsettled(order.id))[0].sends == 0  # none of them counted
    told = await tracker.tell(order.id, (Part.SMS,))
    assert told is not None and not told.sms_pending
    assert teller.sent == ["Code 4242"]
    await tracker.tell(order.id, (Part.SMS,))
    assert teller.attempts == 4
    await database.close()


async def test_an_unknown_outcome_is_repeated_at_most_once(tmp_path: Path) -> None:
    database = await open_database(tmp_path / "bot.db")
    teller = FlakyTeller(OutcomeUnknown("timeout"), OutcomeUnknown("timeout"))
    tracker, sms, order, clock = await telling(database, teller)
    told = await tracker.tell(order.id, (Part.SMS,))
    assert told is not None and told.tell_after is not None
    clock.offset += 60
    await tracker.tell(order.id, (Part.SMS,))
    clock.offset += 60
    told = await tracker.tell(order.id, (Part.SMS,))
    # Two attempts that may both have arrived: no third.
    assert teller.attempts == 2
    assert told is not None and not told.sms_pending
    assert not await sms.unsettled(order.id)
    await database.close()


async def test_migration_10_keeps_older_orders_and_the_outbox(tmp_path: Path) -> None:
    """A database of the bot before rentals: its rows come through the table rebuilds."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL)")
        for version, migration in enumerate(MIGRATIONS[:9], start=1):
            for statement in migration.statements("sqlite"):
                old.execute(statement)
            old.execute("INSERT INTO schema_migrations VALUES (?, 0)", (version,))
        old.execute(
            "INSERT INTO orders (id, remote_id, kind, user_id, chat_id, state, created_at, "
            "updated_at, code_sends, origin_message_id) "
            "VALUES (41, 'old', 'receive', 5, 5, 'number', 1, 1, 1, 9)"
        )
        old.execute(
            "INSERT INTO outbox (order_id, part, chat_id, priority, due_at, created_at) "
            "VALUES (41, 'card', 5, 1, 0, 0)"
        )
    database = await open_database(path)
    orders = OrderStore(database, ShiftableClock())
    kept = await orders.get(41)
    assert kept is not None and kept.kind is OrderKind.RECEIVE and kept.code_sends == 1
    assert not kept.real_phone and kept.sms_count == 0
    assert await orders.by_origin(5, 9) == kept
    outbox = OutboxStore(database, ShiftableClock())
    assert [e.order_id for e in await outbox.pending()] == [41]
    await outbox.put(OutboxEntry(41, Part.SMS, 5, Priority.CODE, 0.0))
    rental = await new_rental(orders)
    assert rental.id == 42 and rental.kind is OrderKind.RENTAL
    await database.close()
