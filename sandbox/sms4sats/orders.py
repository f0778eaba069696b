"""Orders as the sandbox stores them, and the texts sms4sats shows for their end states."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class OrderKind(StrEnum):
    RECEIVE = "receive"
    SEND = "send"
    FUND = "fund"


class OrderState(StrEnum):
    UNPAID = "unpaid"
    INVOICE_EXPIRED = "invoice_expired"
    PAID = "paid"
    """Receive: waiting for a number (R1). Send: see `sms_status`. Fund: credited."""
    NUMBER = "number"
    """Receive: number assigned, waiting for the code (R2)."""
    CODE = "code"
    """Receive: code delivered, the hold invoice settles (R3)."""
    NO_NUMBER = "no_number"
    """Receive: no number could be had, refunded (R4)."""
    CANCELED = "canceled"
    """Receive: canceled by the client, before or after payment (R5)."""
    EXPIRED = "expired"
    """Receive: no code within the hold timeout, refunded (R5)."""
    RENTAL_ENDED = "rental_ended"
    """Rental: its weeks ran out, or it was ended through the control API."""


CLOSED_STATES = frozenset(
    {
        OrderState.INVOICE_EXPIRED,
        OrderState.CODE,
        OrderState.NO_NUMBER,
        OrderState.CANCELED,
        OrderState.EXPIRED,
        OrderState.RENTAL_ENDED,
    }
)


class SmsStatus(StrEnum):
    CREATED = "created"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


NO_NUMBER_ERROR = (
    "No available number, payment request is canceled. "
    "Your funds are returned to your wallet automatically."
)
CANCELED_ERROR = (
    "Order canceled, payment request is canceled. "
    "Your funds are returned to your wallet automatically."
)
CANCELED_UNPAID_ERROR = "Order canceled, payment request is canceled."
EXPIRED_ERROR = (
    "Order expired without a code, payment request is canceled. "
    "Your funds are returned to your wallet automatically."
)
INVOICE_EXPIRED_ERROR = "Invoice expired"
RENTAL_ENDED_ERROR = "Rental ended"


@dataclass
class Order:
    order_id: str
    """The invoice's payment hash: 64 lowercase hex."""
    kind: OrderKind
    amount: int
    """Sats, as invoiced or as debited from an API key."""
    preimage: str
    created_at: float
    payreq: str | None
    """None when the order was paid from a prepaid balance ("paid" on the wire)."""
    expires_at: float | None
    """When the unpaid invoice stops being payable; None without an invoice."""
    api_key: str | None = None
    """The key that paid (immediate) or is being funded; never shown, only whether there is one."""
    ref: str | None = None
    state: OrderState = OrderState.UNPAID
    paid_at: float | None = None
    ended_at: float | None = None

    # Receive orders.
    requested_country: int | None = None
    """What the client asked for; 999 (Auto-Select) is resolved into `country` at creation."""
    country: int | None = None
    service: str | None = None
    is_rental: bool = False
    realphone: bool = False
    activation_id: int | None = None
    number: str | None = None
    number_at: float | None = None
    code: str | None = None
    code_at: float | None = None

    # Rentals (`is_rental`): the number is kept for `rental_weeks` from payment and receives
    # any number of SMS, each {"text", "code", "at"}.
    rental_weeks: int | None = None
    rental_ends_at: float | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    # Send orders.
    phone: str | None = None
    message: str | None = None
    webhook_url: str | None = None
    sms_id: str | None = None
    sms_status: SmsStatus | None = None
    sms_status_at: float | None = None

    @property
    def paid(self) -> bool:
        return self.paid_at is not None

    @property
    def closed(self) -> bool:
        return self.state in CLOSED_STATES
