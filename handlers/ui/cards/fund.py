"""The card of a top-up: paid → credited, with the new balance when sms4sats tells it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.orders import Order, OrderState
from handlers.ui import texts
from handlers.ui.cards.base import Rows, refresh_button


class FundCard:
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


CARD = FundCard()
