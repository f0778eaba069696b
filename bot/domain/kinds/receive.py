"""Receive: a phone number that gets one SMS code. The hold invoice settles with the code."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.domain.countries import AUTO_SELECT, resolve_country
from bot.domain.kinds.base import KindRules, number_changes, unpaid_state
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus

# sms4sats cancels a hold invoice 21 minutes after payment when no code came; past that (and a
# margin for our own polling delay) the order is over even if sms4sats never says so.
HOLD_TIMEOUT = 21 * 60
DEADLINE_MARGIN = 2 * 60
# sms4sats refuses a cancel earlier than this after payment.
CANCEL_AFTER = 2 * 60
# A number with no code yet gets one warning this long before sms4sats gives up on it: time
# to try the app again, or to cancel and buy elsewhere.
WARN_BEFORE = 4 * 60


class Receive(KindRules):
    kind: ClassVar[OrderKind] = OrderKind.RECEIVE
    cancellable: ClassVar[bool] = True
    private: ClassVar[bool] = True
    in_sales: ClassVar[bool] = True
    in_code_stats: ClassVar[bool] = True
    ranks: ClassVar[dict[OrderState, int]] = {
        OrderState.AWAITING_PAYMENT: 0,
        OrderState.PAID: 1,
        OrderState.NUMBER: 2,
    }

    def next_state(self, order: Order, status: OrderStatus, paid: bool) -> OrderState:
        has_number = bool(status.number or order.number)
        if status.code:
            return OrderState.COMPLETED
        if status.error:
            if not paid:
                return unpaid_state(status)
            if not has_number:
                return OrderState.NO_NUMBER
            # Every refund notice says the payment request "is canceled"; only an order that
            # was itself cancelled (and did not expire) counts as cancelled.
            text = status.error.lower()
            cancelled = "cancel" in text and "expire" not in text
            return OrderState.CANCELLED if cancelled else OrderState.EXPIRED
        if has_number and paid:
            return OrderState.NUMBER
        return OrderState.PAID if paid else OrderState.AWAITING_PAYMENT

    def details(self, order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
        changes = number_changes(order, status, now)
        if status.code and status.code != order.code:
            changes["code"] = status.code
            if order.code_at is None:
                changes["code_at"] = now
        if order.country_code == AUTO_SELECT and status.country:
            # Auto-Select orders learn their real country with the number.
            country = resolve_country(status.country)
            if country is not None:
                changes.update(country_code=country.code, country_name=country.name)
        return changes

    def deadline(self, order: Order, now: float) -> dict[str, Any]:
        if order.state in (OrderState.PAID, OrderState.NUMBER):
            if order.paid_at is not None and now > order.paid_at + HOLD_TIMEOUT + DEADLINE_MARGIN:
                return {"state": OrderState.EXPIRED}
            warn_from = gives_up_at(order)
            if (
                order.state is OrderState.NUMBER
                and order.warn_requested_at is None
                and warn_from is not None
                and warn_from - WARN_BEFORE <= now < warn_from
            ):
                return {"warn_requested_at": now}
            return {}
        return super().deadline(order, now)


def gives_up_at(order: Order) -> float | None:
    """When sms4sats cancels the hold invoice of a paid order that got no code."""
    return None if order.paid_at is None else order.paid_at + HOLD_TIMEOUT


def cancel_possible_from(order: Order) -> float | None:
    """When sms4sats starts accepting a cancel of this (paid) order; None while unpaid."""
    return None if order.paid_at is None else order.paid_at + CANCEL_AFTER


RULES = Receive()
