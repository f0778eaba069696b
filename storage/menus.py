"""Menus: the pickers and confirmations a person has open in a chat.

Kept in the database, not in memory, so that `/cancel` can close them after a restart, a menu
the person left never acts again, and typed text searches only their newest picker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.clock import Clock
from storage.database import Database, Row

# Menu rows older than this are forgotten: Telegram lets a bot edit its messages for 48 hours,
# and an older menu's buttons still meet the checks of the handlers they reach.
MENU_MAX_AGE = 2 * 24 * 3600


class MenuKind(StrEnum):
    COUNTRIES = "countries"
    SERVICES = "services"
    CONFIRM_NUMBER = "confirm-number"
    CONFIRM_SMS = "confirm-sms"
    TOP_UP = "top-up"
    RENTALS = "rentals"
    CONFIRM_RENTAL = "confirm-rental"

    @property
    def searchable(self) -> bool:
        return self in (MenuKind.COUNTRIES, MenuKind.SERVICES, MenuKind.RENTALS)


@dataclass(frozen=True, slots=True)
class Menu:
    chat_id: int
    message_id: int
    user_id: int
    kind: MenuKind
    country_code: int | None
    opened_at: float
    search_until: float | None
    left_at: float | None


def _menu(row: Row) -> Menu:
    values = dict(row)
    values["kind"] = MenuKind(values["kind"])
    return Menu(**values)


class MenuStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def opened(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        kind: MenuKind,
        *,
        country_code: int | None = None,
        search_for: float = 0.0,
    ) -> None:
        """The person's menu `message_id` now shows `kind`; only this one answers typed text."""
        now = self._clock()
        search_until = now + search_for if kind.searchable and search_for > 0 else None
        await self._db.execute(
            "UPDATE menus SET search_until = NULL WHERE chat_id = ? AND user_id = ?",
            (chat_id, user_id),
        )
        await self._db.execute(
            """
            INSERT INTO menus (chat_id, message_id, user_id, kind, country_code, opened_at,
                search_until)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id, message_id) DO UPDATE SET user_id = excluded.user_id,
                kind = excluded.kind, country_code = excluded.country_code,
                opened_at = excluded.opened_at, search_until = excluded.search_until
            """,
            (chat_id, message_id, user_id, kind.value, country_code, now, search_until),
        )
        await self._db.execute("DELETE FROM menus WHERE opened_at < ?", (now - MENU_MAX_AGE,))

    async def searched(self, chat_id: int, user_id: int) -> Menu | None:
        """The picker typed text searches: the person's newest, if its search has not ended."""
        row = await self._db.fetch_one(
            "SELECT * FROM menus WHERE chat_id = ? AND user_id = ? AND left_at IS NULL "
            "AND search_until > ? ORDER BY opened_at DESC LIMIT 1",
            (chat_id, user_id, self._clock()),
        )
        return _menu(row) if row else None

    async def stop_search(self, chat_id: int, user_id: int) -> None:
        await self._db.execute(
            "UPDATE menus SET search_until = NULL WHERE chat_id = ? AND user_id = ? "
            "AND search_until IS NOT NULL",
            (chat_id, user_id),
        )

    async def done(self, chat_id: int, message_id: int) -> None:
        """The menu message became something else (an order, a discarded draft): not a menu."""
        await self._db.execute(
            "DELETE FROM menus WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )

    async def leave(self, chat_id: int, user_id: int) -> list[Menu]:
        """The person left everything they had open (/cancel): those menus, now closed."""
        now = self._clock()
        rows = await self._db.fetch_all(
            "SELECT * FROM menus WHERE chat_id = ? AND user_id = ? AND left_at IS NULL "
            "ORDER BY opened_at",
            (chat_id, user_id),
        )
        menus = [_menu(row) for row in rows]
        await self._db.execute(
            "UPDATE menus SET left_at = ?, search_until = NULL "
            "WHERE chat_id = ? AND user_id = ? AND left_at IS NULL",
            (now, chat_id, user_id),
        )
        return menus

    async def is_left(self, chat_id: int, message_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 AS left FROM menus WHERE chat_id = ? AND message_id = ? "
            "AND left_at IS NOT NULL",
            (chat_id, message_id),
        )
        return row is not None
