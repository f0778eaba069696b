"""One SMS a rented number received, as stored: told once, by its own message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredSms:
    id: int
    order_id: int
    text: str
    code: str | None
    received_at: float | None
    stored_at: float
    sends: int
    message_id: int | None
