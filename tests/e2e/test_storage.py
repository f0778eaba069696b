"""The database on both backends: migrations, orders as the source of truth, chat reachability,
and what an operator sees when the database cannot be used."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import psycopg
import pytest

from bot.domain.orders import OrderKind, OrderState
from storage import (
    ChatStore,
    Database,
    DatabaseUnavailable,
    DraftStore,
    IntegrityError,
    OrderStore,
    PlacementStore,
    SchemaTooNew,
    SqliteDatabase,
    open_database,
)
from storage.database import format_placeholders
from storage.migrations import MIGRATIONS
from tests.e2e.conftest import BOTH_BACKENDS


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    yield database
    await database.close()


@BOTH_BACKENDS
async def test_open_creates_schema_once(database: Database, database_target: Path | str) -> None:
    assert await database.schema_version() == len(MIGRATIONS)
    rows = await database.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in rows] == list(range(1, len(MIGRATIONS) + 1))
    if isinstance(database, SqliteDatabase):
        assert await database.fetch_value("PRAGMA journal_mode") == "wal"
        assert await database.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
    again = await open_database(database_target)
    assert await again.fetch_value("SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)
    await again.close()


@BOTH_BACKENDS
async def test_migrations_racing_at_start_apply_once(database_target: Path | str) -> None:
    """Instances starting together: each migration runs once, and every one of them opens."""
    opened = await asyncio.gather(*(open_database(database_target) for _ in range(4)))
    try:
        rows = await opened[0].fetch_all(
            "SELECT version, COUNT(*) AS times FROM schema_migrations GROUP BY version"
        )
        times = {row["version"]: row["times"] for row in rows}
        assert times == dict.fromkeys(range(1, len(MIGRATIONS) + 1), 1)
        for database in opened:
            assert await database.schema_version() == len(MIGRATIONS)
    finally:
        for database in opened:
            await database.close()


@BOTH_BACKENDS
async def test_reopening_keeps_data_and_does_not_migrate_again(
    database_target: Path | str,
) -> None:
    first = await open_database(database_target)
    order = await OrderStore(first, time.time).create(
        remote_id="a" * 64, kind=OrderKind.RECEIVE, user_id=1, chat_id=1, amount_sats=1500,
        invoice="lnbc1", invoice_expires_at=None,
    )  # fmt: skip
    await first.close()
    second = await open_database(database_target)
    assert (await OrderStore(second, time.time).get(order.id)) == order
    await second.close()


@BOTH_BACKENDS
async def test_newer_schema_is_refused(database: Database, database_target: Path | str) -> None:
    await database.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
        (len(MIGRATIONS) + 1, time.time()),
    )
    with pytest.raises(SchemaTooNew, match="newer version"):
        await open_database(database_target)


@BOTH_BACKENDS
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
    assert [o.id for o in await orders.untold(5)] == [order.id]
    order = await orders.update(order.id, shown_number="14155550123", code_message_id=9)
    assert await orders.untold(5) == []
    with pytest.raises(ValueError, match="unknown order columns"):
        await orders.update(order.id, bogus=1)


@BOTH_BACKENDS
async def test_telegram_sized_ids_and_sums(database: Database) -> None:
    """Supergroup ids and message ids past 2**31 fit (PostgreSQL's INTEGER would not)."""
    orders = OrderStore(database, time.time)
    order = await orders.create(
        remote_id="f" * 64, kind=OrderKind.RECEIVE, user_id=7_123_456_789,
        chat_id=-1_002_233_445_566, amount_sats=2_100_000_000_000, invoice="x",
        invoice_expires_at=None, origin_message_id=3_000_000_000,
    )  # fmt: skip
    assert await orders.by_origin(-1_002_233_445_566, 3_000_000_000) == order
    assert order.amount_sats == 2_100_000_000_000


@BOTH_BACKENDS
async def test_balance_paid_orders_start_paid(database: Database) -> None:
    order = await OrderStore(database, time.time).create(
        remote_id="c" * 64, kind=OrderKind.SEND, user_id=1, chat_id=1, amount_sats=3000,
        invoice=None, invoice_expires_at=None, paid_from_balance=True, phone="+14155550123",
        message="hi",
    )  # fmt: skip
    assert order.state is OrderState.PAID
    assert order.paid_at is not None and order.paid_from_balance is True


@BOTH_BACKENDS
async def test_one_order_per_confirmation(database: Database) -> None:
    orders = OrderStore(database, time.time)
    common = {
        "kind": OrderKind.RECEIVE, "user_id": 1, "chat_id": 1, "amount_sats": 1,
        "invoice": "x", "invoice_expires_at": None, "origin_message_id": 9,
    }  # fmt: skip
    await orders.create(remote_id="d" * 64, **common)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        await orders.create(remote_id="e" * 64, **common)  # type: ignore[arg-type]
    assert await orders.count_for_user(1) == 1


@BOTH_BACKENDS
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
    assert await orders.unpaid_open(1) == 3
    assert await orders.created_since(1, time.time() - 60) == 4


@BOTH_BACKENDS
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


@BOTH_BACKENDS
async def test_chat_reachability(database: Database) -> None:
    chats = ChatStore(database, time.time)
    await chats.seen_user(1, "Alice", "alice", "en")
    await chats.seen_user(1, "Alice B", None, "de")
    row = await database.fetch_one("SELECT first_name, username FROM users WHERE user_id = ?", (1,))
    assert row == {"first_name": "Alice B", "username": None}
    await chats.set_chat_status(1, "private", "member")
    await chats.set_chat_status(2, "private", "kicked")
    await chats.set_chat_status(-100, "supergroup", "left", title="Group")
    await chats.set_chat_status(-100, "supergroup", "left")
    assert await database.fetch_value("SELECT title FROM chats WHERE chat_id = ?", (-100,)) == (
        "Group"
    )
    assert await chats.unreachable_chats({1, 2, -100, 3}) == {2, -100}
    assert await chats.unreachable_chats(set()) == set()
    await chats.set_chat_status(2, "private", "member")
    assert await chats.chat_status(2) == "member"
    assert await chats.chat_status(99) is None


@BOTH_BACKENDS
async def test_drafts_and_placements(database: Database) -> None:
    drafts = DraftStore(database, time.time)
    await drafts.start(-100, 1, "+14155550123")
    await drafts.start(-100, 1, "+14155550124")  # replaces the unfinished one
    draft = await drafts.unfinished(-100, 1)
    assert draft is not None and draft.phone == "+14155550124"
    finished = await drafts.finish(draft, "hello 100%", 3000)
    assert await drafts.get(draft.id) == finished
    assert await drafts.unfinished(-100, 1) is None

    placements = PlacementStore(database, time.time)
    assert await placements.begin(-100, 5, 1, OrderKind.SEND) is True
    assert await placements.begin(-100, 5, 1, OrderKind.SEND) is False
    [placement] = await placements.unfinished()
    assert (placement.chat_id, placement.message_id, placement.kind) == (-100, 5, OrderKind.SEND)
    await placements.end(-100, 5)
    assert await placements.unfinished() == []


@BOTH_BACKENDS
async def test_transaction_is_all_or_nothing(database: Database) -> None:
    chats = ChatStore(database, time.time)

    async def insert_then_fail() -> None:
        async with database.transaction() as tx:
            await tx.execute(
                "INSERT INTO chats (chat_id, type, bot_status, updated_at) VALUES (?, ?, ?, ?)",
                (1, "private", "member", 1.0),
            )
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await insert_then_fail()
    assert await chats.chat_status(1) is None
    async with database.transaction() as tx:
        await tx.execute(
            "INSERT INTO chats (chat_id, type, bot_status, updated_at) VALUES (?, ?, ?, ?)",
            (1, "private", "member", 1.0),
        )
        assert await tx.fetch_value("SELECT COUNT(*) FROM chats") == 1
    assert await chats.chat_status(1) == "member"


@BOTH_BACKENDS
async def test_ping(database: Database) -> None:
    await database.ping()
    await database.close()
    with pytest.raises(DatabaseUnavailable, match="does not answer"):
        await database.ping()
    await database.close()  # closing twice is harmless


def test_placeholders_outside_quotes_only() -> None:
    assert format_placeholders("SELECT '?', \"a?\", x FROM t WHERE a = ? -- b?\n AND c = ?") == (
        "SELECT '?', \"a?\", x FROM t WHERE a = %s -- b?\n AND c = %s"
    )
    assert format_placeholders("SELECT '100%' WHERE a LIKE ? || '%'") == (
        "SELECT '100%%' WHERE a LIKE %s || '%%'"
    )


@BOTH_BACKENDS
async def test_unreachable_database_is_one_line_without_password(
    backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        blocker = tmp_path / "file"
        blocker.write_text("")
        target: Path | str = blocker / "bot.db"  # its parent is a file
        expected = str(target)
    else:
        # A port nothing listens on (TCP port 1 needs root to bind, and nobody does here).
        target = "postgresql://bot:hunter2-secret@127.0.0.1:1/sms4sats?connect_timeout=2"
        expected = "sms4sats on 127.0.0.1:1"
    with pytest.raises(DatabaseUnavailable) as caught:
        await open_database(target)
    message = str(caught.value)
    assert "\n" not in message and expected in message
    assert "hunter2" not in message


async def test_sqlite_upgrade_from_user_version(tmp_path: Path) -> None:
    """A SQLite file from before schema_migrations (counted by PRAGMA user_version) upgrades."""
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path) as connection:
        for version, migration in enumerate(MIGRATIONS, start=1):
            await connection.executescript(
                f"BEGIN;\n{migration.script('sqlite')}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        await connection.execute(
            "INSERT INTO chats (chat_id, type, bot_status, updated_at) "
            "VALUES (5, 'private', 'member', 1)"
        )
        await connection.commit()
    database = await open_database(path)
    assert await database.schema_version() == len(MIGRATIONS)
    assert await ChatStore(database, time.time).chat_status(5) == "member"
    await database.close()


async def test_sqlite_newer_user_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaTooNew, match="newer version"):
        await open_database(path)


@BOTH_BACKENDS
async def test_constraint_errors_are_driver_free(database: Database) -> None:
    """The stores see the same exceptions on both backends, never a driver's own."""
    with pytest.raises(IntegrityError):
        await database.execute(
            "INSERT INTO orders (remote_id, kind, user_id, chat_id, state, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("x", "bogus-kind", 1, 1, "paid", 1.0, 1.0),
        )
    with pytest.raises((psycopg.Error, sqlite3.Error)):
        await database.execute("SELECT no_such_column FROM orders")
