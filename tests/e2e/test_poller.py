"""The poller's economy: unchanged orders cost no query, each order is checked at its own pace."""

from __future__ import annotations

import pytest

from bot.core.poller import OrderPoller
from bot.domain.kinds.base import SLOW_POLL_AFTER, SLOW_POLL_FACTOR
from bot.domain.orders import Order
from storage import OrderStore
from tests.e2e.conftest import ALICE, POLL_INTERVAL, Stack
from tests.e2e.flows import buy, pay_and_get_number


def own_poller(stack: Stack) -> OrderPoller:
    """A poller of our own, driven tick by tick (the bot's own keeps running beside it)."""
    services = stack.services
    return OrderPoller(
        services.tracker, services.outbox, services.orders, poll_interval=POLL_INTERVAL
    )


async def checks_over(stack: Stack, poller: OrderPoller, intervals: int) -> int:
    """How many checks `poller` makes while the clock moves `intervals` intervals on."""
    before = poller.checks
    await poller.tick()  # takes the open orders in
    for _ in range(intervals):
        stack.clock.offset += POLL_INTERVAL
        await poller.tick()
    return poller.checks - before


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


async def test_fresh_invoices_are_checked_once_an_interval(stack: Stack) -> None:
    await buy(stack, ALICE)
    # The first check falls somewhere in the first interval (each order has its own phase).
    assert await checks_over(stack, own_poller(stack), 8) in (7, 8)


async def test_stale_unpaid_invoices_are_checked_less_often(stack: Stack) -> None:
    await buy(stack, ALICE)
    stack.clock.offset += SLOW_POLL_AFTER + 1
    intervals = 4 * SLOW_POLL_FACTOR
    assert await checks_over(stack, own_poller(stack), intervals) in (3, 4)


async def test_orders_waiting_for_a_code_are_checked_once_an_interval(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    stack.clock.offset += SLOW_POLL_AFTER + 1
    assert await checks_over(stack, own_poller(stack), 8) in (7, 8)


async def test_ended_orders_are_never_checked(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.sms4sats.deliver_code(invoice.remote_id, "7788")
    await stack.wait_text(ALICE, "Done")
    assert await checks_over(stack, own_poller(stack), 8) == 0
