"""How an order moves: from what sms4sats reports, and from the clock. Pure functions."""

from __future__ import annotations

from typing import Any

from bot.domain.kinds import rules_for
from bot.domain.orders import Order
from bot.domain.remote import OrderStatus


def apply_status(order: Order, status: OrderStatus, now: float) -> dict[str, Any]:
    """The column changes that `status` from sms4sats makes to `order` (empty if none)."""
    if order.state.is_final:
        return {}
    rules = rules_for(order.kind)
    changes: dict[str, Any] = {}
    paid = status.paid or order.paid_at is not None
    if status.paid and order.paid_at is None:
        changes["paid_at"] = now
    changes.update(rules.details(order, status, now))
    state = rules.next_state(order, status, paid)
    if status.error and status.error != order.error:
        changes["error"] = status.error[:500]
    # Orders only move forward: a stale or glitched answer never takes one back a step.
    if state is not order.state and rules.rank(state) >= rules.rank(order.state):
        changes["state"] = state
    return changes


def apply_deadlines(order: Order, now: float) -> dict[str, Any]:
    """Changes due to time alone; applied only right after a successful check with sms4sats."""
    if order.state.is_final:
        return {}
    return rules_for(order.kind).deadline(order, now)
