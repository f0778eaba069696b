"""What every kind's card module provides, and the pieces cards share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.orders import Order, OrderState
from handlers.ui import texts
from handlers.ui.callbacks import Callback, CancelOrder, RefreshOrder
from handlers.ui.texts.operator import KindStatsWords

COPY_TEXT_LIMIT = 256  # Telegram's limit for a CopyTextButton

Rows = list[list[InlineKeyboardButton]]


@dataclass(frozen=True, slots=True)
class Card:
    text: str
    keyboard: InlineKeyboardMarkup | None
    photo: bytes | None = None
    """Set while the order awaits payment: the card is then the invoice's QR photo."""


class KindCard(KindStatsWords, Protocol):
    """One per order kind: the words and buttons of its card, its other messages, and its words
    on /stats (`KindStatsWords`)."""

    @property
    def state_labels(self) -> Mapping[OrderState, str]:
        """Its words for a state where they differ from the common ones (marked with `N_`,
        translated when shown)."""

    def created(self, order: Order) -> str:
        """The confirmation, once the order is stored (said again after a restart cut the
        placing short)."""

    def start_over(self) -> InlineKeyboardButton | None:
        """A button to start again, under the note that a placing was lost (a restart)."""

    def invoice_note(self) -> str:
        """How this kind's invoice is paid back or used, under the amount."""

    def subject(self, order: Order) -> str:
        """What the order buys, as a phrase ("a Telegram number in Germany")."""

    def line(self, order: Order) -> str:
        """The order's label in /orders, without id and state."""

    def body(
        self, order: Order, now: datetime, *, balance: int | None, code_inline: bool
    ) -> tuple[str, Rows]:
        """The card's text below its title, and its buttons, once the invoice is done."""

    def cannot_cancel(self, line: str) -> str:
        """What /cancel says of a paid order of this kind that can no longer be cancelled,
        `line` being the order as /orders lists it."""


def copy_button(text: str, value: str) -> InlineKeyboardButton | None:
    if len(value) > COPY_TEXT_LIMIT:
        return None
    return InlineKeyboardButton(text, copy_text=CopyTextButton(value))


def refresh_button(order: Order) -> InlineKeyboardButton:
    return InlineKeyboardButton(texts.button_refresh(), callback_data=RefreshOrder(order.id).pack())


def cancel_button(order: Order) -> InlineKeyboardButton:
    return InlineKeyboardButton(texts.button_cancel(), callback_data=CancelOrder(order.id).pack())


def action_button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback.pack())
