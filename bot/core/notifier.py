"""The port through which the core tells users about their orders.

The Telegram layer implements it (cards, texts, keyboards); the core only knows these calls and
the three ways they can fail.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.orders import Order
from storage import Placement, StoredSms


class ChatUnreachable(Exception):
    """The user blocked the bot, or the bot was removed from the chat: stop writing there."""


class OutcomeUnknown(Exception):
    """The message may or may not have arrived (a timeout after it was sent): wait, then retry."""


class TellFailed(Exception):
    """It did not arrive (flood wait, Telegram trouble): try again at the next chance."""


class Notifier(Protocol):
    async def show_card(self, order: Order, *, balance: int | None) -> int:
        """Show the order's card in its chat as it is now; the card's message id."""

    async def send_code(self, order: Order) -> int:
        """Send the order's code as a new message (it notifies); its message id."""

    async def send_sms(self, order: Order, sms: StoredSms) -> int:
        """Send one SMS a rental received as a new message (it notifies); its message id."""

    async def send_warning(self, order: Order) -> None:
        """Warn that the order runs out soon with no code (a new message, with a cancel)."""

    async def remove_message(self, chat_id: int, message_id: int) -> None:
        """Delete a message the bot sent (a card that moved); quietly, it is cosmetic."""

    async def placement_lost(self, placement: Placement) -> None:
        """A placement was cut short by a restart and no order was stored: say so."""
