"""Who an update comes from, as the bookkeeping before every handler records it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Visitor:
    """A person (never a bot) who wrote or pressed, as Telegram names them in the update."""

    user_id: int
    first_name: str
    username: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class Arrival:
    """What an update says about who is where: what `People.arrived` records and reads."""

    chat_id: int | None
    chat_type: str | None
    private: bool
    visitor: Visitor | None
    """None for an update without a user, or from a bot: nothing is recorded of them."""
    membership_change: bool
    """The update is the bot's own membership changing (a block or unblock): the membership
    handler records that status itself, so writing here says nothing about reachability."""

    @property
    def language_key(self) -> int | None:
        """Whose chosen language answers the update: a group's own, else the person's."""
        if self.chat_id is not None and not self.private:
            return self.chat_id
        return None if self.visitor is None else self.visitor.user_id


@dataclass(frozen=True, slots=True)
class Languages:
    """The inputs of an update's language: the one chosen for the chat (by its admins, or by
    the person in their private chat) and the person's Telegram app's (private chats only)."""

    chosen: str | None
    app_language: str | None
