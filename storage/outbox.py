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
from storage.database import Database, Row


class Part(StrEnum):
    CODE = "code"
    CARD = "card"
    WARNING = "warning"
    SMS = "sms"  # a rental's SMS, each its own message


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

    # Sharing the outbox between instances (PostgreSQL): a row is sent by the instance that
    # holds its claim; a claim runs out at `claimed_until` unless its holder's heartbeat renews it.

    async def put_claimed(self, entry: OutboxEntry, instance_id: str, until: float) -> bool:
        """`put`, claiming the row for `instance_id` unless another live instance holds it;
        whether this instance holds it now."""
        now = self._clock()
        holder = await self._db.fetch_value(
            """
            INSERT INTO outbox (order_id, part, chat_id, priority, due_at, created_at,
                claimed_by, claimed_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (order_id, part) DO UPDATE SET
                priority = CASE WHEN excluded.priority < outbox.priority
                                THEN excluded.priority ELSE outbox.priority END,
                due_at = excluded.due_at,
                claimed_by = CASE WHEN outbox.claimed_by IS NULL
                                    OR outbox.claimed_by = excluded.claimed_by
                                    OR outbox.claimed_until < ?
                                  THEN excluded.claimed_by ELSE outbox.claimed_by END,
                claimed_until = CASE WHEN outbox.claimed_by IS NULL
                                    OR outbox.claimed_by = excluded.claimed_by
                                    OR outbox.claimed_until < ?
                                  THEN excluded.claimed_until ELSE outbox.claimed_until END
            RETURNING claimed_by
            """,
            (entry.order_id, entry.part.value, entry.chat_id, int(entry.priority), entry.due_at,
             now, instance_id, until, now, now),
        )  # fmt: skip
        return bool(holder == instance_id)

    async def hold(self, order_id: int, part: Part, instance_id: str, until: float) -> bool:
        """Right before sending: whether the row is still this instance's (claimed again until
        `until`). False when another instance took it over, or it is gone (told)."""
        changed = await self._db.execute(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? "
            "WHERE order_id = ? AND part = ? "
            "AND (claimed_by IS NULL OR claimed_by = ? OR claimed_until < ?)",
            (instance_id, until, order_id, part.value, instance_id, self._clock()),
        )
        return changed == 1

    async def remove_claimed(self, order_id: int, part: Part, instance_id: str) -> None:
        """Told: the row goes, unless another instance has taken it over meanwhile."""
        await self._db.execute(
            "DELETE FROM outbox WHERE order_id = ? AND part = ? AND claimed_by = ?",
            (order_id, part.value, instance_id),
        )

    async def claim_free(
        self, instance_id: str, until: float, *, instances: int, rank: int, limit: int = 500
    ) -> list[OutboxEntry]:
        """Rows nobody holds (never claimed, or the claim ran out: its instance died) of the
        chats this instance serves (`abs(chat_id) % instances == rank`), now claimed by it."""
        now = self._clock()
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT order_id, part, chat_id, priority, due_at FROM outbox "
                "WHERE (claimed_by IS NULL OR claimed_until < ?) AND MOD(ABS(chat_id), ?) = ? "
                "ORDER BY priority, due_at LIMIT ? FOR UPDATE SKIP LOCKED",
                (now, instances, rank, limit),
            )
            if rows:
                await tx.execute(
                    "UPDATE outbox SET claimed_by = ?, claimed_until = ? "
                    "FROM unnest(?::bigint[], ?::text[]) AS taken(order_id, part) "
                    "WHERE outbox.order_id = taken.order_id AND outbox.part = taken.part",
                    (instance_id, until, [r["order_id"] for r in rows], [r["part"] for r in rows]),
                )
        return [_entry(r) for r in rows]

    async def pending(self) -> list[OutboxEntry]:
        """Every entry, most urgent first."""
        rows = await self._db.fetch_all(
            "SELECT order_id, part, chat_id, priority, due_at FROM outbox "
            "ORDER BY priority, due_at, order_id"
        )
        return [_entry(r) for r in rows]


def _entry(row: Row) -> OutboxEntry:
    return OutboxEntry(
        int(row["order_id"]), Part(row["part"]), int(row["chat_id"]),
        Priority(int(row["priority"])), float(row["due_at"]),
    )  # fmt: skip
