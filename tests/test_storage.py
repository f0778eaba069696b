"""The database: migrations, WAL, orders as the source of truth, chat reachability."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.domain.orders import OrderKind, OrderState
from storage import ChatStore, Database, OrderStore
from storage.migrations import MIGRATIONS


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "nested" / "bot.db")
    yield database
    await database.close()


async def test_open_creates_schema_in_wal_mode(database: Database) -> None:
    assert await database.schema_version() == len(MIGRATIONS)
    async with database.connection.execute("PRAGMA journal_mode") as cursor:
        row = await cursor.fetchone()
    assert row is not None and row[0] == "wal"


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = await Database.open(path)
    order = await OrderStore(first, time.time).create(
        remote_id="a" * 64, kind=OrderKind.RECEIVE, user_id=1, chat_id=1, amount_sats=1500,
        invoice="lnbc1", invoice_expires_at=None,
    )  # fmt: skip
    await first.close()
    second = await Database.open(path)
    assert (await OrderStore(second, time.time).get(order.id)) == order
    await second.close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with aiosqlite.connect(path) as connection:
        await connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer version"):
        await Database.open(path)


async def test_order_lifecycle_columns(database: Database) -> None:
    orders = OrderStore(database, time.time)
    order = await orders.create(
        remote_id="b" * 64, kind=OrderKind.RECEIVE, user_id=5, chat_id=5, amount_sats=2000,
        invoice="lnbc20u1...", invoice_expires_at=1000.0, country_code=187, country_name="USA",
        service_code="tg", service_name="Telegram", origin_message_id=77,
    )  # fmt: skip
    assert order.state is OrderState.AWAITING_PAYMENT
    assert order.card_outdated and not order.code_pending
    assert await orders.get_by_remote_id("b" * 64) == order
    assert await orders.by_origin(5, 77) == order
    assert await orders.by_origin(5, 78) is None

    order = await orders.update(order.id, state=OrderState.NUMBER, number="14155550123")
    assert order.state is OrderState.NUMBER and order.number == "14155550123"
    order = await orders.update(order.id, code="0123", shown_state=OrderState.NUMBER)
    assert order.code_pending
    assert order.card_outdated  # the card shows the state but not yet this number
    with pytest.raises(ValueError, match="unknown order columns"):
        await orders.update(order.id, bogus=1)


async def test_balance_paid_orders_start_paid(database: Database) -> None:
    order = await OrderStore(database, time.time).create(
        remote_id="c" * 64, kind=OrderKind.SEND, user_id=1, chat_id=1, amount_sats=3000,
        invoice=None, invoice_expires_at=None, paid_from_balance=True, phone="+14155550123",
        message="hi",
    )  # fmt: skip
    assert order.state is OrderState.PAID
    assert order.paid_at is not None and order.paid_from_balance


async def test_one_order_per_confirmation(database: Database) -> None:
    orders = OrderStore(database, time.time)
    common = {
        "kind": OrderKind.RECEIVE, "user_id": 1, "chat_id": 1, "amount_sats": 1,
        "invoice": "x", "invoice_expires_at": None, "origin_message_id": 9,
    }  # fmt: skip
    await orders.create(remote_id="d" * 64, **common)  # type: ignore[arg-type]
    with pytest.raises(aiosqlite.IntegrityError):
        await orders.create(remote_id="e" * 64, **common)  # type: ignore[arg-type]


async def test_open_orders_skip_closed_and_not_due(database: Database) -> None:
    orders = OrderStore(database, time.time)
    ids = []
    for i in range(4):
        order = await orders.create(
            remote_id=f"{i:064x}", kind=OrderKind.RECEIVE, user_id=1, chat_id=1,
            amount_sats=1, invoice="x", invoice_expires_at=None,
        )  # fmt: skip
        ids.append(order.id)
    await orders.update(ids[1], closed_at=1.0)
    await orders.update(ids[2], next_poll_at=500.0)
    assert [o.id for o in await orders.open_orders()] == [ids[0], ids[2], ids[3]]
    assert [o.id for o in await orders.open_orders(due_at=100.0)] == [ids[0], ids[3]]
    assert [o.id for o in await orders.open_orders(due_at=600.0)] == [ids[0], ids[2], ids[3]]


async def test_orders_for_user_newest_first(database: Database) -> None:
    orders = OrderStore(database, time.time)
    for i in range(5):
        await orders.create(
            remote_id=f"{i:064x}", kind=OrderKind.RECEIVE, user_id=1 if i % 2 == 0 else 2,
            chat_id=1, amount_sats=1, invoice="x", invoice_expires_at=None,
        )  # fmt: skip
    mine = await orders.for_user(1, limit=2)
    assert [o.remote_id for o in mine] == [f"{4:064x}", f"{2:064x}"]
    assert await orders.count_for_user(1) == 3
    assert [o.remote_id for o in await orders.for_user(1, limit=2, offset=2)] == [f"{0:064x}"]


async def test_chat_reachability(database: Database) -> None:
    chats = ChatStore(database, time.time)
    await chats.seen_user(1, "Alice", "alice", "en")
    await chats.seen_user(1, "Alice B", None, "de")
    await chats.set_chat_status(1, "private", "member")
    await chats.set_chat_status(2, "private", "kicked")
    await chats.set_chat_status(-100, "supergroup", "left", title="Group")
    assert await chats.unreachable_chats({1, 2, -100, 3}) == {2, -100}
    assert await chats.unreachable_chats(set()) == set()
    await chats.set_chat_status(2, "private", "member")
    assert await chats.chat_status(2) == "member"
    assert await chats.chat_status(99) is None
