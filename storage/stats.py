"""Aggregates for the operator's /stats, and the orders of a period for its CSV export.

A handful of aggregate queries per view, each filtered on `created_at` (indexed): an order
belongs to the period it was created in. The SQL is plain standard SQL (CASE, COUNT, SUM,
GROUP BY, LIMIT/OFFSET) so it runs unchanged on SQLite and PostgreSQL (the chart's day number
aside); the median is found with COUNT then OFFSET instead of a database-specific percentile
function.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.domain.kinds import KINDS
from bot.domain.orders import OrderKind, OrderState
from bot.domain.stats import DayOutcome, OrderGroup, OrderRecord, Stats, TopRow
from storage.database import Database

TOP_ROWS = 5


SECONDS_PER_DAY = 86_400

# Which kinds each figure counts: their rules say (`in_sales`, `in_code_stats`).
_SALES = tuple(kind.value for kind, rules in KINDS.items() if rules.in_sales)
_CODES = tuple(kind.value for kind, rules in KINDS.items() if rules.in_code_stats)


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
            "COUNT(*) AS orders, COALESCE(SUM(amount_sats), 0) AS sats FROM orders "
            f"WHERE {_since('created_at')} "
            "GROUP BY kind, state, paid_from_balance, CASE WHEN paid_at IS NULL THEN 0 ELSE 1 END"
        )
        rows = await self._db.fetch_all(sql, _args(since))
        return tuple(
            OrderGroup(
                kind=OrderKind(row["kind"]),
                state=OrderState(row["state"]),
                paid_from_balance=bool(row["paid_from_balance"]),
                paid=bool(row["paid"]),
                count=int(row["orders"]),
                sats=int(row["sats"]),
            )
            for row in rows
        )

    async def _median_seconds_to_code(self, since: float | None) -> float | None:
        where = (
            f"kind IN ({_marks(_CODES)}) AND state = ? AND paid_at IS NOT NULL "
            f"AND code_at IS NOT NULL AND {_since('created_at')}"
        )
        args = (*_CODES, OrderState.COMPLETED.value, *_args(since))
        count = int(await self._db.fetch_value(f"SELECT COUNT(*) FROM orders WHERE {where}", args))
        if count == 0:
            return None
        # The middle one (odd count) or the middle two (even count), found by the database.
        rows = await self._db.fetch_all(
            f"SELECT code_at - paid_at AS waited FROM orders WHERE {where} "
            "ORDER BY waited LIMIT ? OFFSET ?",
            (*args, 2 - count % 2, (count - 1) // 2),
        )
        middle = [float(row["waited"]) for row in rows]
        return sum(middle) / len(middle)

    async def _top(
        self, column: str, name: str, since: float | None, limit: int
    ) -> tuple[TopRow, ...]:
        """Grouped by code (what sms4sats is asked for); `name` is its sms4sats spelling."""
        # `column` and `name` are names this module passes, never user input.
        sql = (
            f"SELECT {column} AS code, MAX({name}) AS raw_name, COUNT(*) AS orders, "
            "SUM(CASE WHEN paid_at IS NOT NULL THEN 1 ELSE 0 END) AS paid, "
            "SUM(CASE WHEN state = ? THEN 1 ELSE 0 END) AS completed "
            f"FROM orders WHERE kind IN ({_marks(_CODES)}) AND {column} IS NOT NULL "
            f"AND {_since('created_at')} "
            f"GROUP BY {column} ORDER BY orders DESC, {column} LIMIT ?"
        )
        args = (OrderState.COMPLETED.value, *_CODES, *_args(since), limit)
        rows = await self._db.fetch_all(sql, args)
        return tuple(
            TopRow(
                str(r["code"]), int(r["orders"]), int(r["paid"]), int(r["completed"]),
                raw_name=r["raw_name"],
            )
            for r in rows
        )  # fmt: skip

    async def _users(self, since: float | None) -> dict[str, int]:
        row = await self._db.fetch_one(
            "SELECT "
            f"SUM(CASE WHEN {_since('first_seen')} THEN 1 ELSE 0 END) AS new_users, "
            f"SUM(CASE WHEN {_since('last_seen')} THEN 1 ELSE 0 END) AS active_users, "
            "COUNT(*) AS all_users FROM users",
            (*_args(since), *_args(since)),
        )
        keys = ("new_users", "active_users", "all_users")
        return {key: int((row or {}).get(key) or 0) for key in keys}

    async def per_day(self, since: float | None) -> list[DayOutcome]:
        """The /stats chart's figures: per UTC day and outcome, oldest day first. One grouped
        statement on the created_at index, whatever the number of orders.

        An order its kind counts as delivered (`KindRules.delivered`: a rental once its number
        came) is a COMPLETED outcome, with its sats, as the report's "Sales" counts it."""
        # The day's number, rounded down: SQLite's CAST truncates (timestamps are positive)
        # where PostgreSQL's would round, so each has its own spelling.
        if self._db.dialect == "postgresql":
            day = f"CAST(FLOOR(created_at / {SECONDS_PER_DAY}) AS BIGINT)"
        else:
            day = f"CAST(created_at / {SECONDS_PER_DAY} AS INTEGER)"
        # Grouped by kind too: which states are delivered is each kind's rule, applied below
        # (a handful of rows per day, never one per order).
        rows = await self._db.fetch_all(
            f"SELECT {day} AS day, kind, state, "
            "COUNT(*) AS orders, "
            "COALESCE(SUM(CASE WHEN paid_from_balance = 0 THEN amount_sats ELSE 0 END), 0) "
            "AS invoiced "
            f"FROM orders WHERE kind IN ({_marks(_SALES)}) AND {_since('created_at')} "
            "GROUP BY day, kind, state",
            (*_SALES, *_args(since)),
        )
        outcomes: dict[tuple[int, OrderState], tuple[int, int]] = {}
        for r in rows:
            state = OrderState(r["state"])
            delivered = state in KINDS[OrderKind(r["kind"])].delivered
            key = (int(r["day"]), OrderState.COMPLETED if delivered else state)
            orders, sats = outcomes.get(key, (0, 0))
            # Sales are what delivered orders were paid by invoice, as the report counts them.
            invoiced = int(r["invoiced"]) if delivered else 0
            outcomes[key] = (orders + int(r["orders"]), sats + invoiced)
        return [
            DayOutcome(day, state, orders, sats)
            for (day, state), (orders, sats) in sorted(
                outcomes.items(), key=lambda item: (item[0][0], item[0][1].value)
            )
        ]

    async def orders(self, since: float | None) -> AsyncIterator[OrderRecord]:
        """The orders of the period, oldest first, streamed (a year of orders is a big list)."""
        # Read in pages by id, so a year of orders never sits in memory at once.
        after = -1
        while True:
            rows = await self._db.fetch_all(
                "SELECT id, created_at, kind, state, user_id, country_name, service_name, "
                "amount_sats, paid_from_balance, paid_at, number_at, code_at, closed_at "
                f"FROM orders WHERE {_since('created_at')} AND id > ? ORDER BY id LIMIT ?",
                (*_args(since), after, CSV_PAGE),
            )
            for row in rows:
                yield OrderRecord(
                    id=int(row["id"]),
                    created_at=float(row["created_at"]),
                    kind=str(row["kind"]),
                    state=str(row["state"]),
                    user_id=int(row["user_id"]),
                    country=row["country_name"],
                    service=row["service_name"],
                    amount_sats=row["amount_sats"],
                    paid_from_balance=bool(row["paid_from_balance"]),
                    paid_at=row["paid_at"],
                    number_at=row["number_at"],
                    code_at=row["code_at"],
                    closed_at=row["closed_at"],
                )
            if len(rows) < CSV_PAGE:
                return
            after = int(rows[-1]["id"])

    async def balance_activity(self) -> float | None:
        """When an order paid from the prepaid balance, or a top-up, last changed: the balance
        watch reads the balance again when this moves (partial index, one row read)."""
        value = await self._db.fetch_value(
            "SELECT MAX(updated_at) FROM orders WHERE paid_from_balance = 1 OR kind = 'fund'"
        )
        return float(value) if value is not None else None


# Orders read at once for the CSV.
CSV_PAGE = 5000


def _since(column: str) -> str:
    return f"{column} >= ?"


def _args(since: float | None) -> tuple[float]:
    # "All time" keeps the same statement with a bound every row passes (timestamps are epoch
    # seconds), so each view runs the same few statements.
    return (since if since is not None else 0.0,)


def _marks(values: tuple[str, ...]) -> str:
    """One placeholder per value, for `IN (...)`."""
    return ", ".join("?" * len(values))
