"""Users the bot has met and chats it is in (or was removed from)."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.people import Visitor
from storage.database import Database, Session

REACHABLE_STATUSES = frozenset({"member", "administrator", "creator"})


class ChatStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def seen_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> None:
        await self._seen(self._db, Visitor(user_id, first_name, username, language_code))

    async def _seen(self, session: Session, visitor: Visitor) -> None:
        now = self._clock()
        await session.execute(
            """
            INSERT INTO users (user_id, first_name, username, language_code, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,
                username = excluded.username, language_code = excluded.language_code,
                last_seen = excluded.last_seen
            """,
            (visitor.user_id, visitor.first_name, visitor.username, visitor.language_code,
             now, now),
        )  # fmt: skip

    async def arrived(
        self, visitor: Visitor | None, *, language_key: int | None, member_chat: int | None
    ) -> tuple[str | None, str | None]:
        """One update's bookkeeping, in one transaction: (the language chosen for
        `language_key`'s chat or person, the bot's status in `member_chat` before this update).

        The visitor is recorded (None: nothing is), and `member_chat`, a private chat the
        person just wrote in, is marked reachable again (an unblock comes this way too). Read
        before the writes: neither write changes a chosen language."""
        if visitor is None:
            if language_key is None:
                return None, None
            return await self._chosen_and_status(self._db, language_key, None)
        async with self._db.transaction() as tx:
            chosen, before = await self._chosen_and_status(tx, language_key, member_chat)
            await self._seen(tx, visitor)
            if member_chat is not None:
                await self._set_status(tx, member_chat, "private", "member", None)
        return chosen, before

    async def _chosen_and_status(
        self, session: Session, language_key: int | None, chat_id: int | None
    ) -> tuple[str | None, str | None]:
        row = await session.fetch_one(
            """
            SELECT COALESCE(
                       (SELECT language FROM chats WHERE chat_id = ?),
                       (SELECT language FROM users WHERE user_id = ?)
                   ) AS chosen,
                   (SELECT bot_status FROM chats WHERE chat_id = ?) AS status
            """,
            (language_key, language_key, chat_id),
        )
        if row is None:
            return None, None
        status = row["status"]
        return row["chosen"], None if status is None else str(status)

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
        await self._set_status(self._db, chat_id, chat_type, bot_status, title)

    async def _set_status(
        self, session: Session, chat_id: int, chat_type: str, bot_status: str, title: str | None
    ) -> None:
        await session.execute(
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
