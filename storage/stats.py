"""Aggregates for the operator's /stats, and the orders of a period for its CSV export.

A handful of aggregate queries per view, each filtered on `created_at` (indexed): an order
belongs to the period it was created in. The SQL is plain standard SQL (CASE, COUNT, SUM,
GROUP BY, LIMIT/OFFSET) so it runs unchanged on SQLite and PostgreSQL; the median is found with
COUNT then OFFSET instead of a database-specific percentile function.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.domain.orders import OrderKind, OrderState
from storage.database import Database

TOP_ROWS = 5


@dataclass(frozen=True, slots=True)
class OrderGroup:
    """Orders of one kind, state and way of paying, counted and summed. An order paid from
    the prepaid balance never had an invoice; every other order had one."""

    kind: OrderKind
    state: OrderState
    paid_from_balance: bool
    paid: bool
    count: int
    sats: int


@dataclass(frozen=True, slots=True)
class TopRow:
    name: str
    """The country or service code, until the Telegram layer names it."""
    orders: int
    paid: int
    completed: int
    raw_name: str | None = None

    @property
    def success_rate(self) -> float | None:
        """Codes delivered out of numbers paid for; None before anything was paid."""
        return self.completed / self.paid if self.paid else None


@dataclass(frozen=True, slots=True)
class Stats:
    groups: tuple[OrderGroup, ...]
    median_seconds_to_code: float | None
    top_countries: tuple[TopRow, ...]
    top_services: tuple[TopRow, ...]
    new_users: int
    active_users: int
    all_users: int

    def count(
        self,
        *,
        kind: OrderKind | None = None,
        states: frozenset[OrderState] | None = None,
        paid: bool | None = None,
        from_balance: bool | None = None,
    ) -> int:
        return sum(g.count for g in self._select(kind, states, paid, from_balance))

    def sats(
        self,
        *,
        kind: OrderKind | None = None,
        states: frozenset[OrderState] | None = None,
        from_balance: bool | None = None,
    ) -> int:
        return sum(g.sats for g in self._select(kind, states, None, from_balance))

    def _select(
        self,
        kind: OrderKind | None,
        states: frozenset[OrderState] | None,
        paid: bool | None,
        from_balance: bool | None,
    ) -> list[OrderGroup]:
        return [
            g
            for g in self.groups
            if (kind is None or g.kind is kind)
            and (states is None or g.state in states)
            and (paid is None or g.paid is paid)
            and (from_balance is None or g.paid_from_balance is from_balance)
        ]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order as the CSV shows it: no invoice, no sms4sats order id (anyone holding it can
    read the code), no code, no phone number and no SMS text."""

    id: int
    created_at: float
    kind: str
    state: str
    user_id: int
    country: str | None
    service: str | None
    amount_sats: int | None
    paid_from_balance: bool
    paid_at: float | None
    number_at: float | None
    code_at: float | None
    closed_at: float | None


class StatsStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def stats(self, since: float | None, *, top: int = TOP_ROWS) -> Stats:
        """Everything /stats shows for orders created at or after `since` (None: all time)."""
        groups = await self._groups(since)
        return Stats(
            groups=groups,
            median_seconds_to_code=await self._median_seconds_to_code(since),
            top_countries=await self._top("country_code", "country_name", since, top),
            top_services=await self._top("service_code", "service_name", since, top),
            **await self._users(since),
        )

    async def _groups(self, since: float | None) -> tuple[OrderGroup, ...]:
        sql = (
            "SELECT kind, state, paid_from_balance, "
            "CASE WHEN paid_at IS NULL THEN 0 ELSE 1 END AS paid, "
            "COUNT(*), COALESCE(SUM(amount_sats), 0) FROM orders "
            f"WHERE {_since('created_at')} "
            "GROUP BY kind, state, paid_from_balance, CASE WHEN paid_at IS NULL THEN 0 ELSE 1 END"
        )
        async with self._db.connection.execute(sql, _args(since)) as cursor:
            rows = await cursor.fetchall()
        return tuple(
            OrderGroup(
                kind=OrderKind(row[0]),
                state=OrderState(row[1]),
                paid_from_balance=bool(row[2]),
                paid=bool(row[3]),
                count=int(row[4]),
                sats=int(row[5]),
            )
            for row in rows
        )

    async def _median_seconds_to_code(self, since: float | None) -> float | None:
        where = (
            "kind = ? AND state = ? AND paid_at IS NOT NULL AND code_at IS NOT NULL "
            f"AND {_since('created_at')}"
        )
        args = (OrderKind.RECEIVE.value, OrderState.COMPLETED.value, *_args(since))
        async with self._db.connection.execute(
            f"SELECT COUNT(*) FROM orders WHERE {where}", args
        ) as cursor:
            row = await cursor.fetchone()
        count = int(row[0]) if row else 0
        if count == 0:
            return None
        # The middle one (odd count) or the middle two (even count), found by the database.
        async with self._db.connection.execute(
            f"SELECT code_at - paid_at AS waited FROM orders WHERE {where} "
            "ORDER BY waited LIMIT ? OFFSET ?",
            (*args, 2 - count % 2, (count - 1) // 2),
        ) as cursor:
            middle = [float(r[0]) for r in await cursor.fetchall()]
        return sum(middle) / len(middle)

    async def _top(
        self, column: str, name: str, since: float | None, limit: int
    ) -> tuple[TopRow, ...]:
        """Grouped by code (what sms4sats is asked for); `name` is its sms4sats spelling."""
        # `column` and `name` are names this module passes, never user input.
        sql = (
            f"SELECT {column}, MAX({name}), COUNT(*) AS orders, "
            "SUM(CASE WHEN paid_at IS NOT NULL THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN state = ? THEN 1 ELSE 0 END) "
            f"FROM orders WHERE kind = ? AND {column} IS NOT NULL "
            f"AND {_since('created_at')} "
            f"GROUP BY {column} ORDER BY orders DESC, {column} LIMIT ?"
        )
        args = (OrderState.COMPLETED.value, OrderKind.RECEIVE.value, *_args(since), limit)
        async with self._db.connection.execute(sql, args) as cursor:
            rows = await cursor.fetchall()
        return tuple(
            TopRow(str(r[0]), int(r[2]), int(r[3]), int(r[4]), raw_name=r[1]) for r in rows
        )

    async def _users(self, since: float | None) -> dict[str, int]:
        async with self._db.connection.execute(
            "SELECT "
            f"SUM(CASE WHEN {_since('first_seen')} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {_since('last_seen')} THEN 1 ELSE 0 END), "
            "COUNT(*) FROM users",
            (*_args(since), *_args(since)),
        ) as cursor:
            row = await cursor.fetchone()
        values = [int(v or 0) for v in row] if row else [0, 0, 0]
        return {"new_users": values[0], "active_users": values[1], "all_users": values[2]}

    async def orders(self, since: float | None) -> AsyncIterator[OrderRecord]:
        """The orders of the period, oldest first, streamed (a year of orders is a big list)."""
        async with self._db.connection.execute(
            "SELECT id, created_at, kind, state, user_id, country_name, service_name, "
            "amount_sats, paid_from_balance, paid_at, number_at, code_at, closed_at "
            f"FROM orders WHERE {_since('created_at')} ORDER BY created_at, id",
            _args(since),
        ) as cursor:
            async for row in cursor:
                yield OrderRecord(
                    id=int(row[0]),
                    created_at=float(row[1]),
                    kind=str(row[2]),
                    state=str(row[3]),
                    user_id=int(row[4]),
                    country=row[5],
                    service=row[6],
                    amount_sats=row[7],
                    paid_from_balance=bool(row[8]),
                    paid_at=row[9],
                    number_at=row[10],
                    code_at=row[11],
                    closed_at=row[12],
                )

    async def balance_activity(self) -> float | None:
        """When an order paid from the prepaid balance, or a top-up, last changed: the balance
        watch reads the balance again when this moves (partial index, one row read)."""
        async with self._db.connection.execute(
            "SELECT MAX(updated_at) FROM orders WHERE paid_from_balance = 1 OR kind = 'fund'"
        ) as cursor:
            row = await cursor.fetchone()
        return float(row[0]) if row and row[0] is not None else None


def _since(column: str) -> str:
    return f"{column} >= ?"


def _args(since: float | None) -> tuple[float]:
    # "All time" keeps the same statement with a bound every row passes (timestamps are epoch
    # seconds), so each view runs the same few statements.
    return (since if since is not None else 0.0,)
