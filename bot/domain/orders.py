"""An order and the states it goes through; what differs by kind lives in `bot.domain.kinds`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderKind(StrEnum):
    RECEIVE = "receive"
    SEND = "send"
    FUND = "fund"
    RENTAL = "rental"


class OrderState(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"  # receive: getting a number; send: SMS created; fund: (not used)
    NUMBER = "number"  # receive: number assigned, waiting for the code
    SENT = "sent"  # send: handed to the carrier, waiting for delivery
    # Final states
    COMPLETED = "completed"  # receive: code received; send: delivered; fund: credited;
    # rental: the rental ended (its term passed, or sms4sats ended it)
    NO_NUMBER = "no_number"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # paid, but no code in time: the hold invoice was released
    FAILED = "failed"  # send: the SMS could not be delivered
    INVOICE_EXPIRED = "invoice_expired"  # never paid

    @property
    def is_final(self) -> bool:
        return self not in OPEN_STATES


OPEN_STATES = frozenset(
    {OrderState.AWAITING_PAYMENT, OrderState.PAID, OrderState.NUMBER, OrderState.SENT}
)

# A code message whose send timed out may have reached the user anyway (Telegram has no
# idempotency key): it is sent at most this many times in all.
MAX_CODE_SENDS = 2


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    remote_id: str
    kind: OrderKind
    user_id: int
    chat_id: int
    card_message_id: int | None
    origin_message_id: int | None
    country_code: int | None
    country_name: str | None
    service_code: str | None
    service_name: str | None
    phone: str | None
    message: str | None
    amount_sats: int | None
    invoice: str | None
    invoice_expires_at: float | None
    paid_from_balance: bool
    state: OrderState
    number: str | None
    code: str | None
    error: str | None
    paid_at: float | None
    number_at: float | None
    shown_state: str | None
    shown_number: str | None
    code_message_id: int | None
    poll_failures: int
    next_poll_at: float | None
    created_at: float
    updated_at: float
    closed_at: float | None
    code_sends: int = 0
    """Attempts to send the code message so far, counted *before* each attempt."""
    tell_after: float | None = None
    """After an unknown outcome (a timeout), nothing more is sent to the user before this."""
    code_at: float | None = None
    """When the code arrived (receive orders); /stats measures payment -> code with it."""
    warn_requested_at: float | None = None
    """When the warning that the order is about to run out became due (receive orders)."""
    warned_at: float | None = None
    """When that warning was sent, written before sending: one warning per order, at most."""
    real_phone: bool = False
    """A real SIM from the sms4sats network was asked for (receive orders)."""
    rental_weeks: int | None = None
    """How long the rental runs, as sms4sats offered it (rental orders)."""
    ends_at: float | None = None
    """When the rental ends: sms4sats' own end time if its status has one, else payment time
    plus the duration."""
    fast_poll_until: float | None = None
    """Rentals are checked every poll interval until then (after payment, an SMS or the
    user's "expecting an SMS"), and every RENTAL_SLOW_POLL seconds otherwise."""
    sms_digest: str | None = None
    """A digest of the SMS in sms4sats' last answer: a new one shows as a change to it."""
    sms_count: int = 0
    """The rental's SMS stored so far (rows of `rental_sms`)."""
    sms_settled: int = 0
    """How many of them are told, or given up on (24 hours, the chat unreachable)."""
    shown_sms: int = 0
    """How many SMS the card showed when it was last shown."""
    recent_sms: str | None = None
    """The last few SMS as JSON, for the card: [{"text", "code", "at"}], newest last."""

    @property
    def code_pending(self) -> bool:
        """A code has arrived that the user has not been sent yet (or may not have been)."""
        return (
            self.code is not None
            and self.code_message_id is None
            and self.code_sends < MAX_CODE_SENDS
        )

    @property
    def card_outdated(self) -> bool:
        return (
            self.shown_state != self.state
            or self.shown_number != self.number
            or self.shown_sms != self.sms_count
        )

    @property
    def sms_pending(self) -> bool:
        """A rental has SMS its user has not been sent yet (nor given up on)."""
        return self.sms_settled < self.sms_count

    @property
    def warning_pending(self) -> bool:
        """The order is about to run out and its user has not been warned; once it ended (a
        code, a refund) the warning has nothing left to say."""
        return (
            self.warn_requested_at is not None
            and self.warned_at is None
            and not self.state.is_final
        )

    @property
    def untold(self) -> bool:
        """Something happened that the user has not been told yet."""
        return self.card_outdated or self.code_pending or self.warning_pending or self.sms_pending
