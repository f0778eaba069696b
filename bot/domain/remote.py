"""What sms4sats reports about an order, in the domain's terms (the client parses into these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SmsStatus(StrEnum):
    CREATED = "created"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ReceivedSms:
    """One SMS a rented number received, as sms4sats reported it."""

    text: str
    code: str | None = None
    """The code in it, when one is recognisable (a copy button carries it)."""
    received_at: float | None = None
    """Seconds since the epoch, when sms4sats gave a time."""

    @property
    def key(self) -> str:
        """What makes this SMS itself: the same SMS seen twice has the same key."""
        when = "" if self.received_at is None else f"{self.received_at:.0f}"
        return f"{when}|{self.text}"


@dataclass(frozen=True, slots=True)
class OrderStatus:
    paid: bool
    number: str | None = None
    """Digits only, no `+`."""
    code: str | None = None
    error: str | None = None
    """Set when sms4sats ended the order (no number, cancelled, expired): the hold is released."""
    sms_status: SmsStatus | None = None
    provider_id: str | None = None
    country: str | None = None
    service: str | None = None
    timestamp: datetime | None = None
    messages: tuple[ReceivedSms, ...] = ()
    """Rentals: the SMS the status carries, oldest first (see `bot.domain.rental_status`)."""
    ends_at: float | None = None
    """Rentals: when sms4sats says the rental ends, if it says."""
