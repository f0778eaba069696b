"""Conversations in progress (/send's typed steps), per person, in the database.

Not in PTB's ConversationHandler's memory: the next message of a person may reach the bot after
a restart, or reach another instance, and must still be read as the step it answers.
"""

from __future__ import annotations

from bot.domain.clock import Clock
from storage.database import Database


class ConversationStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def begin(self, chat_id: int, user_id: int, step: str, lasts: float) -> None:
        """The person's conversation is at `step` now, for `lasts` seconds."""
        await self._db.execute(
            "INSERT INTO conversations (chat_id, user_id, step, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id, user_id) DO UPDATE SET step = excluded.step, "
            "expires_at = excluded.expires_at",
            (chat_id, user_id, step, self._clock() + lasts),
        )

    async def step_of(self, chat_id: int, user_id: int) -> str | None:
        """The step the person's next message answers, unless it timed out."""
        value = await self._db.fetch_value(
            "SELECT step FROM conversations WHERE chat_id = ? AND user_id = ? AND expires_at > ?",
            (chat_id, user_id, self._clock()),
        )
        return str(value) if value is not None else None

    async def end(self, chat_id: int, user_id: int) -> bool:
        """End it; whether one was open (and not timed out)."""
        ended = await self._db.execute(
            "DELETE FROM conversations WHERE chat_id = ? AND user_id = ? AND expires_at > ?",
            (chat_id, user_id, self._clock()),
        )
        await self._db.execute(
            "DELETE FROM conversations WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return ended > 0

    async def timed_out(self) -> list[tuple[int, int]]:
        rows = await self._db.fetch_all(
            "SELECT chat_id, user_id FROM conversations WHERE expires_at <= ?", (self._clock(),)
        )
        return [(int(row["chat_id"]), int(row["user_id"])) for row in rows]

    async def end_timed_out(self, chat_id: int, user_id: int) -> bool:
        """End one that timed out; False when it moved on or another instance ended it first,
        so only one says it timed out."""
        ended = await self._db.execute(
            "DELETE FROM conversations WHERE chat_id = ? AND user_id = ? AND expires_at <= ?",
            (chat_id, user_id, self._clock()),
        )
        return ended > 0
