"""The people the bot talks to: what every update records before any handler runs, the
language they chose, and telling them what they missed while the bot could not reach them."""

from __future__ import annotations

from bot.core.engine.outbox import Outbox
from bot.domain.people import Arrival, Languages
from storage import ChatStore, OrderStore

__all__ = ["Arrival", "Languages", "People"]

# The bot's statuses in a chat in which it can write.
REACHABLE = frozenset({"member", "administrator", "creator"})


class People:
    def __init__(self, chats: ChatStore, orders: OrderStore, outbox: Outbox) -> None:
        self._chats = chats
        self._orders = orders
        self._outbox = outbox

    async def arrived(self, arrival: Arrival) -> Languages:
        """Every update's bookkeeping, in one transaction: who wrote, that their private chat
        is reachable, and what their update is answered in. Someone who writes again after
        blocking the bot is told what they missed (through the outbox, like everything else)."""
        visitor = arrival.recorded
        member_chat = None
        if visitor is not None and arrival.private and not arrival.membership_change:
            # Someone who writes to the bot can be written to again.
            member_chat = arrival.chat_id
        chosen, before = await self._chats.arrived(
            visitor, language_key=arrival.language_key, member_chat=member_chat
        )
        if member_chat is not None and before is not None and before not in REACHABLE:
            await self.tell_what_was_missed(member_chat)
        return self._languages(arrival, chosen)

    async def languages(self, arrival: Arrival) -> Languages:
        """What `arrived` answers, read only: for an update no handler will see."""
        key = arrival.language_key
        chosen = None if key is None else (await self._chats.languages(key))[0]
        return self._languages(arrival, chosen)

    async def languages_of_chat(self, chat_id: int) -> Languages:
        """A chat's language inputs outside any update (a job telling it something)."""
        return Languages(*await self._chats.languages(chat_id))

    @staticmethod
    def _languages(arrival: Arrival, chosen: str | None) -> Languages:
        if arrival.in_group or arrival.visitor is None:
            # A group speaks its admins' choice to everyone in it, whatever their apps say.
            return Languages(chosen, None)
        # The update's language_code is the freshest: the person may have switched their app's.
        return Languages(chosen, arrival.visitor.language_code)

    async def choose_language(self, user_id: int, language: str) -> None:
        """A person's own choice, for their private chat."""
        await self._chats.set_user_language(user_id, language)

    async def choose_group_language(self, chat_id: int, chat_type: str, language: str) -> None:
        """A group's language, chosen by one of its admins (the caller has checked)."""
        await self._chats.set_chat_language(chat_id, chat_type, language)

    async def membership_changed(
        self, chat_id: int, chat_type: str, status: str, title: str | None, *, rejoined: bool
    ) -> None:
        """The bot was added to or removed from a chat, or a person blocked or unblocked it:
        the bot stops writing to chats it cannot reach, and a person who unblocked it is told
        what their orders did meanwhile."""
        await self._chats.set_chat_status(chat_id, chat_type, status, title)
        if rejoined and chat_type == "private":
            await self.tell_what_was_missed(chat_id)

    async def tell_what_was_missed(self, chat_id: int) -> None:
        """After a block is lifted: what the chat's orders did meanwhile (a code, a refund)."""
        for order in await self._orders.untold(chat_id):
            await self._outbox.add(order)
