"""What every order kind answers; one module per kind (receive, send, fund, rental) fills it in."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus, ReceivedSms

# Most invoices are paid within a minute or never; past this age an unpaid one is checked
# SLOW_POLL_FACTOR times less often, which keeps abandoned invoices from dominating the requests.
SLOW_POLL_AFTER = 120.0
SLOW_POLL_FACTOR = 4
# Past its expiry an unpaid invoice can no longer be paid; the margin covers a payment made at
# the last second that a check has not seen yet.
INVOICE_MARGIN = 60


class KindRules(ABC):
    """The rules of one order kind. Subclasses set `kind` and override what differs."""

    kind: ClassVar[OrderKind]
    cancellable: ClassVar[bool] = False
    """Whether sms4sats lets the user cancel an order of this kind (and the card offers it)."""
    ranks: ClassVar[dict[OrderState, int]] = {OrderState.AWAITING_PAYMENT: 0, OrderState.PAID: 1}
    """How far each open state is along the way; final states rank above all of them."""
    private: ClassVar[bool] = False
    """Placed and told only in the buyer's private chat: its number and code are theirs alone."""
    credits_balance: ClassVar[bool] = False
    """Completing it adds to the prepaid balance: its card then shows the new balance."""
    in_sales: ClassVar[bool] = False
    """Counted in /stats' sales and per-day chart (a top-up is the buyer's own money)."""
    in_code_stats: ClassVar[bool] = False
    """Its wait for the code and its service and country count in /stats' median and tops."""
    delivered: ClassVar[frozenset[OrderState]] = frozenset({OrderState.COMPLETED})
    """The states in which it has given what was bought: /stats counts these as delivered, and
    (for a kind `in_sales`) as sales when paid by invoice. Most kinds deliver as they end."""
    faster_checks_on_request: ClassVar[bool] = False
    """Its buyer may ask for a check every poll interval for a while ("I'm expecting an SMS"):
    for a kind open for weeks and checked slowly most of that time."""

    def initial_state(self, paid_from_balance: bool) -> OrderState:
        return OrderState.PAID if paid_from_balance else OrderState.AWAITING_PAYMENT

    @abstractmethod
    def next_state(self, order: Order, status: OrderStatus, paid: bool) -> OrderState:
        """The state sms4sats' answer puts the order in (before the only-forward rule)."""

    def details(self, order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
        """Columns other than the state that the answer changes (number, code, country)."""
        return {}

    def deadline(self, order: Order, now: float) -> dict[str, Any]:
        """Changes due to time alone, for an open order past its invoice's expiry."""
        if order.state is OrderState.AWAITING_PAYMENT:
            expires = order.invoice_expires_at
            if expires is not None and now > expires + INVOICE_MARGIN:
                return {"state": OrderState.INVOICE_EXPIRED}
        return {}

    def check_every(self, order: Order, now: float, interval: float) -> float:
        """Seconds between two checks of the order with sms4sats."""
        if order.state is OrderState.AWAITING_PAYMENT and now - order.created_at > SLOW_POLL_AFTER:
            return interval * SLOW_POLL_FACTOR
        return interval

    def messages(self, status: OrderStatus) -> tuple[ReceivedSms, ...]:
        """The SMS of the answer that are stored and told one by one (rentals); none here."""
        return ()

    def rank(self, state: OrderState) -> int:
        return self.ranks.get(state, 99 if state.is_final else 0)


def unpaid_state(status: OrderStatus) -> OrderState:
    if status.error and "cancel" in status.error.lower():
        return OrderState.CANCELLED
    return OrderState.INVOICE_EXPIRED if status.error else OrderState.AWAITING_PAYMENT


def number_changes(order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
    """The number sms4sats assigned, and when it was first seen: kinds that get a number."""
    changes: dict[str, Any] = {}
    if status.number and status.number != order.number:
        changes["number"] = status.number
        if order.number_at is None:
            changes["number_at"] = now
    return changes
