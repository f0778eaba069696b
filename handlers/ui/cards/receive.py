"""The card of a receive order: paid → number (copy, check, cancel) → code, or the refund."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from telegram import InlineKeyboardButton

from bot.domain.countries import AUTO_SELECT
from bot.domain.kinds.receive import cancel_possible_from
from bot.domain.orders import Order, OrderState
from bot.domain.phones import e164, format_phone
from handlers.ui import names, texts
from handlers.ui.callbacks import AnotherCountry, BuyAgain, MenuBuy, PickCountry, WatchStock
from handlers.ui.cards.base import (
    Rows,
    action_button,
    cancel_button,
    copy_button,
    refresh_button,
)
from handlers.ui.i18n import _, ngettext
from handlers.ui.texts import finding as finding_texts
from handlers.ui.texts import real_sim as real_sim_texts
from handlers.ui.texts.operator import KindFigures, share

# The common words for every state fit a number bought for one code.
STATE_LABELS: Mapping[OrderState, str] = {}


class ReceiveCard:
    @property
    def state_labels(self) -> Mapping[OrderState, str]:
        return STATE_LABELS

    def created(self, order: Order) -> str:
        return texts.order_created(order.id)

    def start_over(self) -> InlineKeyboardButton | None:
        return action_button(texts.button_buy(), MenuBuy())

    def invoice_note(self) -> str:
        return texts.hold_invoice_refund()

    def subject(self, order: Order) -> str:
        service = names.service(order.service_code, order.service_name)
        subject = texts.receive_subject(
            service, names.place(order.country_code, order.country_name)
        )
        return f"{subject} · {real_sim_texts.label()}" if order.real_phone else subject

    def line(self, order: Order) -> str:
        country = names.place(order.country_code, order.country_name)
        service = names.service(order.service_code, order.service_name)
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
            rows = [row] if row else []
            return texts.card_completed(number, code), [*rows, *_next_steps(order)]
        if state is OrderState.NO_NUMBER:
            return texts.card_no_number(), _next_steps(order)
        if state is OrderState.CANCELLED:
            return texts.card_cancelled(paid=order.paid_at is not None), _next_steps(order)
        if state is OrderState.EXPIRED:
            return texts.card_expired(), _next_steps(order)
        if state is OrderState.INVOICE_EXPIRED:
            return texts.card_invoice_expired(), _next_steps(order)
        return texts.card_paid(), [[refresh_button(order), cancel_button(order)]]

    def cannot_cancel(self, line: str) -> str:
        return texts.cancel_never(line)

    def stats_orders(self, count: int) -> str:
        return ngettext("%(count)s number", "%(count)s numbers", count)

    def stats_delivered(self, count: int) -> str | None:
        return ngettext("%(count)s code delivered", "%(count)s codes delivered", count)

    def stats_line(self, figures: KindFigures) -> str | None:
        return None

    def stats_conversion(self, figures: KindFigures) -> str | None:
        # Of the numbers paid for, how many brought their code: how well sms4sats delivers.
        return _("codes per number paid %(codes)s", codes=share(figures.delivered, figures.paid))


CARD = ReceiveCard()


def _next_steps(order: Order) -> Rows:
    """One tap to what a person does next once an order ended: the same again, the same
    service where numbers may be left (after "no number"), a bell for when the country has
    numbers again, or the same service in another country."""
    service = order.service_code
    if not service:
        return [[action_button(texts.button_another_country(), PickCountry())]]
    another = [action_button(texts.button_another_country(), AnotherCountry(service))]
    country = order.country_code or AUTO_SELECT
    if order.state is OrderState.NO_NUMBER:
        bell = [action_button(finding_texts.button_watch(), WatchStock(country, service))]
        if country == AUTO_SELECT:
            return [bell, another]
        elsewhere = texts.button_same_service_elsewhere()
        return [[action_button(elsewhere, BuyAgain(AUTO_SELECT, service))], bell, another]
    again = action_button(texts.button_buy_again(), BuyAgain(country, service))
    return [[again], another]
