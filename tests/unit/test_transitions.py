"""How sms4sats answers and the clock move an order; orders never move backwards."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.domain.kinds.receive import HOLD_TIMEOUT, WARN_BEFORE
from bot.domain.kinds.transitions import apply_deadlines, apply_status
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus, SmsStatus

NOW = 1_800_000_000.0


def order(**overrides: Any) -> Order:
    base = Order(
        id=1, remote_id="a" * 64, kind=OrderKind.RECEIVE, user_id=1, chat_id=1,
        card_message_id=None, origin_message_id=None, country_code=187, country_name="USA",
        service_code="tg", service_name="Telegram", phone=None, message=None, amount_sats=1500,
        invoice="lnbc1", invoice_expires_at=NOW + 900, paid_from_balance=False,
        state=OrderState.AWAITING_PAYMENT, number=None, code=None, error=None, paid_at=None,
        number_at=None, shown_state=None, shown_number=None, code_message_id=None,
        poll_failures=0, next_poll_at=None, created_at=NOW, updated_at=NOW, closed_at=None,
    )  # fmt: skip
    return dataclasses.replace(base, **overrides)


def test_unpaid_stays_awaiting_payment() -> None:
    assert apply_status(order(), OrderStatus(paid=False), NOW) == {}


def test_payment_is_recorded_with_time() -> None:
    assert apply_status(order(), OrderStatus(paid=True), NOW) == {
        "paid_at": NOW,
        "state": OrderState.PAID,
    }


def test_number_then_code() -> None:
    paid = order(state=OrderState.PAID, paid_at=NOW)
    changes = apply_status(paid, OrderStatus(paid=True, number="14155550123"), NOW + 5)
    assert changes == {"number": "14155550123", "number_at": NOW + 5, "state": OrderState.NUMBER}
    waiting = order(state=OrderState.NUMBER, paid_at=NOW, number="14155550123", number_at=NOW)
    changes = apply_status(waiting, OrderStatus(paid=True, number="14155550123", code="0042"), NOW)
    assert changes == {"code": "0042", "code_at": NOW, "state": OrderState.COMPLETED}


def test_number_and_code_in_one_answer() -> None:
    changes = apply_status(order(), OrderStatus(paid=True, number="1", code="9"), NOW)
    assert changes["state"] is OrderState.COMPLETED
    assert changes["number"] == "1" and changes["code"] == "9" and changes["paid_at"] == NOW


@pytest.mark.parametrize(
    ("before", "error", "expected"),
    [
        ({"state": OrderState.PAID, "paid_at": NOW}, "No available number", OrderState.NO_NUMBER),
        (
            {"state": OrderState.NUMBER, "paid_at": NOW, "number": "1"},
            "Order expired",
            OrderState.EXPIRED,
        ),
        (
            {"state": OrderState.NUMBER, "paid_at": NOW, "number": "1"},
            "Order canceled",
            OrderState.CANCELLED,
        ),
        ({}, "Invoice expired", OrderState.INVOICE_EXPIRED),
        (
            {"state": OrderState.NUMBER, "paid_at": NOW, "number": "1"},
            "Order expired without a code, payment request is canceled.",
            OrderState.EXPIRED,
        ),
    ],
)
def test_error_ends_the_order(before: dict[str, Any], error: str, expected: OrderState) -> None:
    paid = "paid_at" in before
    changes = apply_status(order(**before), OrderStatus(paid=paid, error=error), NOW)
    assert changes["state"] is expected
    assert changes["error"] == error


def test_no_number_with_status_ok_and_paid_true_from_the_docs() -> None:
    changes = apply_status(order(), OrderStatus(paid=True, error="No available number"), NOW)
    assert changes["state"] is OrderState.NO_NUMBER


def test_never_moves_backwards_and_final_is_final() -> None:
    waiting = order(state=OrderState.NUMBER, paid_at=NOW, number="1")
    assert "state" not in apply_status(waiting, OrderStatus(paid=False), NOW)
    done = order(state=OrderState.COMPLETED, paid_at=NOW, number="1", code="2")
    assert apply_status(done, OrderStatus(paid=True, error="late"), NOW) == {}


def test_auto_select_learns_its_country() -> None:
    auto = order(country_code=999, country_name="Auto-Select", state=OrderState.PAID, paid_at=NOW)
    changes = apply_status(auto, OrderStatus(paid=True, number="4470", country="England"), NOW)
    assert changes["country_code"] == 16 and changes["country_name"] == "England"


@pytest.mark.parametrize(
    ("sms_status", "expected"),
    [
        (SmsStatus.CREATED, OrderState.PAID),
        (SmsStatus.SENT, OrderState.SENT),
        (SmsStatus.DELIVERED, OrderState.COMPLETED),
        (SmsStatus.FAILED, OrderState.FAILED),
    ],
)
def test_send_orders_follow_sms_status(sms_status: SmsStatus, expected: OrderState) -> None:
    send = order(kind=OrderKind.SEND, phone="+1", message="hi")
    changes = apply_status(send, OrderStatus(paid=True, sms_status=sms_status), NOW)
    assert changes["state"] is expected


def test_fund_orders_complete_when_paid() -> None:
    fund = order(kind=OrderKind.FUND)
    assert apply_status(fund, OrderStatus(paid=True), NOW)["state"] is OrderState.COMPLETED


def test_deadlines() -> None:
    unpaid = order(invoice_expires_at=NOW)
    assert apply_deadlines(unpaid, NOW + 30) == {}
    assert apply_deadlines(unpaid, NOW + 61) == {"state": OrderState.INVOICE_EXPIRED}
    waiting = order(state=OrderState.NUMBER, paid_at=NOW, number="1")
    assert apply_deadlines(waiting, NOW + HOLD_TIMEOUT) == {}
    assert apply_deadlines(waiting, NOW + HOLD_TIMEOUT + 121) == {"state": OrderState.EXPIRED}
    sent = order(kind=OrderKind.SEND, state=OrderState.SENT, paid_at=NOW)
    assert apply_deadlines(sent, NOW + 3601) == {"closed_at": NOW + 3601}


@pytest.mark.parametrize(
    ("state", "since_payment", "warned", "expected"),
    [
        (OrderState.NUMBER, HOLD_TIMEOUT - WARN_BEFORE - 1, None, {}),  # too early
        (OrderState.NUMBER, HOLD_TIMEOUT - WARN_BEFORE, None, {"warn_requested_at": "now"}),
        (OrderState.NUMBER, HOLD_TIMEOUT - 1, None, {"warn_requested_at": "now"}),
        (OrderState.NUMBER, HOLD_TIMEOUT, None, {}),  # sms4sats gave up: nothing to warn of
        (OrderState.NUMBER, HOLD_TIMEOUT - 60, NOW, {}),  # requested already: once per order
        (OrderState.PAID, HOLD_TIMEOUT - 60, None, {}),  # no number to run out
    ],
)
def test_the_expiry_warning_becomes_due_once_in_its_window(
    state: OrderState, since_payment: float, warned: float | None, expected: dict[str, Any]
) -> None:
    paid = order(state=state, paid_at=NOW, number="14155550123", warn_requested_at=warned)
    now = NOW + since_payment
    changes = apply_deadlines(paid, now)
    assert changes == dict.fromkeys(expected, now)
