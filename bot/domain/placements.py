"""A placement in progress: a confirmation whose order is being created at sms4sats."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.orders import OrderKind


@dataclass(frozen=True, slots=True)
class Placement:
    chat_id: int
    message_id: int
    user_id: int
    kind: OrderKind
    started_at: float
