"""Watches ("tell me when it's back") in the database: they outlive restarts, and when several
instances share a PostgreSQL database exactly one tells each (a compare-and-set on `told_at`)."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.watches import Watch
from storage.database import Database, Row

_COLUMNS = "id, user_id, chat_id, country_code, service_code, service_name, created_at, expires_at"


def _watch(row: Row) -> Watch:
    return Watch(**dict(row))


class WatchStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(
        self,
        user_id: int,
        chat_id: int,
        country_code: int,
        service_code: str,
        service_name: str | None,
        lasts: float,
        most: int,
    ) -> bool | None:
        """Watch it for `lasts` seconds from now (again, if it was watched already: the day
        starts anew). True when it is new, False when it was renewed, None when the person
        watches `most` other things already."""
        now = self._clock()
        async with self._db.transaction() as session:
            renewed = await session.execute(
                "UPDATE watches SET chat_id = ?, created_at = ?, expires_at = ?, told_at = NULL "
                "WHERE user_id = ? AND country_code = ? AND service_code = ?",
                (chat_id, now, now + lasts, user_id, country_code, service_code),
            )
            if renewed:
                return False
            count = await session.fetch_value(
                "SELECT COUNT(*) FROM watches WHERE user_id = ? AND told_at IS NULL "
                "AND expires_at > ?",
                (user_id, now),
            )
            if int(count or 0) >= most:
                return None
            await session.execute(
                "DELETE FROM watches WHERE user_id = ? AND country_code = ? AND service_code = ?",
                (user_id, country_code, service_code),
            )
            await session.insert(
                "INSERT INTO watches (user_id, chat_id, country_code, service_code, "
                "service_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, chat_id, country_code, service_code, service_name, now, now + lasts),
            )
        return True

    async def active(self) -> list[Watch]:
        """Every watch still running and not told, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM watches WHERE told_at IS NULL AND expires_at > ? ORDER BY id",
            (self._clock(),),
        )
        return [_watch(row) for row in rows]

    async def for_user(self, user_id: int) -> list[Watch]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM watches WHERE user_id = ? AND told_at IS NULL "
            "AND expires_at > ? ORDER BY id",
            (user_id, self._clock()),
        )
        return [_watch(row) for row in rows]

    async def claim(self, watch_id: int) -> bool:
        """Take the watch to tell it: True for exactly one caller, and only while it runs."""
        now = self._clock()
        claimed = await self._db.execute(
            "UPDATE watches SET told_at = ? WHERE id = ? AND told_at IS NULL AND expires_at > ?",
            (now, watch_id, now),
        )
        return claimed > 0

    async def release(self, watch_id: int) -> None:
        """Telling it failed for now: it runs on, to be told at the next chance."""
        await self._db.execute("UPDATE watches SET told_at = NULL WHERE id = ?", (watch_id,))

    async def done(self, watch_id: int) -> None:
        await self._db.execute("DELETE FROM watches WHERE id = ?", (watch_id,))

    async def end_expired(self) -> int:
        """Forget the watches whose day is over (never told: the person was told the limit)."""
        return await self._db.execute("DELETE FROM watches WHERE expires_at <= ?", (self._clock(),))
