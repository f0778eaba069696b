"""Users the bot has met and chats it is in (or was removed from)."""

from __future__ import annotations

from bot.domain.clock import Clock
from storage.database import Database

REACHABLE_STATUSES = frozenset({"member", "administrator", "creator"})


class ChatStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def seen_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> None:
        now = self._clock()
        await self._db.execute(
            """
            INSERT INTO users (user_id, first_name, username, language_code, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,
                username = excluded.username, language_code = excluded.language_code,
                last_seen = excluded.last_seen
            """,
            (user_id, first_name, username, language_code, now, now),
        )

    async def set_user_language(self, user_id: int, language: str) -> None:
        """The person's own choice; `seen_user` has recorded them before any handler runs."""
        await self._db.execute(
            "UPDATE users SET language = ? WHERE user_id = ?", (language, user_id)
        )

    async def set_chat_language(self, chat_id: int, chat_type: str, language: str) -> None:
        """A group's language, chosen by one of its admins, for everyone in it."""
        await self._db.execute(
            """
            INSERT INTO chats (chat_id, type, bot_status, updated_at, language)
            VALUES (?, ?, 'member', ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language
            """,
            (chat_id, chat_type, self._clock(), language),
        )

    async def languages(self, chat_id: int) -> tuple[str | None, str | None]:
        """(the language chosen for the chat, or by the person whose private chat it is; that
        person's Telegram `language_code`). Either is None when unknown."""
        row = await self._db.fetch_one(
            """
            SELECT COALESCE(
                       (SELECT language FROM chats WHERE chat_id = ?),
                       (SELECT language FROM users WHERE user_id = ?)
                   ) AS chosen,
                   (SELECT language_code FROM users WHERE user_id = ?) AS app_language
            """,
            (chat_id, chat_id, chat_id),
        )
        if row is None:
            return None, None
        return row["chosen"], row["app_language"]

    async def set_chat_status(
        self, chat_id: int, chat_type: str, bot_status: str, title: str | None = None
    ) -> None:
        await self._db.execute(
            """
            INSERT INTO chats (chat_id, type, title, bot_status, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET type = excluded.type,
                title = COALESCE(excluded.title, chats.title),
                bot_status = excluded.bot_status, updated_at = excluded.updated_at
            """,
            (chat_id, chat_type, title, bot_status, self._clock()),
        )

    async def chat_status(self, chat_id: int) -> str | None:
        status = await self._db.fetch_value(
            "SELECT bot_status FROM chats WHERE chat_id = ?", (chat_id,)
        )
        return None if status is None else str(status)

    async def unreachable_chats(self, chat_ids: set[int]) -> set[int]:
        """Those of `chat_ids` that blocked the bot or removed it."""
        if not chat_ids:
            return set()
        ids = ", ".join("?" for _ in chat_ids)
        statuses = ", ".join("?" for _ in REACHABLE_STATUSES)
        rows = await self._db.fetch_all(
            f"SELECT chat_id FROM chats WHERE chat_id IN ({ids}) "
            f"AND bot_status NOT IN ({statuses})",
            (*chat_ids, *sorted(REACHABLE_STATUSES)),
        )
        return {int(row["chat_id"]) for row in rows}
