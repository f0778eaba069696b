"""A rental's rules, pure: its states, its end, how often it is checked."""

from __future__ import annotations

import dataclasses

from bot.domain.kinds import rules_for
from bot.domain.kinds.rental import FAST_POLL_FOR, SLOW_POLL_EVERY, WEEK, ended, sms_digest
from bot.domain.kinds.transitions import apply_deadlines, apply_status
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus, ReceivedSms

NOW = 1_800_000_000.0
RULES = rules_for(OrderKind.RENTAL)


def rental(**changes: object) -> Order:
    order = Order(
        id=1, remote_id="r", kind=OrderKind.RENTAL, user_id=5, chat_id=5, card_message_id=None,
        origin_message_id=None, country_code=6, country_name="Indonesia", service_code="full",
        service_name="full", phone=None, message=None, amount_sats=1368, invoice="lnbc1",
        invoice_expires_at=NOW + 900, paid_from_balance=False, state=OrderState.AWAITING_PAYMENT,
        number=None, code=None, error=None, paid_at=None, number_at=None, shown_state=None,
        shown_number=None, code_message_id=None, poll_failures=0, next_poll_at=None,
        created_at=NOW, updated_at=NOW, closed_at=None, rental_weeks=2,
    )  # fmt: skip
    return dataclasses.replace(order, **changes)  # type: ignore[arg-type]


def test_payment_starts_the_term_and_fast_checks() -> None:
    changes = apply_status(rental(), OrderStatus(paid=True), NOW)
    assert changes["paid_at"] == NOW and changes["state"] is OrderState.PAID
    assert changes["ends_at"] == NOW + 2 * WEEK
    assert changes["fast_poll_until"] == NOW + FAST_POLL_FOR


def test_sms4sats_end_time_wins_over_the_weeks() -> None:
    order = rental(state=OrderState.NUMBER, paid_at=NOW, ends_at=NOW + 2 * WEEK, number="62")
    changes = apply_status(order, OrderStatus(paid=True, number="62", ends_at=NOW + 99), NOW)
    assert changes == {"ends_at": NOW + 99}


def test_a_code_does_not_end_a_rental() -> None:
    order = rental(state=OrderState.NUMBER, paid_at=NOW, number="62", ends_at=NOW + WEEK)
    status = OrderStatus(paid=True, number="62", code="1234", messages=(ReceivedSms("1234"),))
    changes = apply_status(order, status, NOW)
    assert "state" not in changes
    assert changes["sms_digest"] == sms_digest(status.messages)
    # Seen again: nothing new.
    again = dataclasses.replace(order, sms_digest=changes["sms_digest"])
    assert apply_status(again, status, NOW) == {}


def test_error_ends_a_rental_with_a_number_and_refunds_one_without() -> None:
    running = rental(state=OrderState.NUMBER, paid_at=NOW, number="62")
    assert apply_status(running, OrderStatus(paid=True, error="Rental ended"), NOW)["state"] is (
        OrderState.COMPLETED
    )
    waiting = rental(state=OrderState.PAID, paid_at=NOW)
    assert apply_status(waiting, OrderStatus(paid=True, error="No number"), NOW)["state"] is (
        OrderState.NO_NUMBER
    )


def test_the_end_passing_ends_it() -> None:
    order = rental(state=OrderState.NUMBER, paid_at=NOW, number="62", ends_at=NOW + 100)
    assert apply_deadlines(order, NOW + 99) == {}
    assert apply_deadlines(order, NOW + 100) == {"state": OrderState.COMPLETED}
    assert ended(order, NOW + 100) and not ended(order, NOW + 99)


def test_checked_every_interval_while_fast_then_every_30_s_and_never_past_the_end() -> None:
    order = rental(
        state=OrderState.NUMBER, paid_at=NOW, number="62", fast_poll_until=NOW + FAST_POLL_FOR,
        ends_at=NOW + 2 * WEEK,
    )  # fmt: skip
    assert RULES.check_every(order, NOW + 10, 3.0) == 3.0
    assert RULES.check_every(order, NOW + FAST_POLL_FOR, 3.0) == SLOW_POLL_EVERY
    # Close to the end, the next check falls on it, not a slow step later.
    assert RULES.check_every(order, NOW + 2 * WEEK - 7, 3.0) == 7
    assert RULES.check_every(order, NOW + 2 * WEEK - 1, 3.0) == 3.0
