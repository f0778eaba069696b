"""Small facts the bot must remember across restarts, by key (say, whether an alert fired)."""

from __future__ import annotations

from bot.domain.clock import Clock
from storage.database import Database


class BotStateStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def get(self, key: str) -> str | None:
        async with self._db.connection.execute(
            "SELECT value FROM bot_state WHERE key = ?", (key,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self._db.connection.execute(
            "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            (key, value, self._clock()),
        )

    async def delete(self, key: str) -> None:
        await self._db.connection.execute("DELETE FROM bot_state WHERE key = ?", (key,))
