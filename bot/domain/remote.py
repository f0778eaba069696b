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
