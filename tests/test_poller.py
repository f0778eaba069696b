"""The poller's economy: unchanged orders cost no query, stale unpaid invoices are polled less."""

from __future__ import annotations

import pytest

from bot.core.poller import OrderPoller
from bot.domain.kinds.base import SLOW_POLL_AFTER, SLOW_POLL_FACTOR
from bot.domain.orders import Order
from storage import OrderStore
from tests.conftest import ALICE, POLL_INTERVAL, Stack
from tests.flows import buy, pay_and_get_number


def own_poller(stack: Stack) -> OrderPoller:
    services = stack.services
    return OrderPoller(
        services.tracker,
        services.deliveries,
        services.orders,
        services.chats,
        poll_interval=POLL_INTERVAL,
    )


async def ticks(stack: Stack, poller: OrderPoller, count: int) -> list[int]:
    """How many orders each of `count` ticks checked, the clock moving one interval each."""
    checked = []
    for _ in range(count):
        checked.append((await poller.tick()).orders)
        stack.clock.offset += POLL_INTERVAL
    return checked


async def test_unchanged_order_costs_no_database_access(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    services = stack.services
    order = (await services.orders.open_orders())[0]
    assert not order.card_outdated

    async def no_reads(self: OrderStore, order_id: int) -> Order | None:
        raise AssertionError("an unchanged order was read again")

    async def no_writes(self: OrderStore, order_id: int, **changes: object) -> Order:
        raise AssertionError("an unchanged order was written")

    monkeypatch.setattr(OrderStore, "get", no_reads)
    monkeypatch.setattr(OrderStore, "update", no_writes)
    assert await services.tracker.check(order) == order


async def test_stale_unpaid_invoices_are_polled_less_often(stack: Stack) -> None:
    await buy(stack, ALICE)
    poller = own_poller(stack)
    assert await ticks(stack, poller, SLOW_POLL_FACTOR) == [1] * SLOW_POLL_FACTOR

    stack.clock.offset += SLOW_POLL_AFTER + 1
    assert sum(await ticks(stack, poller, 2 * SLOW_POLL_FACTOR)) == 2


async def test_paid_orders_are_polled_every_tick(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    stack.clock.offset += SLOW_POLL_AFTER + 1
    poller = own_poller(stack)
    assert await ticks(stack, poller, SLOW_POLL_FACTOR) == [1] * SLOW_POLL_FACTOR
