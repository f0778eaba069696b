"""Rental: a number rented for weeks that receives any number of SMS. Not refunded once paid.

sms4sats documents neither how a rental's SMS nor how its end show in `/orderstatus`; the
status is read leniently (`bot.domain.rental_status`) and the end falls back to the payment time
plus the weeks offered. Each SMS is stored as a row of its own and told as its own message.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from bot.domain.kinds.base import KindRules, number_changes, unpaid_state
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus, ReceivedSms

WEEK = 7 * 24 * 3600
# After payment, an SMS or the user's "I'm expecting an SMS", the rental is checked every poll
# interval for this long (someone is entering the number somewhere right now)...
FAST_POLL_FOR = 10 * 60
# ...and otherwise this often: a rental lasts weeks, and most of it nobody is waiting.
SLOW_POLL_EVERY = 30.0
# The card shows this many of the newest SMS.
RECENT_SMS = 3


class Rental(KindRules):
    kind: ClassVar[OrderKind] = OrderKind.RENTAL
    private: ClassVar[bool] = True
    # Paid by invoice like a number for one code, so a sale; but no single code to time, so
    # not in the code figures.
    in_sales: ClassVar[bool] = True
    # Not refunded once its number came: from then on it is a sale, weeks before it ends.
    delivered: ClassVar[frozenset[OrderState]] = frozenset(
        {OrderState.NUMBER, OrderState.COMPLETED}
    )
    # Checked slowly for most of its weeks; the buyer about to get an SMS asks for more.
    faster_checks_on_request: ClassVar[bool] = True
    ranks: ClassVar[dict[OrderState, int]] = {
        OrderState.AWAITING_PAYMENT: 0,
        OrderState.PAID: 1,
        OrderState.NUMBER: 2,
    }

    def next_state(self, order: Order, status: OrderStatus, paid: bool) -> OrderState:
        has_number = bool(status.number or order.number)
        if status.error:
            if not paid:
                return unpaid_state(status)
            # With a number the rental ran (and ends now); without, none could be had.
            return OrderState.COMPLETED if has_number else OrderState.NO_NUMBER
        if has_number and paid:
            return OrderState.NUMBER
        return OrderState.PAID if paid else OrderState.AWAITING_PAYMENT

    def details(self, order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
        changes = number_changes(order, status, now)
        paid_at = order.paid_at if order.paid_at is not None else (now if status.paid else None)
        if status.ends_at is not None:
            if status.ends_at != order.ends_at:
                changes["ends_at"] = status.ends_at
        elif order.ends_at is None and paid_at is not None and order.rental_weeks:
            changes["ends_at"] = paid_at + order.rental_weeks * WEEK
        if order.paid_at is None and status.paid:
            changes["fast_poll_until"] = now + FAST_POLL_FOR
        digest = sms_digest(status.messages)
        if status.messages and digest != order.sms_digest:
            changes["sms_digest"] = digest
        return changes

    def deadline(self, order: Order, now: float) -> dict[str, Any]:
        if order.state in (OrderState.PAID, OrderState.NUMBER):
            if order.ends_at is not None and now >= order.ends_at:
                return {"state": OrderState.COMPLETED}
            return {}
        return super().deadline(order, now)

    def check_every(self, order: Order, now: float, interval: float) -> float:
        if order.state in (OrderState.PAID, OrderState.NUMBER):
            if order.fast_poll_until is not None and now < order.fast_poll_until:
                return interval
            every = max(interval, SLOW_POLL_EVERY)
            if order.ends_at is not None:
                # Not past the end by a whole slow step: the ended card comes on time.
                every = max(interval, min(every, order.ends_at - now))
            return every
        return super().check_every(order, now, interval)

    def messages(self, status: OrderStatus) -> tuple[ReceivedSms, ...]:
        return status.messages


def sms_digest(messages: tuple[ReceivedSms, ...]) -> str:
    joined = "\n".join(sorted(sms.key for sms in messages))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def ended(order: Order, now: float) -> bool:
    """The rental is over: its end passed, or sms4sats ended it."""
    if order.state.is_final:
        return True
    return order.ends_at is not None and now >= order.ends_at


RULES = Rental()
