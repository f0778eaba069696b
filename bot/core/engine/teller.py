"""The port through which the core tells users about their orders.

The Telegram layer implements it (cards, texts, keyboards); the core only knows these calls and
the ways they can fail. The core decides what to do next by which one it was: an attempt that
certainly did not arrive costs nothing and is made again; one that may have arrived counts
against a small cap, since Telegram has no idempotency key to make a repeat harmless.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.in_flight import InFlightPlacement
from bot.domain.orders import Order
from bot.domain.rental_sms import StoredSms


class ChatUnreachable(Exception):
    """The user blocked the bot, or the bot was removed from the chat: stop writing there."""


class OutcomeUnknown(Exception):
    """The message may or may not have arrived (a timeout after it was sent): wait, then retry."""


class TellFailed(Exception):
    """It certainly did not arrive (an HTTP error from Telegram, a 429, a refused connection):
    try again, not before `retry_after` seconds when Telegram named a wait."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TellRejected(Exception):
    """Telegram refused this message as it is (400 Bad Request): the same message would be
    refused again, so it counts as an attempt, like an unknown outcome."""


class Teller(Protocol):
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

    async def placement_lost(self, placement: InFlightPlacement) -> None:
        """A placement was cut short by a restart and no order was stored: say so."""

    async def placement_recovered(self, placement: InFlightPlacement, order: Order) -> None:
        """A placement was cut short by a restart after its order was stored: point its
        "creating your order" message to that order (whose card the tracker shows)."""
