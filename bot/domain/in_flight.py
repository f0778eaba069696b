"""A placement in flight: a confirmation whose order is being created at sms4sats (its row
in `placements` says so until the order is stored, so a restart can tell what became of it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.orders import OrderKind


@dataclass(frozen=True, slots=True)
class InFlightPlacement:
    chat_id: int
    message_id: int
    user_id: int
    kind: OrderKind
    started_at: float
