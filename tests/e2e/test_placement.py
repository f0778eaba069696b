"""The one money path, for every kind: placing an order from a confirmation.

Against the real sms4sats stand-in over HTTP and a real database; the bot's Telegram side is
not involved.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.core.placement import (
    Confirmation,
    Failed,
    FundRequest,
    OrderRequest,
    Placed,
    ReceiveRequest,
    Refusal,
    Refused,
    SendRequest,
)
from tests.e2e.conftest import ADMIN_ID, Stack

REQUESTS: dict[str, OrderRequest] = {
    "receive": ReceiveRequest(country=187, service="tg", amount=3700),
    "send": SendRequest(phone="+14155550123", message="Hi", amount=3000),
    "fund": FundRequest(amount=5000),
}


def confirmation(message_id: int | None = 42) -> Confirmation:
    return Confirmation(chat_id=ADMIN_ID, user_id=ADMIN_ID, message_id=message_id, private=True)


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_a_double_tap_places_one_order(stack: Stack, kind: str) -> None:
    placement = stack.services.placement
    first, second = await asyncio.gather(
        placement.place(confirmation(), REQUESTS[kind]),
        placement.place(confirmation(), REQUESTS[kind]),
    )
    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert first.order.id == second.order.id and {first.new, second.new} == {True, False}
    assert len(await stack.sms4sats.orders(kind=kind)) == 1
    assert await placement.placements.unfinished() == []


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_two_confirmations_place_two_orders(stack: Stack, kind: str) -> None:
    placement = stack.services.placement
    one = await placement.place(confirmation(1), REQUESTS[kind])
    two = await placement.place(confirmation(2), REQUESTS[kind])
    assert isinstance(one, Placed) and isinstance(two, Placed) and one.order.id != two.order.id


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_sms4sats_failing_stores_nothing_and_leaves_no_intent(
    stack: Stack, kind: str
) -> None:
    await stack.sms4sats.inject_fault("http500", count=1)
    outcome = await stack.services.placement.place(confirmation(), REQUESTS[kind])
    assert isinstance(outcome, Failed)
    assert await stack.services.orders.for_user(ADMIN_ID) == []
    assert await stack.services.placement.placements.unfinished() == []
    # The same confirmation can try again.
    assert isinstance(await stack.services.placement.place(confirmation(), REQUESTS[kind]), Placed)


async def test_dying_between_create_and_store_is_resolved_at_the_next_start(stack: Stack) -> None:
    placement = stack.services.placement
    # The intent is written; then the process "dies" before sms4sats answered or the bot stored.
    assert await placement.placements.begin(ADMIN_ID, 42, ADMIN_ID, ReceiveRequest.kind)
    assert await placement.place(confirmation(), REQUESTS["receive"]) == Refused(
        Refusal.IN_PROGRESS
    )
    resolved = await placement.resolve_unfinished()
    assert [(p.message_id, order) for p, order in resolved] == [(42, None)]
    assert await placement.placements.unfinished() == []


async def test_unpaid_invoices_and_orders_per_hour_are_capped(stack: Stack) -> None:
    placement = stack.services.placement
    for message_id in range(3):
        assert isinstance(await placement.place(confirmation(message_id), REQUESTS["fund"]), Placed)
    refused = await placement.place(confirmation(9), REQUESTS["send"])
    assert refused == Refused(Refusal.TOO_MANY_UNPAID, 3)
    # Paying from the balance opens no invoice: not counted against the unpaid cap.
    balance = SendRequest(phone="+14155550123", message="Hi", amount=3000, from_balance=True)
    assert isinstance(await placement.place(confirmation(10), balance), Placed)
