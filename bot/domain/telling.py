"""What the user is told about an order, piece by piece, and how urgently: the outbox's units.

A part is told by its own message or edit (the code, the card, the expiry warning); the outbox
sends the most urgent first and keeps one queued entry per part of an order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Part(StrEnum):
    CODE = "code"
    CARD = "card"
    WARNING = "warning"
    SMS = "sms"  # a rental's SMS, each its own message


class Priority(IntEnum):
    """Lower goes first."""

    CODE = 0
    WAITED_FOR = 1  # paid, a number, a refund: the user is waiting for it
    COSMETIC = 2  # an edit nobody waits for (the card of a delivered code, an expired invoice)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    order_id: int
    part: Part
    chat_id: int
    priority: Priority
    due_at: float
