"""The order card: what one order looks like in its chat, for each state it goes through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.countries import country_by_code, label
from bot.invoices import invoice_qr_png
from bot.phones import e164, format_phone
from handlers import texts
from handlers.callbacks import CancelOrder, RefreshOrder
from storage import Order, OrderKind, OrderState

CANCEL_AFTER = timedelta(minutes=2)
COPY_TEXT_LIMIT = 256  # Telegram's limit for a CopyTextButton


@dataclass(frozen=True, slots=True)
class Card:
    text: str
    keyboard: InlineKeyboardMarkup | None
    photo: bytes | None = None
    """Set while the order awaits payment: the card is then the invoice's QR photo."""


def country_label(code: int | None, fallback: str | None = None) -> str:
    country = country_by_code(code) if code is not None else None
    if country is not None:
        return label(country)
    return fallback or "any country"


def subject(order: Order) -> str:
    if order.kind is OrderKind.RECEIVE:
        service = order.service_name or order.service_code or "SMS"
        return texts.receive_subject(service, country_label(order.country_code, order.country_name))
    if order.kind is OrderKind.SEND:
        return texts.send_subject(format_phone(order.phone or ""))
    return texts.fund_subject(order.amount_sats or 0)


def cancel_possible_from(order: Order) -> datetime | None:
    if order.paid_at is None:
        return None
    return datetime.fromtimestamp(order.paid_at, UTC) + CANCEL_AFTER


def render(order: Order, now: datetime | None = None, *, balance: int | None = None) -> Card:
    """The card for the order's state; `balance` is the prepaid balance, for top-up cards."""
    now = now or datetime.now(UTC)
    if order.state is OrderState.AWAITING_PAYMENT and order.invoice:
        return _invoice_card(order, now)
    title = texts.card_title(order.id, subject(order))
    body, buttons = _body(order, now, balance)
    keyboard = InlineKeyboardMarkup(buttons) if buttons else None
    return Card(f"{title}\n\n{body}", keyboard)


def _invoice_card(order: Order, now: datetime) -> Card:
    assert order.invoice is not None
    expires = (
        datetime.fromtimestamp(order.invoice_expires_at, UTC) if order.invoice_expires_at else None
    )
    caption = texts.invoice_caption(
        what=f"order #{order.id}: {subject(order)}",
        amount=order.amount_sats,
        expires_at=expires,
        invoice=order.invoice,
        now=now,
        note=_INVOICE_NOTES[order.kind],
    )
    # Only receive orders can be cancelled at sms4sats; the other invoices simply expire.
    buttons = (
        [[_button(texts.BUTTON_CANCEL, CancelOrder(order.id))]]
        if order.kind is OrderKind.RECEIVE
        else []
    )
    if len(order.invoice) <= COPY_TEXT_LIMIT:
        copy = InlineKeyboardButton(
            texts.BUTTON_COPY_INVOICE, copy_text=CopyTextButton(order.invoice)
        )
        buttons.insert(0, [copy])
    return Card(
        caption, InlineKeyboardMarkup(buttons) if buttons else None, invoice_qr_png(order.invoice)
    )


_INVOICE_NOTES = {
    OrderKind.RECEIVE: texts.HOLD_INVOICE_REFUND,
    OrderKind.SEND: texts.SEND_HOLD_INVOICE,
    OrderKind.FUND: texts.FUND_NOTE,
}


def _body(
    order: Order, now: datetime, balance: int | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    state = order.state
    refresh = _button(texts.BUTTON_REFRESH, RefreshOrder(order.id))
    if order.kind is OrderKind.SEND:
        return _send_body(order), ([[refresh]] if not state.is_final else [])
    if order.kind is OrderKind.FUND:
        if state is OrderState.COMPLETED:
            return texts.fund_completed(order.amount_sats or 0, balance), []
        if state is OrderState.INVOICE_EXPIRED:
            return texts.CARD_INVOICE_EXPIRED, []
        return texts.CARD_PAID, [[refresh]]
    cancel = _button(texts.BUTTON_CANCEL, CancelOrder(order.id))
    if state is OrderState.PAID:
        return texts.CARD_PAID, [[refresh, cancel]]
    if state is OrderState.NUMBER and order.number:
        number = format_phone(order.number)
        copy_number = CopyTextButton(e164(order.number))
        copy = InlineKeyboardButton(texts.BUTTON_COPY_NUMBER, copy_text=copy_number)
        body = texts.card_number(number, cancel_possible_from(order), now)
        return body, [[copy], [refresh, cancel]]
    if state is OrderState.COMPLETED and order.code:
        row = [InlineKeyboardButton(texts.BUTTON_COPY_CODE, copy_text=CopyTextButton(order.code))]
        if not order.number:
            return texts.card_completed(None, order.code), [row]
        copy_number = CopyTextButton(e164(order.number))
        row.insert(0, InlineKeyboardButton(texts.BUTTON_COPY_NUMBER, copy_text=copy_number))
        return texts.card_completed(format_phone(order.number), order.code), [row]
    if state is OrderState.NO_NUMBER:
        return texts.card_no_number(), []
    if state is OrderState.CANCELLED:
        return texts.card_cancelled(paid=order.paid_at is not None), []
    if state is OrderState.EXPIRED:
        return texts.card_expired(), []
    if state is OrderState.INVOICE_EXPIRED:
        return texts.CARD_INVOICE_EXPIRED, []
    return texts.CARD_PAID, [[refresh]]


def _send_body(order: Order) -> str:
    return texts.send_card(order.state, order.message or "", order.paid_from_balance)


def _button(text: str, callback: CancelOrder | RefreshOrder) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback.pack())
