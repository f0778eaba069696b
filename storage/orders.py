"""Orders: the source of truth for every order and for what its user has been told."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.domain.clock import Clock
from bot.domain.kinds import rules_for
from bot.domain.orders import Order, OrderKind, OrderState
from storage.database import Database


def order_from_row(row: aiosqlite.Row) -> Order:
    values: dict[str, Any] = dict(zip(row.keys(), row, strict=True))
    values["kind"] = OrderKind(values["kind"])
    values["state"] = OrderState(values["state"])
    values["paid_from_balance"] = bool(values["paid_from_balance"])
    return Order(**values)


_COLUMNS = frozenset(f.name for f in fields(Order)) - {"id"}


class OrderStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self,
        *,
        remote_id: str,
        kind: OrderKind,
        user_id: int,
        chat_id: int,
        amount_sats: int | None,
        invoice: str | None,
        invoice_expires_at: float | None,
        paid_from_balance: bool = False,
        country_code: int | None = None,
        country_name: str | None = None,
        service_code: str | None = None,
        service_name: str | None = None,
        phone: str | None = None,
        message: str | None = None,
        origin_message_id: int | None = None,
    ) -> Order:
        now = self._clock()
        state = rules_for(kind).initial_state(paid_from_balance)
        cursor = await self._db.connection.execute(
            """
            INSERT INTO orders (remote_id, kind, user_id, chat_id, country_code, country_name,
                service_code, service_name, phone, message, amount_sats, invoice,
                invoice_expires_at, paid_from_balance, state, paid_at, origin_message_id,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                remote_id, kind.value, user_id, chat_id, country_code, country_name,
                service_code, service_name, phone, message, amount_sats, invoice,
                invoice_expires_at, int(paid_from_balance), state.value,
                now if paid_from_balance else None, origin_message_id, now, now,
            ),
        )  # fmt: skip
        order_id = cursor.lastrowid
        await cursor.close()
        assert order_id is not None
        order = await self.get(order_id)
        assert order is not None
        return order

    async def get(self, order_id: int) -> Order | None:
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE id = ?", (order_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return order_from_row(row) if row else None

    async def get_by_remote_id(self, remote_id: str) -> Order | None:
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE remote_id = ?", (remote_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return order_from_row(row) if row else None

    async def by_origin(self, chat_id: int, origin_message_id: int) -> Order | None:
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE chat_id = ? AND origin_message_id = ?",
            (chat_id, origin_message_id),
        ) as cursor:
            row = await cursor.fetchone()
        return order_from_row(row) if row else None

    async def open_orders(self, due_at: float | None = None) -> list[Order]:
        """Orders not yet closed (and due for a poll at `due_at`), oldest first, in one query."""
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE closed_at IS NULL "
            "AND (? IS NULL OR next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY id",
            (due_at, due_at),
        ) as cursor:
            rows = await cursor.fetchall()
        return [order_from_row(row) for row in rows]

    async def changed_since(self, since: float) -> list[Order]:
        """Orders written at or after `since` (new ones too, and closed ones), oldest first."""
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE updated_at >= ? ORDER BY id", (since,)
        ) as cursor:
            rows = await cursor.fetchall()
        return [order_from_row(row) for row in rows]

    async def untold(self, chat_id: int) -> list[Order]:
        """Orders of the chat with news its user has not been told (say, while they blocked us)."""
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE chat_id = ? AND ((shown_state IS NOT state) "
            "OR (shown_number IS NOT number) OR (code IS NOT NULL AND code_message_id IS NULL)) "
            "ORDER BY id",
            (chat_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [order for order in map(order_from_row, rows) if order.untold]

    async def unpaid_open(self, user_id: int) -> int:
        """How many invoices of the user are open and unpaid."""
        async with self._db.connection.execute(
            "SELECT COUNT(*) FROM orders WHERE user_id = ? AND closed_at IS NULL AND state = ?",
            (user_id, OrderState.AWAITING_PAYMENT.value),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def created_since(self, user_id: int, since: float) -> int:
        async with self._db.connection.execute(
            "SELECT COUNT(*) FROM orders WHERE user_id = ? AND created_at >= ?", (user_id, since)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def for_user(self, user_id: int, limit: int = 10, offset: int = 0) -> list[Order]:
        async with self._db.connection.execute(
            "SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        ) as cursor:
            rows = await cursor.fetchall()
        return [order_from_row(row) for row in rows]

    async def count_for_user(self, user_id: int) -> int:
        async with self._db.connection.execute(
            "SELECT COUNT(*) FROM orders WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def update(self, order_id: int, **changes: Any) -> Order:
        """Write `changes` (column=value) and return the order as stored."""
        unknown = set(changes) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown order columns: {sorted(unknown)}")
        changes["updated_at"] = self._clock()
        values = [v.value if isinstance(v, StrEnum) else v for v in changes.values()]
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self._db.connection.execute(
            f"UPDATE orders SET {assignments} WHERE id = ?",  # column names come from _COLUMNS
            (*values, order_id),
        )
        order = await self.get(order_id)
        if order is None:
            raise LookupError(f"order {order_id} does not exist")
        return order
