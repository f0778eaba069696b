"""Who the bot's admins are: ADMIN_IDS, plus the administrators of the ADMIN_CHAT_ID group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.domain.clock import Clock

log = logging.getLogger(__name__)

# getChatAdministrators is one call per lookup; a few minutes of caching keeps admin commands
# fast, and a refusal re-reads sooner (below) so a freshly promoted admin is not turned away.
CACHE_SECONDS = 300.0
RECHECK_AFTER_REFUSAL_SECONDS = 15.0


ReadAdmins = Callable[[int], Awaitable[frozenset[int]]]
"""Reads the (human) administrators of a group; raises AdminsUnknown when it cannot."""


class AdminsUnknown(Exception):
    """The group's administrators could not be read right now."""


class AdminDirectory:
    def __init__(
        self,
        read_admins: ReadAdmins,
        admin_ids: frozenset[int],
        admin_chat_id: int | None,
        clock: Clock,
    ) -> None:
        self._read_admins = read_admins
        self._admin_ids = admin_ids
        self._admin_chat_id = admin_chat_id
        self._clock = clock
        self._group_admins: frozenset[int] = frozenset()
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def admin_chat_id(self) -> int | None:
        return self._admin_chat_id

    def configured(self, user_id: int) -> bool:
        """An admin named in the settings (ADMIN_IDS), not one by the admin group."""
        return user_id in self._admin_ids

    async def is_admin(self, user_id: int) -> bool:
        """Checked on every admin command and button press, in private chats and groups alike."""
        if user_id in self._admin_ids:
            return True
        if self._admin_chat_id is None:
            return False
        if user_id in await self._group(max_age=CACHE_SECONDS):
            return True
        # Not in the cached list: the list may be older than the user's promotion.
        return user_id in await self._group(max_age=RECHECK_AFTER_REFUSAL_SECONDS)

    def forget(self) -> None:
        """The admin group's membership changed: read it again at the next check."""
        self._read_at = None

    async def _group(self, max_age: float) -> frozenset[int]:
        async with self._lock:
            now = self._clock()
            if self._read_at is not None and now - self._read_at < max_age:
                return self._group_admins
            assert self._admin_chat_id is not None
            try:
                members = await self._read_admins(self._admin_chat_id)
            except AdminsUnknown as error:
                # Keep the last known list: a Telegram hiccup must not lock admins out, and an
                # empty list (never read) grants nothing.
                log.warning("Could not read the admins of chat %d: %s", self._admin_chat_id, error)
                return self._group_admins
            self._group_admins = members
            self._read_at = now
            return self._group_admins
