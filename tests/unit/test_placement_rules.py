"""Placing an order against fakes: one order per confirmation, the limits, a receive order only
in private, sms4sats failing, and a placement a crash cut short resolved at the next start."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.placement import (
    HOUR,
    Confirmation,
    Failed,
    FundRequest,
    Limits,
    OrderRequest,
    Placed,
    ReceiveRequest,
    Refusal,
    Refused,
    SendRequest,
)
from bot.domain.orders import OrderKind, OrderState
from tests.unit.core import ALICE, build_core, new_order
from tests.unit.fakes import sms4sats_down

REQUESTS: dict[str, OrderRequest] = {
    "receive": ReceiveRequest(country=187, service="tg", amount=3700),
    "send": SendRequest(phone="+14155550123", message="Hi", amount=3000),
    "fund": FundRequest(amount=5000),
}


def confirmation(message_id: int | None = 42, *, private: bool = True) -> Confirmation:
    chat_id = ALICE if private else -100
    return Confirmation(chat_id=chat_id, user_id=ALICE, message_id=message_id, private=private)


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_a_double_tap_places_one_order(kind: str) -> None:
    core = build_core()
    # sms4sats is slow: both taps arrive while the first one's order is being created.
    core.sms4sats.gate = asyncio.Event()
    taps = [asyncio.create_task(core.placement.place(confirmation(), REQUESTS[kind]))
            for _ in range(2)]  # fmt: skip
    await asyncio.sleep(0)
    core.sms4sats.gate.set()
    first, second = await asyncio.gather(*taps)
    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert first.order.id == second.order.id and {first.new, second.new} == {True, False}
    assert len(core.sms4sats.created) == 1 and len(core.orders.rows) == 1
    assert await core.placements.unfinished() == []


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_the_order_is_stored_as_sms4sats_created_it(kind: str) -> None:
    core = build_core()
    outcome = await core.placement.place(confirmation(), REQUESTS[kind])
    assert isinstance(outcome, Placed) and outcome.new
    order = outcome.order
    assert order.kind is OrderKind(kind) and order.remote_id == "remote-1"
    assert order.origin_message_id == 42 and order.state is OrderState.AWAITING_PAYMENT
    # The amount is the invoice's own, which is what the user pays.
    assert order.invoice is not None and order.invoice_expires_at is not None
    assert order.amount_sats == REQUESTS[kind].amount


async def test_a_send_paid_from_the_balance_opens_no_invoice() -> None:
    core = build_core(limits=Limits(unpaid_invoices=1))
    await new_order(core)  # one unpaid invoice already: the limit is reached
    request = SendRequest(phone="+14155550123", message="Hi", amount=3000, from_balance=True)
    outcome = await core.placement.place(confirmation(), request)
    assert isinstance(outcome, Placed)
    assert outcome.order.state is OrderState.PAID and outcome.order.invoice is None


async def test_two_confirmations_place_two_orders() -> None:
    core = build_core()
    one = await core.placement.place(confirmation(1), REQUESTS["receive"])
    two = await core.placement.place(confirmation(2), REQUESTS["receive"])
    assert isinstance(one, Placed) and isinstance(two, Placed) and one.order.id != two.order.id


async def test_unpaid_invoices_are_limited() -> None:
    core = build_core(limits=Limits(unpaid_invoices=2, orders_per_hour=10))
    for message_id in (1, 2):
        assert isinstance(await core.placement.place(confirmation(message_id), REQUESTS["send"]),
                          Placed)  # fmt: skip
    refused = await core.placement.place(confirmation(3), REQUESTS["send"])
    assert refused == Refused(Refusal.TOO_MANY_UNPAID, 2)
    assert len(core.sms4sats.created) == 2
    # Paying one makes room for another.
    await core.orders.update(1, state=OrderState.PAID)
    assert isinstance(await core.placement.place(confirmation(3), REQUESTS["send"]), Placed)


async def test_orders_per_hour_are_limited() -> None:
    core = build_core(limits=Limits(unpaid_invoices=10, orders_per_hour=3))
    for message_id in (1, 2, 3):
        assert isinstance(await core.placement.place(confirmation(message_id), REQUESTS["fund"]),
                          Placed)  # fmt: skip
        core.clock.advance(60)
    refused = await core.placement.place(confirmation(4), REQUESTS["fund"])
    assert refused == Refused(Refusal.TOO_MANY_PER_HOUR, 3)
    # An hour after the first, one more fits.
    core.clock.advance(HOUR - 3 * 60 + 1)
    assert isinstance(await core.placement.place(confirmation(4), REQUESTS["fund"]), Placed)


async def test_a_receive_order_is_placed_only_in_private() -> None:
    core = build_core()
    outcome = await core.placement.place(confirmation(private=False), REQUESTS["receive"])
    assert outcome == Refused(Refusal.PRIVATE_ONLY)
    assert core.sms4sats.created == []
    # A send order may be placed from a group.
    assert isinstance(await core.placement.place(confirmation(private=False), REQUESTS["send"]),
                      Placed)  # fmt: skip


@pytest.mark.parametrize("kind", sorted(REQUESTS))
async def test_sms4sats_failing_stores_nothing_and_leaves_no_intent(kind: str) -> None:
    core = build_core()
    core.sms4sats.failures = [sms4sats_down()]
    assert isinstance(await core.placement.place(confirmation(), REQUESTS[kind]), Failed)
    assert core.orders.rows == {} and await core.placements.unfinished() == []
    # The same confirmation can try again.
    assert isinstance(await core.placement.place(confirmation(), REQUESTS[kind]), Placed)


async def test_a_placement_cut_short_before_the_order_was_stored() -> None:
    core = build_core()
    # The intent is written, then the process dies before sms4sats answered.
    assert await core.placements.begin(ALICE, 42, ALICE, OrderKind.RECEIVE)
    assert await core.placement.place(confirmation(), REQUESTS["receive"]) == Refused(
        Refusal.IN_PROGRESS
    )
    resolved = await core.placement.resolve_unfinished()
    assert [(p.message_id, order) for p, order in resolved] == [(42, None)]
    assert await core.placements.unfinished() == []
    # Resolved: the confirmation places an order again.
    assert isinstance(await core.placement.place(confirmation(), REQUESTS["receive"]), Placed)


async def test_a_placement_cut_short_after_the_order_was_stored() -> None:
    core = build_core()
    assert await core.placements.begin(ALICE, 42, ALICE, OrderKind.RECEIVE)
    stored = await new_order(core, origin_message_id=42)
    resolved = await core.placement.resolve_unfinished()
    assert [(p.message_id, order) for p, order in resolved] == [(42, stored)]
    # The order is found, not placed a second time.
    again = await core.placement.place(confirmation(), REQUESTS["receive"])
    assert again == Placed(stored, new=False) and core.sms4sats.created == []
