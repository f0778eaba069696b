"""/send drafts, keyed by the person drafting (chat and user): never by user alone, never only
in memory, so an admin's group draft and private draft stay apart and survive a restart."""

from __future__ import annotations

import secrets

from bot.domain.clock import Clock
from bot.domain.drafts import Draft
from storage.database import Database

# Drafts older than this are forgotten; a confirmation that old asks to start again.
DRAFT_MAX_AGE = 24 * 3600


class DraftStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def start(self, chat_id: int, user_id: int, phone: str) -> None:
        """The person gave a phone number: it replaces any unfinished draft of theirs."""
        now = self._clock()
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM drafts WHERE (chat_id = ? AND user_id = ? AND message IS NULL) "
                "OR created_at < ?",
                (chat_id, user_id, now - DRAFT_MAX_AGE),
            )
            await tx.execute(
                "INSERT INTO drafts (id, chat_id, user_id, phone, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                # Random ids: a button can only name a draft it was made for, not guess another.
                (secrets.randbelow(2**40), chat_id, user_id, phone, now),
            )

    async def unfinished(self, chat_id: int, user_id: int) -> Draft | None:
        row = await self._db.fetch_one(
            "SELECT * FROM drafts WHERE chat_id = ? AND user_id = ? AND message IS NULL "
            "ORDER BY created_at DESC LIMIT 1",
            (chat_id, user_id),
        )
        return Draft(**row) if row else None

    async def finish(self, draft: Draft, message: str, price: int) -> Draft:
        await self._db.execute(
            "UPDATE drafts SET message = ?, price = ? WHERE id = ?", (message, price, draft.id)
        )
        return Draft(draft.id, draft.chat_id, draft.user_id, draft.phone, message, price,
                     draft.created_at)  # fmt: skip

    async def drop_unfinished(self, chat_id: int, user_id: int) -> None:
        await self._db.execute(
            "DELETE FROM drafts WHERE chat_id = ? AND user_id = ? AND message IS NULL",
            (chat_id, user_id),
        )

    async def get(self, draft_id: int) -> Draft | None:
        row = await self._db.fetch_one(
            "SELECT * FROM drafts WHERE id = ? AND message IS NOT NULL", (draft_id,)
        )
        return Draft(**row) if row else None

    async def delete(self, draft_id: int) -> None:
        await self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
