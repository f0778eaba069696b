"""The menus a person has open (pickers, confirmations): opened, searched, done, left.

/cancel leaves them all (`leave`), and a left menu's buttons no longer act; typed text searches
only the person's newest picker, for `SEARCH_WINDOW` and until they do something else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.menus import Menu, MenuKind
from storage import DraftStore, MenuStore

# Typed text searches a picker for this long after it was last shown or used: long enough to
# read a page of countries, short enough that "Hello" an hour later is not a country search.
SEARCH_WINDOW = 5 * 60.0


@dataclass(frozen=True, slots=True)
class Left:
    """What /cancel closed: the menus, to edit to say so."""

    menus: list[Menu]


class MenuDesk:
    def __init__(self, menus: MenuStore, drafts: DraftStore) -> None:
        self._menus = menus
        self._drafts = drafts

    async def opened(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        kind: MenuKind,
        country_code: int | None = None,
    ) -> None:
        """The message now shows the person a menu of `kind`; it becomes their newest."""
        await self._menus.opened(
            chat_id, user_id, message_id, kind, country_code=country_code,
            search_for=SEARCH_WINDOW,
        )  # fmt: skip

    async def searched(self, chat_id: int, user_id: int) -> Menu | None:
        """The picker the person's typed text searches, if any."""
        return await self._menus.searched(chat_id, user_id)

    async def done(self, chat_id: int, message_id: int) -> None:
        """The menu became something that is not a menu (an order, a discarded draft)."""
        await self._menus.done(chat_id, message_id)

    async def is_left(self, chat_id: int, message_id: int) -> bool:
        """Whether the menu was closed with /cancel (its buttons no longer act)."""
        return await self._menus.is_left(chat_id, message_id)

    async def end_search(self, chat_id: int, user_id: int) -> None:
        """Any command starts something else: typed text is no longer a picker search."""
        await self._menus.stop_search(chat_id, user_id)

    async def leave(self, chat_id: int, user_id: int) -> Left:
        """/cancel: the person's unfinished draft dropped and every menu of theirs closed."""
        await self._drafts.drop_unfinished(chat_id, user_id)
        return Left(await self._menus.leave(chat_id, user_id))
