"""Orders, prepaid accounts and the rules that move orders along. Pure logic: no HTTP here."""

from __future__ import annotations

import logging
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.sms4sats.countries import AUTO_SELECT, Country

from .catalog import (
    RENTAL_ALL_SERVICES,
    Service,
    StockBook,
    receive_description,
    rental_description,
    rental_offer,
    rental_price,
)
from .clock import Clock
from .config import SandboxConfig
from .errors import InvalidRequest, TransitionRefused, UnknownOrder
from .invoices import InvoiceIssuer, PaymentSecret
from .orders import Order, OrderKind, OrderState, SmsStatus
from .regions import plausible_number

logger = logging.getLogger(__name__)

NO_NUMBERS_AVAILABLE = "No numbers available for this service"
NO_RENTAL_AVAILABLE = "No rental numbers available for this country"
NO_REAL_PHONE = "No real phone numbers available right now"
WEEK = 7 * 24 * 3600
INSUFFICIENT_BALANCE = "Insufficient balance"
SEND_DESCRIPTION = "sms4sats send"
FUND_DESCRIPTION = "fund account"

OrderListener = Callable[[Order], None]
"""Called after every change of an order (creation of a paid order included)."""

_SMS_STATUS_NEXT: dict[SmsStatus, frozenset[SmsStatus]] = {
    SmsStatus.CREATED: frozenset({SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED}),
    SmsStatus.SENT: frozenset({SmsStatus.DELIVERED, SmsStatus.FAILED}),
    SmsStatus.DELIVERED: frozenset(),
    SmsStatus.FAILED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class _Step:
    due: float
    apply: Callable[[float], None]


def duration_text(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds:g} seconds"


class SandboxState:
    """Everything the sandbox knows. Mutators first apply what is due, then act at clock time."""

    def __init__(
        self,
        config: SandboxConfig,
        clock: Clock,
        *,
        issuer: InvoiceIssuer | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.issuer = issuer or InvoiceIssuer()
        self.rng = rng or random.Random()
        self.stock = StockBook()
        self.orders: dict[str, Order] = {}
        self.balances: dict[str, int] = dict(config.api_keys_balance)
        self.fundings: dict[str, list[dict[str, Any]]] = {}
        self._listeners: list[OrderListener] = []

    def add_listener(self, listener: OrderListener) -> None:
        self._listeners.append(listener)

    def reset(self) -> None:
        """Forgets orders, stock overrides and fundings; balances go back to the config's."""
        self.orders.clear()
        self.stock.reset()
        self.fundings.clear()
        self.balances = dict(self.config.api_keys_balance)

    def update_config(self, changes: dict[str, Any]) -> None:
        self.config.update(changes)
        if "api_keys_balance" in changes:
            self.balances.update(self.config.api_keys_balance)

    # Looking up.

    def order(self, order_id: str) -> Order:
        found = self.orders.get(order_id)
        if found is None:
            raise UnknownOrder()
        return found

    def balance(self, api_key: str) -> int:
        return self.balances.get(api_key, 0)

    def history(self, api_key: str) -> list[dict[str, Any]]:
        return list(self.fundings.get(api_key, []))

    # Creating.

    def create_receive_order(
        self,
        country: Country,
        service: Service,
        *,
        rental: bool = False,
        realphone: bool = False,
        ref: str | None = None,
        payer_key: str | None = None,
    ) -> Order:
        """A receive (or rental) order; with `payer_key` it is paid from that key's balance."""
        now = self._sync()
        if realphone and not self.config.real_phones:
            raise InvalidRequest(NO_REAL_PHONE)
        weeks = None
        if rental:
            offer = rental_offer(country.code)
            if offer is None:
                raise InvalidRequest(NO_RENTAL_AVAILABLE)
            actual: Country | None = country
            weeks = offer.weeks
            amount = rental_price(offer, service)
            description = rental_description(country, service)
        else:
            if service == RENTAL_ALL_SERVICES:
                raise InvalidRequest("Unknown service: full (only rentals take it)")
            if self.stock.count(country.code, service.code) <= 0:
                raise InvalidRequest(NO_NUMBERS_AVAILABLE)
            if country.code == AUTO_SELECT:
                actual = self.stock.auto_select(service.code)
            else:
                actual = country
            amount = self.stock.price(country.code, service.code)
            description = receive_description(country, service)
        if actual is None:
            raise InvalidRequest(NO_NUMBERS_AVAILABLE)
        order = self._new_order(OrderKind.RECEIVE, amount, description, payer_key, now)
        order.requested_country = country.code
        order.country = actual.code
        order.service = service.code
        order.is_rental = rental
        order.rental_weeks = weeks
        order.realphone = realphone
        order.ref = ref
        return self._store(order)

    def create_send_order(
        self,
        phone: str,
        message: str,
        *,
        webhook_url: str | None = None,
        ref: str | None = None,
        payer_key: str | None = None,
    ) -> Order:
        now = self._sync()
        order = self._new_order(
            OrderKind.SEND, self.config.send_price, SEND_DESCRIPTION, payer_key, now
        )
        order.phone = phone
        order.message = message
        order.webhook_url = webhook_url
        order.ref = ref
        order.sms_id = "SM" + os.urandom(16).hex()
        if order.paid:
            order.sms_status = SmsStatus.CREATED
            order.sms_status_at = now
        return self._store(order)

    def create_fund_order(self, api_key: str, amount: int) -> Order:
        now = self._sync()
        order = self._new_order(OrderKind.FUND, amount, FUND_DESCRIPTION, None, now)
        order.api_key = api_key
        return self._store(order)

    def _new_order(
        self, kind: OrderKind, amount: int, description: str, payer_key: str | None, now: float
    ) -> Order:
        if payer_key is None:
            invoice = self.issuer.issue(amount, description, now, self.config.invoice_expiry)
            return Order(
                order_id=invoice.secret.payment_hash,
                kind=kind,
                amount=amount,
                preimage=invoice.secret.preimage,
                created_at=now,
                payreq=invoice.payreq,
                expires_at=invoice.expires_at,
            )
        if self.balance(payer_key) < amount:
            raise InvalidRequest(INSUFFICIENT_BALANCE)
        self.balances[payer_key] = self.balance(payer_key) - amount
        secret = PaymentSecret.generate()
        return Order(
            order_id=secret.payment_hash,
            kind=kind,
            amount=amount,
            preimage=secret.preimage,
            created_at=now,
            payreq=None,
            expires_at=None,
            api_key=payer_key,
            state=OrderState.PAID,
            paid_at=now,
        )

    def _store(self, order: Order) -> Order:
        self.orders[order.order_id] = order
        if order.paid:
            self._changed(order)
        return order

    # Contract actions.

    def cancel(self, order_id: str) -> Order:
        """/cancelorder: unpaid at once; paid without a code only after `cancel_after`."""
        now = self._sync()
        order = self.order(order_id)
        if order.kind != OrderKind.RECEIVE:
            raise InvalidRequest("Only receive orders can be canceled")
        if order.is_rental and order.paid:
            raise InvalidRequest("A paid rental cannot be canceled")
        if order.state == OrderState.CODE:
            raise InvalidRequest("Order already has a code and cannot be canceled")
        if order.closed:
            raise InvalidRequest("Order is already closed")
        if order.paid_at is not None:
            wait = order.paid_at + self.config.cancel_after - now
            if wait > 0:
                raise InvalidRequest(
                    f"Orders can be canceled {duration_text(self.config.cancel_after)} "
                    f"after payment; try again in {math.ceil(wait)} seconds"
                )
        self._end(order, OrderState.CANCELED, now)
        return order

    # Control actions: what a wallet, the upstream provider or an SMS carrier would do.

    def pay(self, order_id: str) -> Order:
        now = self._sync()
        order = self.order(order_id)
        self._pay(order, now)
        return order

    def assign_number(self, order_id: str, number: str | None = None) -> Order:
        now = self._sync()
        order = self._receive_order(order_id)
        if order.state in (OrderState.NUMBER, OrderState.CODE):
            raise TransitionRefused("Order already has a number")
        self._require_waiting(order)
        self._assign_number(order, now, number)
        return order

    def deliver_code(self, order_id: str, code: str | None = None) -> Order:
        now = self._sync()
        order = self._receive_order(order_id)
        if order.is_rental:
            # A rental's code is one more SMS; the rental goes on.
            return self._rental_sms(order, now, None, code)
        if order.state == OrderState.CODE:
            raise TransitionRefused("Order already has a code")
        self._require_waiting(order)
        if order.state == OrderState.PAID:
            self._assign_number(order, now, None)
        self._deliver_code(order, now, code)
        return order

    def deliver_sms(self, order_id: str, text: str | None = None, code: str | None = None) -> Order:
        """One more SMS to a rental (a number first if it has none yet)."""
        now = self._sync()
        return self._rental_sms(self._rental(order_id), now, text, code)

    def end_rental(self, order_id: str) -> Order:
        now = self._sync()
        order = self._rental(order_id)
        self._require_waiting(order)
        self._end(order, OrderState.RENTAL_ENDED, now)
        return order

    def _rental(self, order_id: str) -> Order:
        order = self._receive_order(order_id)
        if not order.is_rental:
            raise TransitionRefused("Only rentals get SMS and end this way")
        return order

    def _rental_sms(self, order: Order, at: float, text: str | None, code: str | None) -> Order:
        self._require_waiting(order)
        if order.state == OrderState.PAID:
            self._assign_number(order, at, None)
        self._add_sms(order, at, text, code)
        return order

    def _add_sms(self, order: Order, at: float, text: str | None, code: str | None) -> None:
        if text is None:
            code = code or str(self.rng.randrange(100_000, 1_000_000))
            text = f"Your verification code is {code}"
        order.messages.append({"text": text, "code": code, "at": at})
        if code is not None:
            order.code, order.code_at = code, at
        self._changed(order)

    def refuse_number(self, order_id: str) -> Order:
        now = self._sync()
        order = self._receive_order(order_id)
        if order.state in (OrderState.NUMBER, OrderState.CODE):
            raise TransitionRefused("Order already has a number")
        self._require_waiting(order)
        self._end(order, OrderState.NO_NUMBER, now)
        return order

    def set_sms_status(self, order_id: str, status: SmsStatus) -> Order:
        now = self._sync()
        order = self.order(order_id)
        if order.kind != OrderKind.SEND:
            raise TransitionRefused("Only send orders have an SMS status")
        if order.sms_status is None:
            expired = order.state == OrderState.INVOICE_EXPIRED
            raise TransitionRefused("Invoice expired" if expired else "Order is not paid")
        if status not in _SMS_STATUS_NEXT[order.sms_status]:
            raise TransitionRefused(f"SMS status cannot go from {order.sms_status} to {status}")
        self._set_sms_status(order, status, now)
        return order

    def set_stock(
        self, country: Country, service: Service, count: int, *, listed: bool = False
    ) -> None:
        if country.code == AUTO_SELECT:
            raise InvalidRequest("Auto-Select has no stock of its own; set a real country")
        self.stock.set(country.code, service.code, count, listed=listed)

    def set_price(self, country: Country, service: Service, price: int) -> None:
        if country.code == AUTO_SELECT:
            raise InvalidRequest("Auto-Select has no price of its own; set a real country")
        self.stock.set_price(country.code, service.code, price)

    # Time.

    def tick(self, now: float) -> None:
        """Applies every transition that is due by `now`, each at the moment it fell due."""
        for order in list(self.orders.values()):
            while (step := self._next_step(order)) is not None and step.due <= now:
                step.apply(step.due)

    def _sync(self) -> float:
        now = self.clock.now()
        self.tick(now)
        return now

    def _next_step(self, order: Order) -> _Step | None:
        if order.state == OrderState.UNPAID:
            steps = self._unpaid_steps(order)
        elif order.kind == OrderKind.RECEIVE:
            steps = self._receive_steps(order)
        elif order.kind == OrderKind.SEND:
            steps = self._send_steps(order)
        else:
            steps = []
        # min() keeps the first of equal candidates, and timers are listed first: they win ties.
        return min(steps, key=lambda step: step.due, default=None)

    def _unpaid_steps(self, order: Order) -> list[_Step]:
        steps = []
        if order.expires_at is not None:
            steps.append(_Step(order.expires_at, lambda at: self._expire_invoice(order, at)))
        if self.config.auto:
            pay_due = order.created_at + self.config.pay_delay
            steps.append(_Step(pay_due, lambda at: self._pay(order, at)))
        return steps

    def _receive_steps(self, order: Order) -> list[_Step]:
        config = self.config
        if order.paid_at is None or order.state not in (OrderState.PAID, OrderState.NUMBER):
            return []
        if order.is_rental:
            return self._rental_steps(order)
        hold_due = order.paid_at + config.hold_timeout
        steps = [_Step(hold_due, lambda at: self._end(order, OrderState.EXPIRED, at))]
        if config.auto and order.state == OrderState.PAID:
            number_due = order.paid_at + config.number_delay
            steps.append(_Step(number_due, lambda at: self._auto_number(order, at)))
        if config.auto and order.state == OrderState.NUMBER and order.number_at is not None:
            code_due = order.number_at + config.code_delay
            steps.append(_Step(code_due, lambda at: self._deliver_code(order, at, None)))
        return steps

    def _rental_steps(self, order: Order) -> list[_Step]:
        assert order.paid_at is not None
        steps = []
        if order.rental_ends_at is not None:
            ends = order.rental_ends_at
            steps.append(_Step(ends, lambda at: self._end(order, OrderState.RENTAL_ENDED, at)))
        if self.config.auto and order.state == OrderState.PAID:
            number_due = order.paid_at + self.config.number_delay
            steps.append(_Step(number_due, lambda at: self._auto_number(order, at)))
        if self.config.auto and order.number_at is not None and not order.messages:
            # Auto mode shows one SMS; more come through the control API (or the demo's keys).
            sms_due = order.number_at + self.config.code_delay
            steps.append(_Step(sms_due, lambda at: self._add_sms(order, at, None, None)))
        return steps

    def _send_steps(self, order: Order) -> list[_Step]:
        following = {SmsStatus.CREATED: SmsStatus.SENT, SmsStatus.SENT: SmsStatus.DELIVERED}
        status = order.sms_status
        if not self.config.auto or order.sms_status_at is None or status not in following:
            return []
        due = order.sms_status_at + self.config.send_delay
        return [_Step(due, lambda at: self._set_sms_status(order, following[status], at))]

    # Transitions.

    def _pay(self, order: Order, at: float) -> None:
        if order.state == OrderState.INVOICE_EXPIRED:
            raise TransitionRefused("Invoice expired")
        if order.closed:
            raise TransitionRefused("Order is already closed")
        if order.paid:
            raise TransitionRefused("Order is already paid")
        order.paid_at = at
        order.state = OrderState.PAID
        if order.is_rental and order.rental_weeks:
            order.rental_ends_at = at + order.rental_weeks * WEEK
        if order.kind == OrderKind.SEND:
            order.sms_status = SmsStatus.CREATED
            order.sms_status_at = at
        elif order.kind == OrderKind.FUND and order.api_key is not None:
            self._credit(order)
        self._changed(order)

    def _credit(self, order: Order) -> None:
        key = order.api_key
        assert key is not None
        self.balances[key] = self.balance(key) + order.amount
        self.fundings.setdefault(key, []).append(
            {
                "amount": order.amount,
                "createdAt": int(order.created_at * 1000),
                "desc": FUND_DESCRIPTION,
                "description": FUND_DESCRIPTION,
                "holdinvoice": True,
                "preimage": order.preimage,
                # The order id is the invoice's payment hash: sha256 of the preimage.
                "preimageHash": order.order_id,
                "price": order.amount,
                "userId": key,
            }
        )

    def _expire_invoice(self, order: Order, at: float) -> None:
        order.state = OrderState.INVOICE_EXPIRED
        order.ended_at = at
        self._changed(order)

    def _auto_number(self, order: Order, at: float) -> None:
        # Stock set to 0 after the order was placed is how a test gets "no number" in auto mode.
        assert order.country is not None
        assert order.service is not None
        if not order.is_rental and self.stock.count(order.country, order.service) <= 0:
            self._end(order, OrderState.NO_NUMBER, at)
        else:
            self._assign_number(order, at, None)

    def _assign_number(self, order: Order, at: float, number: str | None) -> None:
        assert order.country is not None
        order.number = number or plausible_number(order.country, self.rng)
        order.number_at = at
        order.activation_id = self.rng.randrange(1_000_000_000, 2_000_000_000)
        order.state = OrderState.NUMBER
        self._changed(order)

    def _deliver_code(self, order: Order, at: float, code: str | None) -> None:
        # Generated codes never start with 0, so they survive the default number encoding.
        order.code = code or str(self.rng.randrange(100_000, 1_000_000))
        order.code_at = at
        order.state = OrderState.CODE
        order.ended_at = at
        self._changed(order)

    def _end(self, order: Order, state: OrderState, at: float) -> None:
        order.state = state
        order.ended_at = at
        self._changed(order)

    def _set_sms_status(self, order: Order, status: SmsStatus, at: float) -> None:
        order.sms_status = status
        order.sms_status_at = at
        self._changed(order)

    def _receive_order(self, order_id: str) -> Order:
        order = self.order(order_id)
        if order.kind != OrderKind.RECEIVE:
            raise TransitionRefused("Only receive orders get a number and a code")
        return order

    def _require_waiting(self, order: Order) -> None:
        if order.state == OrderState.INVOICE_EXPIRED:
            raise TransitionRefused("Invoice expired")
        if order.closed:
            raise TransitionRefused("Order is already closed")
        if not order.paid:
            raise TransitionRefused("Order is not paid")

    def _changed(self, order: Order) -> None:
        for listener in self._listeners:
            try:
                listener(order)
            except Exception:
                logger.exception("order listener failed for %s", order.order_id)
