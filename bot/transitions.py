"""How an order moves: from what sms4sats reports, and from the clock. Pure functions."""

from __future__ import annotations

from typing import Any

from bot.countries import AUTO_SELECT, resolve_country
from bot.sms4sats import OrderStatus, SmsStatus
from storage import Order, OrderKind, OrderState

# sms4sats cancels a hold invoice 21 minutes after payment when no code came; past that (and a
# margin for our own polling delay) the order is over even if sms4sats never says so.
HOLD_TIMEOUT = 21 * 60
DEADLINE_MARGIN = 2 * 60
# Past its expiry an unpaid invoice can no longer be paid; the margin covers a payment made at
# the last second that a poll has not seen yet.
INVOICE_MARGIN = 60
# A "sent" SMS has been paid for; a delivery report may never come, so stop asking after this.
DELIVERY_REPORT_WAIT = 60 * 60

_RANK = {
    OrderState.AWAITING_PAYMENT: 0,
    OrderState.PAID: 1,
    OrderState.NUMBER: 2,
    OrderState.SENT: 2,
}


def _rank(state: OrderState) -> int:
    return _RANK.get(state, 3)


def apply_status(order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
    """The column changes that `status` from sms4sats makes to `order` (empty if none)."""
    if order.state.is_final:
        return {}
    changes: dict[str, Any] = {}
    paid = status.paid or order.paid_at is not None
    if status.paid and order.paid_at is None:
        changes["paid_at"] = now
    if order.kind is OrderKind.RECEIVE:
        if status.number and status.number != order.number:
            changes["number"] = status.number
            if order.number_at is None:
                changes["number_at"] = now
        if status.code and status.code != order.code:
            changes["code"] = status.code
        if order.country_code == AUTO_SELECT and status.country:
            # Auto-Select orders learn their real country with the number.
            country = resolve_country(status.country)
            if country is not None:
                changes.update(country_code=country.code, country_name=country.name)
        state = _receive_state(status, paid, has_number=bool(status.number or order.number))
    elif order.kind is OrderKind.SEND:
        state = _send_state(status, paid)
    else:
        state = OrderState.COMPLETED if status.paid else _unpaid_state(status)
    if status.error and status.error != order.error:
        changes["error"] = status.error[:500]
    # Orders only move forward: a stale or glitched answer never takes one back a step.
    if state is not order.state and _rank(state) >= _rank(order.state):
        changes["state"] = state
    return changes


def _receive_state(status: OrderStatus, paid: bool, has_number: bool) -> OrderState:
    if status.code:
        return OrderState.COMPLETED
    if status.error:
        if not paid:
            return _unpaid_state(status)
        if not has_number:
            return OrderState.NO_NUMBER
        # Every refund notice says the payment request "is canceled"; only an order that was
        # itself cancelled (and did not expire) counts as cancelled.
        text = status.error.lower()
        cancelled = "cancel" in text and "expire" not in text
        return OrderState.CANCELLED if cancelled else OrderState.EXPIRED
    if has_number and paid:
        return OrderState.NUMBER
    return OrderState.PAID if paid else OrderState.AWAITING_PAYMENT


def _send_state(status: OrderStatus, paid: bool) -> OrderState:
    if status.sms_status is SmsStatus.DELIVERED:
        return OrderState.COMPLETED
    if status.sms_status is SmsStatus.FAILED:
        return OrderState.FAILED
    if status.error:
        return OrderState.FAILED if paid else _unpaid_state(status)
    if status.sms_status is SmsStatus.SENT:
        return OrderState.SENT
    return OrderState.PAID if paid else OrderState.AWAITING_PAYMENT


def _unpaid_state(status: OrderStatus) -> OrderState:
    if status.error and "cancel" in status.error.lower():
        return OrderState.CANCELLED
    return OrderState.INVOICE_EXPIRED if status.error else OrderState.AWAITING_PAYMENT


def apply_deadlines(order: Order, now: float) -> dict[str, Any]:
    """Changes due to time alone; applied only right after a successful poll of sms4sats."""
    if order.state is OrderState.AWAITING_PAYMENT:
        if order.invoice_expires_at is not None and now > order.invoice_expires_at + INVOICE_MARGIN:
            return {"state": OrderState.INVOICE_EXPIRED}
    elif order.kind is OrderKind.RECEIVE and order.state in (OrderState.PAID, OrderState.NUMBER):
        if order.paid_at is not None and now > order.paid_at + HOLD_TIMEOUT + DEADLINE_MARGIN:
            return {"state": OrderState.EXPIRED}
    elif (
        order.state is OrderState.SENT
        and order.paid_at is not None
        and now > order.paid_at + DELIVERY_REPORT_WAIT
    ):
        # Paid and handed to the carrier: nothing more will be learned, so stop polling.
        return {"closed_at": now}
    return {}
