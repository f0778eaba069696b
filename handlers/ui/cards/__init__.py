"""The order card: what one order looks like in its chat, for each kind and state.

Each kind's words live in its own module here (as its rules live in `bot.domain.kinds`);
`CARDS` registers them, and a test checks that every kind has one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup

from bot.domain.orders import Order, OrderKind, OrderState
from handlers.ui import texts
from handlers.ui.cards import fund, receive, rental, send
from handlers.ui.cards.base import Card, KindCard, Rows, cancel_button, copy_button
from handlers.ui.qr import invoice_qr_png

CARDS: dict[OrderKind, KindCard] = {
    OrderKind.RECEIVE: receive.CARD,
    OrderKind.SEND: send.CARD,
    OrderKind.FUND: fund.CARD,
    OrderKind.RENTAL: rental.CARD,
}


def subject(order: Order) -> str:
    return CARDS[order.kind].subject(order)


def state_label(order: Order) -> str:
    """The order's state in words (its kind's, where they differ from the common ones)."""
    return texts.state_label(order.state, CARDS[order.kind].state_labels)


def order_line(order: Order) -> str:
    """The order as one line of /orders."""
    return texts.order_line(order.id, CARDS[order.kind].line(order), state_label(order))


def cannot_cancel(order: Order) -> str:
    """What /cancel says of a paid order that can no longer be cancelled, in its kind's words."""
    return CARDS[order.kind].cannot_cancel(order_line(order))


def render(
    order: Order,
    now: datetime | None = None,
    *,
    balance: int | None = None,
    code_inline: bool = True,
) -> Card:
    """The card for the order's state. `balance` is the prepaid balance, for top-up cards;
    `code_inline` is False when the code follows in its own message (show it only once)."""
    now = now or datetime.now(UTC)
    if order.state is OrderState.AWAITING_PAYMENT and order.invoice:
        return _invoice_card(order, now)
    title = texts.card_title(order.id, subject(order))
    body, buttons = CARDS[order.kind].body(order, now, balance=balance, code_inline=code_inline)
    keyboard = InlineKeyboardMarkup(buttons) if buttons else None
    return Card(f"{title}\n\n{body}", keyboard)


def _invoice_card(order: Order, now: datetime) -> Card:
    assert order.invoice is not None
    expires = (
        datetime.fromtimestamp(order.invoice_expires_at, UTC) if order.invoice_expires_at else None
    )
    caption = texts.invoice_caption(
        what=texts.invoice_what(order.id, subject(order)),
        amount=order.amount_sats,
        expires_at=expires,
        invoice=order.invoice,
        now=now,
        note=CARDS[order.kind].invoice_note(),
    )
    # Every unpaid invoice can be cancelled: at sms4sats for numbers, only here for the others
    # (the answer to the press says which).
    buttons: Rows = [[cancel_button(order)]]
    copy = copy_button(texts.button_copy_invoice(), order.invoice)
    if copy is not None:
        buttons.insert(0, [copy])
    return Card(
        caption, InlineKeyboardMarkup(buttons) if buttons else None, invoice_qr_png(order.invoice)
    )


__all__ = ["CARDS", "Card", "cannot_cancel", "order_line", "render", "state_label", "subject"]
