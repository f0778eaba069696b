"""The card of a rental: paid → the number, its end date and latest SMS → ended. No cancel:
a rental is not refunded once paid. Each SMS also comes as its own message (the teller)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from telegram import InlineKeyboardButton

from bot.domain.kinds.rental import ended
from bot.domain.orders import Order, OrderState
from bot.domain.phones import e164, format_phone
from handlers.ui import names, texts
from handlers.ui.callbacks import ExpectSms
from handlers.ui.cards.base import Rows, action_button, copy_button, refresh_button
from handlers.ui.i18n import N_, ngettext
from handlers.ui.texts import rental as rental_texts
from handlers.ui.texts.operator import KindFigures

STATE_LABELS: Mapping[OrderState, str] = {
    OrderState.PAID: N_("paid, getting the number"),
    OrderState.NUMBER: N_("rented"),
    OrderState.COMPLETED: N_("ended"),
    OrderState.NO_NUMBER: N_("no number · refunded"),
}

# An SMS on the card is cut here; its own message carries all of it.
CARD_SMS_CHARS = 160


def place(order: Order) -> str:
    return names.place(order.country_code, order.country_name)


def end_of(order: Order) -> datetime | None:
    return datetime.fromtimestamp(order.ends_at, UTC) if order.ends_at is not None else None


def recent(order: Order) -> str:
    """The latest SMS, newest last, or that none came yet."""
    try:
        items = json.loads(order.recent_sms) if order.recent_sms else []
    except ValueError:
        items = []
    if not isinstance(items, list) or not items:
        return rental_texts.no_sms_yet()
    lines = [rental_texts.recent_header(len(items))]
    for item in items:
        text = str(item.get("text") or "") if isinstance(item, dict) else ""
        if len(text) > CARD_SMS_CHARS:
            text = text[: CARD_SMS_CHARS - 1] + "…"
        at = item.get("at") if isinstance(item, dict) else None
        when = texts.day_and_time(datetime.fromtimestamp(at, UTC)) if at else ""
        lines.append(f"• {when} — {texts.esc(text)}" if when else f"• {texts.esc(text)}")
    return "\n".join(lines)


class RentalCard:
    @property
    def state_labels(self) -> Mapping[OrderState, str]:
        return STATE_LABELS

    def created(self, order: Order) -> str:
        return texts.order_created(order.id)

    def start_over(self) -> InlineKeyboardButton | None:
        return None

    def invoice_note(self) -> str:
        return rental_texts.invoice_note()

    def subject(self, order: Order) -> str:
        return rental_texts.subject(place(order), order.rental_weeks or 0)

    def line(self, order: Order) -> str:
        return rental_texts.line(place(order), end_of(order))

    def body(
        self, order: Order, now: datetime, *, balance: int | None, code_inline: bool
    ) -> tuple[str, Rows]:
        state = order.state
        if state is OrderState.NO_NUMBER:
            return rental_texts.card_no_number(), []
        if state is OrderState.INVOICE_EXPIRED:
            return texts.card_invoice_expired(), []
        if state is OrderState.CANCELLED:
            return texts.card_cancelled(paid=order.paid_at is not None), []
        number = format_phone(order.number) if order.number else None
        copy = copy_button(texts.button_copy_number(), e164(order.number)) if order.number else None
        if ended(order, now.timestamp()):
            # The end date only when the rental ran its term; sms4sats may end one earlier.
            end = end_of(order)
            end = end if end is not None and end <= now else None
            text = f"{rental_texts.card_ended(number, end)}\n\n{recent(order)}"
            return text, [[copy]] if copy else []
        if state is OrderState.NUMBER and number:
            text = f"{rental_texts.card_number(number, end_of(order))}\n\n{recent(order)}"
            expecting = action_button(rental_texts.button_expecting(), ExpectSms(order.id))
            return text, [*([[copy]] if copy else []), [expecting]]
        return rental_texts.card_paid(), [[refresh_button(order)]]

    def cannot_cancel(self, line: str) -> str:
        return rental_texts.cannot_cancel(line)

    def stats_orders(self, count: int) -> str:
        return ngettext("%(count)s rental", "%(count)s rentals", count)

    def stats_delivered(self, count: int) -> str | None:
        # Delivered once its number came (the rules' `delivered`), running or ended.
        return ngettext(
            "%(count)s rented number delivered", "%(count)s rented numbers delivered", count
        )

    def stats_line(self, figures: KindFigures) -> str | None:
        return None

    def stats_conversion(self, figures: KindFigures) -> str | None:
        return None


CARD = RentalCard()
