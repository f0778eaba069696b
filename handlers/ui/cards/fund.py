"""The card of a top-up: paid → credited, with the new balance when sms4sats tells it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton

from bot.domain.orders import Order, OrderState
from handlers.ui import texts
from handlers.ui.cards.base import Rows, refresh_button
from handlers.ui.i18n import N_, _, ngettext, number
from handlers.ui.texts.base import sats
from handlers.ui.texts.operator import KindFigures

STATE_LABELS: Mapping[OrderState, str] = {OrderState.COMPLETED: N_("credited")}


class FundCard:
    @property
    def state_labels(self) -> Mapping[OrderState, str]:
        return STATE_LABELS

    def created(self, order: Order) -> str:
        return texts.fund_created(order.id)

    def start_over(self) -> InlineKeyboardButton | None:
        return None

    def invoice_note(self) -> str:
        return texts.fund_note()

    def subject(self, order: Order) -> str:
        return texts.fund_subject(order.amount_sats or 0)

    def line(self, order: Order) -> str:
        return texts.fund_line(order.amount_sats or 0)

    def body(
        self, order: Order, now: datetime, *, balance: int | None, code_inline: bool
    ) -> tuple[str, Rows]:
        if order.state is OrderState.COMPLETED:
            return texts.fund_completed(order.amount_sats or 0, balance), []
        if order.state is OrderState.INVOICE_EXPIRED:
            return texts.card_invoice_expired(), []
        if order.state is OrderState.CANCELLED:
            return texts.invoice_withdrawn(), []
        return texts.card_paid(), [[refresh_button(order)]]

    def cannot_cancel(self, line: str) -> str:
        return texts.cancel_never(line)

    def stats_orders(self, count: int) -> str:
        return ngettext("%(count)s top-up", "%(count)s top-ups", count)

    def stats_delivered(self, count: int) -> str | None:
        # Not a sale (the buyer's own money): its line below says what was credited.
        return None

    def stats_line(self, figures: KindFigures) -> str | None:
        if not figures.orders:
            return None
        return _(
            "Top-ups credited: %(count)s · %(amount)s",
            count=number(figures.delivered),
            amount=sats(figures.delivered_sats),
        )

    def stats_conversion(self, figures: KindFigures) -> str | None:
        return None


CARD = FundCard()
