"""A /send draft: the phone number and message an admin is putting together, and its price."""

from __future__ import annotations

from dataclasses import dataclass

# What one SMS carries: a longer message is refused before it is priced.
MAX_SMS_LENGTH = 140


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    chat_id: int
    user_id: int
    phone: str
    message: str | None
    price: int | None
    created_at: float
