"""Orders: the source of truth for every order and for what its user has been told."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bot.domain.clock import Clock
from bot.domain.kinds import rules_for
from bot.domain.orders import Order, OrderKind, OrderState
from storage.database import Database, Row


def order_from_row(row: Row) -> Order:
    values = dict(row)
    values["kind"] = OrderKind(values["kind"])
    values["state"] = OrderState(values["state"])
    values["paid_from_balance"] = bool(values["paid_from_balance"])
    values["real_phone"] = bool(values["real_phone"])
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
        real_phone: bool = False,
        rental_weeks: int | None = None,
    ) -> Order:
        now = self._clock()
        state = rules_for(kind).initial_state(paid_from_balance)
        order_id = await self._db.insert(
            """
            INSERT INTO orders (remote_id, kind, user_id, chat_id, country_code, country_name,
                service_code, service_name, phone, message, amount_sats, invoice,
                invoice_expires_at, paid_from_balance, state, paid_at, origin_message_id,
                created_at, updated_at, real_phone, rental_weeks)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                remote_id, kind.value, user_id, chat_id, country_code, country_name,
                service_code, service_name, phone, message, amount_sats, invoice,
                invoice_expires_at, paid_from_balance, state.value,
                now if paid_from_balance else None, origin_message_id, now, now,
                int(real_phone), rental_weeks,
            ),
        )  # fmt: skip
        order = await self.get(order_id)
        assert order is not None
        return order

    async def get(self, order_id: int) -> Order | None:
        row = await self._db.fetch_one("SELECT * FROM orders WHERE id = ?", (order_id,))
        return order_from_row(row) if row else None

    async def get_by_remote_id(self, remote_id: str) -> Order | None:
        row = await self._db.fetch_one("SELECT * FROM orders WHERE remote_id = ?", (remote_id,))
        return order_from_row(row) if row else None

    async def by_origin(self, chat_id: int, origin_message_id: int) -> Order | None:
        row = await self._db.fetch_one(
            "SELECT * FROM orders WHERE chat_id = ? AND origin_message_id = ?",
            (chat_id, origin_message_id),
        )
        return order_from_row(row) if row else None

    async def open_orders(self, due_at: float | None = None) -> list[Order]:
        """Orders not yet closed (and due for a poll at `due_at`), oldest first, in one query."""
        if due_at is None:
            rows = await self._db.fetch_all(
                "SELECT * FROM orders WHERE closed_at IS NULL ORDER BY id"
            )
        else:
            rows = await self._db.fetch_all(
                "SELECT * FROM orders WHERE closed_at IS NULL "
                "AND (next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY id",
                (due_at,),
            )
        return [order_from_row(row) for row in rows]

    async def open_counts(self) -> dict[tuple[str, str], int]:
        """How many orders are not yet closed, by (kind, state)."""
        rows = await self._db.fetch_all(
            "SELECT kind, state, COUNT(*) AS n FROM orders WHERE closed_at IS NULL "
            "GROUP BY kind, state"
        )
        return {(str(row["kind"]), str(row["state"])): int(row["n"]) for row in rows}

    async def changed_since(self, since: float) -> list[Order]:
        """Orders written at or after `since` (new ones too, and closed ones), oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM orders WHERE updated_at >= ? ORDER BY id", (since,)
        )
        return [order_from_row(row) for row in rows]

    async def untold(self, chat_id: int) -> list[Order]:
        """Orders of the chat with news its user has not been told (say, while they blocked us)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM orders WHERE chat_id = ? AND ((shown_state IS DISTINCT FROM state) "
            "OR (shown_number IS DISTINCT FROM number) "
            "OR (code IS NOT NULL AND code_message_id IS NULL) "
            "OR (warn_requested_at IS NOT NULL AND warned_at IS NULL) "
            "OR (sms_settled < sms_count) OR (shown_sms <> sms_count)) "
            "ORDER BY id",
            (chat_id,),
        )
        return [order for order in map(order_from_row, rows) if order.untold]

    async def open_for_person(self, chat_id: int, user_id: int) -> list[Order]:
        """The person's orders in the chat that have not ended, newest first."""
        finals = tuple(state.value for state in OrderState if state.is_final)
        marks = ", ".join("?" for _ in finals)
        rows = await self._db.fetch_all(
            f"SELECT * FROM orders WHERE chat_id = ? AND user_id = ? AND closed_at IS NULL "
            f"AND state NOT IN ({marks}) ORDER BY id DESC",  # marks: one "?" per final state
            (chat_id, user_id, *finals),
        )
        return [order_from_row(row) for row in rows]

    async def unpaid_open(self, user_id: int) -> int:
        """How many invoices of the user are open and unpaid."""
        return int(
            await self._db.fetch_value(
                "SELECT COUNT(*) FROM orders WHERE user_id = ? AND closed_at IS NULL AND state = ?",
                (user_id, OrderState.AWAITING_PAYMENT.value),
            )
        )

    async def created_since(self, user_id: int, since: float) -> int:
        return int(
            await self._db.fetch_value(
                "SELECT COUNT(*) FROM orders WHERE user_id = ? AND created_at >= ?",
                (user_id, since),
            )
        )

    async def for_user(self, user_id: int, limit: int = 10, offset: int = 0) -> list[Order]:
        rows = await self._db.fetch_all(
            "SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [order_from_row(row) for row in rows]

    async def count_for_user(self, user_id: int) -> int:
        return int(
            await self._db.fetch_value("SELECT COUNT(*) FROM orders WHERE user_id = ?", (user_id,))
        )

    async def count_code_send(self, order: Order) -> Order | None:
        """Count one more attempt at sending the order's code, unless one was counted since
        `order` was read (by another instance, which is sending it): then None."""
        changed = await self._db.execute(
            "UPDATE orders SET code_sends = ?, updated_at = ? "
            "WHERE id = ? AND code_sends = ? AND code_message_id IS NULL",
            (order.code_sends + 1, self._clock(), order.id, order.code_sends),
        )
        return await self.get(order.id) if changed else None

    async def uncount_code_send(self, order: Order) -> Order | None:
        """Take back the attempt counted as `order.code_sends`: it certainly did not arrive.
        Only if nothing changed since (no other attempt counted, no code message stored)."""
        changed = await self._db.execute(
            "UPDATE orders SET code_sends = ?, updated_at = ? "
            "WHERE id = ? AND code_sends = ? AND code_message_id IS NULL",
            (order.code_sends - 1, self._clock(), order.id, order.code_sends),
        )
        return await self.get(order.id) if changed else None

    async def unmark_warned(self, order: Order) -> Order | None:
        """Take back the warning recorded as sent at `order.warned_at`: it did not arrive."""
        changed = await self._db.execute(
            "UPDATE orders SET warned_at = NULL, updated_at = ? WHERE id = ? AND warned_at = ?",
            (self._clock(), order.id, order.warned_at),
        )
        return await self.get(order.id) if changed else None

    async def mark_warned(self, order: Order) -> Order | None:
        """Record the expiry warning as sent, unless it already was (by another instance, or
        a button press on this one): then None, and it is not sent again."""
        now = self._clock()
        changed = await self._db.execute(
            "UPDATE orders SET warned_at = ?, updated_at = ? WHERE id = ? AND warned_at IS NULL",
            (now, now, order.id),
        )
        return await self.get(order.id) if changed else None

    async def update(self, order_id: int, **changes: Any) -> Order:
        """Write `changes` (column=value) and return the order as stored."""
        unknown = set(changes) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown order columns: {sorted(unknown)}")
        changes["updated_at"] = self._clock()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self._db.execute(
            f"UPDATE orders SET {assignments} WHERE id = ?",  # column names come from _COLUMNS
            (*changes.values(), order_id),
        )
        order = await self.get(order_id)
        if order is None:
            raise LookupError(f"order {order_id} does not exist")
        return order
