"""The outbox: which parts of which orders their users are still to be told, and how urgently.

A row says *that* something is to be told, never *what*: the tell reads the order itself, so
requests for one order coalesce and only its newest state is sent. What was told is written on
the order (shown_state, code_message_id); a row outliving its tell (a kill in between) costs
one look at the order and no message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from bot.domain.clock import Clock
from storage.database import Database


class Part(StrEnum):
    CODE = "code"
    CARD = "card"
    WARNING = "warning"


class Priority(IntEnum):
    """Lower goes first."""

    CODE = 0
    WAITED_FOR = 1  # paid, a number, a refund: the user is waiting for it
    COSMETIC = 2  # an edit nobody waits for (the card of a delivered code, an expired invoice)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    order_id: int
    part: Part
    chat_id: int
    priority: Priority
    due_at: float


class OutboxStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def put(self, entry: OutboxEntry) -> None:
        """Add the entry, or merge it into the one already there (the more urgent priority)."""
        # Standard upsert (SQLite 3.24+, PostgreSQL); CASE rather than MIN/LEAST, which differ.
        await self._db.execute(
            """
            INSERT INTO outbox (order_id, part, chat_id, priority, due_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (order_id, part) DO UPDATE SET
                priority = CASE WHEN excluded.priority < outbox.priority
                                THEN excluded.priority ELSE outbox.priority END,
                due_at = excluded.due_at
            """,
            (entry.order_id, entry.part.value, entry.chat_id, int(entry.priority), entry.due_at,
             self._clock()),
        )  # fmt: skip

    async def remove(self, order_id: int, part: Part) -> None:
        await self._db.execute(
            "DELETE FROM outbox WHERE order_id = ? AND part = ?", (order_id, part.value)
        )

    async def pending(self) -> list[OutboxEntry]:
        """Every entry, most urgent first."""
        rows = await self._db.fetch_all(
            "SELECT order_id, part, chat_id, priority, due_at FROM outbox "
            "ORDER BY priority, due_at, order_id"
        )
        return [
            OutboxEntry(
                int(r["order_id"]), Part(r["part"]), int(r["chat_id"]),
                Priority(int(r["priority"])), float(r["due_at"]),
            )
            for r in rows
        ]  # fmt: skip
