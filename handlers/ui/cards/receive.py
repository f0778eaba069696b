"""The card of a receive order: paid → number (copy, check, cancel) → code, or the refund."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.kinds.receive import cancel_possible_from
from bot.domain.orders import Order, OrderState
from bot.domain.phones import e164, format_phone
from handlers.ui import texts
from handlers.ui.cards.base import (
    Rows,
    cancel_button,
    copy_button,
    country_label,
    refresh_button,
)


class ReceiveCard:
    def invoice_note(self) -> str:
        return texts.hold_invoice_refund()

    def subject(self, order: Order) -> str:
        service = order.service_name or order.service_code or texts.any_service()
        return texts.receive_subject(service, country_label(order.country_code, order.country_name))

    def line(self, order: Order) -> str:
        country = country_label(order.country_code, order.country_name)
        service = order.service_name or order.service_code or texts.any_service()
        return texts.receive_line(service, country)

    def body(
        self, order: Order, now: datetime, *, balance: int | None, code_inline: bool
    ) -> tuple[str, Rows]:
        state = order.state
        if state is OrderState.NUMBER and order.number:
            copy = copy_button(texts.button_copy_number(), e164(order.number))
            cancel_from = cancel_possible_from(order)
            body = texts.card_number(
                format_phone(order.number),
                datetime.fromtimestamp(cancel_from, UTC) if cancel_from else None,
                now,
            )
            rows: Rows = [[copy]] if copy else []
            return body, [*rows, [refresh_button(order), cancel_button(order)]]
        if state is OrderState.COMPLETED and order.code:
            code = order.code if code_inline else None
            row = [b for b in (copy_button(texts.button_copy_code(), order.code),) if b]
            number = format_phone(order.number) if order.number else None
            if order.number:
                copy_number = copy_button(texts.button_copy_number(), e164(order.number))
                row = [b for b in (copy_number, *row) if b]
            return texts.card_completed(number, code), [row] if row else []
        if state is OrderState.NO_NUMBER:
            return texts.card_no_number(), []
        if state is OrderState.CANCELLED:
            return texts.card_cancelled(paid=order.paid_at is not None), []
        if state is OrderState.EXPIRED:
            return texts.card_expired(), []
        if state is OrderState.INVOICE_EXPIRED:
            return texts.card_invoice_expired(), []
        return texts.card_paid(), [[refresh_button(order), cancel_button(order)]]


CARD = ReceiveCard()
