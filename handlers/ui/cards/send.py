"""The card of a send order: paid → sent → delivered, or failed with the refund wording."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton

from bot.domain.orders import Order, OrderState
from bot.domain.phones import format_phone
from handlers.ui import texts
from handlers.ui.cards.base import Rows, refresh_button
from handlers.ui.i18n import N_, ngettext
from handlers.ui.texts.operator import KindFigures

STATE_LABELS: Mapping[OrderState, str] = {
    OrderState.PAID: N_("paid, sending"),
    OrderState.COMPLETED: N_("delivered"),
}


class SendCard:
    @property
    def state_labels(self) -> Mapping[OrderState, str]:
        return STATE_LABELS

    def created(self, order: Order) -> str:
        return texts.send_order_created(order.id, order.paid_from_balance)

    def start_over(self) -> InlineKeyboardButton | None:
        return None

    def invoice_note(self) -> str:
        return texts.send_hold_invoice()

    def subject(self, order: Order) -> str:
        return texts.send_subject(format_phone(order.phone or ""))

    def line(self, order: Order) -> str:
        return texts.send_line(format_phone(order.phone or ""))

    def body(
        self, order: Order, now: datetime, *, balance: int | None, code_inline: bool
    ) -> tuple[str, Rows]:
        text = texts.send_card(order.state, order.message or "", order.paid_from_balance)
        return text, ([] if order.state.is_final else [[refresh_button(order)]])

    def cannot_cancel(self, line: str) -> str:
        return texts.cancel_never(line)

    def stats_orders(self, count: int) -> str:
        return ngettext("%(count)s SMS", "%(count)s SMS", count)

    def stats_delivered(self, count: int) -> str | None:
        return ngettext("%(count)s SMS delivered", "%(count)s SMS delivered", count)

    def stats_line(self, figures: KindFigures) -> str | None:
        return None

    def stats_conversion(self, figures: KindFigures) -> str | None:
        return None


CARD = SendCard()
