"""Who an update comes from, as the bookkeeping before every handler records it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who wrote or pressed, as Telegram names them in the update."""

    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Arrival:
    """What an update says about who is where: what `People.arrived` records and reads."""

    chat_id: int | None
    chat_type: str | None
    private: bool
    visitor: Visitor | None
    """None for an update without a user."""
    membership_change: bool
    """The update is the bot's own membership changing (a block or unblock): the membership
    handler records that status itself, so writing here says nothing about reachability."""

    @property
    def in_group(self) -> bool:
        return self.chat_id is not None and not self.private

    @property
    def recorded(self) -> Visitor | None:
        """Who is recorded: a person (not a bot) in a chat; None when nobody is."""
        visitor = self.visitor
        if visitor is None or visitor.is_bot or self.chat_id is None:
            return None
        return visitor

    @property
    def language_key(self) -> int | None:
        """Whose chosen language answers the update: a group's own, else the person's."""
        if self.in_group:
            return self.chat_id
        return None if self.visitor is None else self.visitor.user_id


@dataclass(frozen=True, slots=True)
class Languages:
    """The inputs of an update's language: the one chosen for the chat (by its admins, or by
    the person in their private chat) and the person's Telegram app's (private chats only)."""

    chosen: str | None
    app_language: str | None
