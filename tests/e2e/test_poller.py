"""The poller's economy: unchanged orders cost no query, each order is checked at its own pace."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from prometheus_client import generate_latest

from bot.core.engine.poller import OrderPoller
from bot.core.engine.tracker import OrderTracker
from bot.domain.kinds.base import SLOW_POLL_AFTER, SLOW_POLL_FACTOR
from bot.domain.orders import Order
from bot.sms4sats import Sms4SatsClient
from bot.wiring.metrics import BotMetrics
from storage import OrderStore
from tests.e2e.conftest import ALICE, BOB, POLL_INTERVAL, Stack
from tests.e2e.flows import buy, eventually, pay_and_get_number


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


async def test_under_the_ceiling_orders_waiting_for_a_code_go_first_and_stretch_evenly(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = []
    for user in (ALICE, BOB):
        invoice = await buy(stack, user)
        await pay_and_get_number(stack, user, invoice)
        waiting.append(invoice.remote_id)
    unpaid = [(await buy(stack, user)).remote_id for user in (ALICE, BOB)]
    services = stack.services
    await services.poller.close()  # only ours checks from here on
    checked: Counter[str] = Counter()
    check = OrderTracker.check

    async def counted(self: OrderTracker, order: Order, *, wait: bool = True) -> Order:
        checked[order.remote_id] += 1
        return await check(self, order, wait=wait)

    monkeypatch.setattr(OrderTracker, "check", counted)
    # Four orders due every interval (20 checks a second), a ceiling of 2 a second.
    poller = OrderPoller(
        services.tracker, services.outbox, services.orders, poll_interval=POLL_INTERVAL,
        max_requests_per_second=2,
    )  # fmt: skip
    ticks = 50  # 10 s on the bot's clock
    await poller.tick()
    for _ in range(ticks):
        stack.clock.offset += POLL_INTERVAL
        await poller.tick()
    seconds = ticks * POLL_INTERVAL
    # Within the ceiling (and its burst of one)...
    assert sum(checked.values()) <= 2 * seconds + 2
    # ...the orders waiting for a code take the checks there are, evenly...
    assert abs(checked[waiting[0]] - checked[waiting[1]]) <= 1
    assert checked[waiting[0]] + checked[waiting[1]] >= 1.5 * seconds
    # ...and the invoices wait.
    assert [checked[remote_id] for remote_id in unpaid] == [0, 0]
    # /metrics says that the ceiling binds.
    metrics = BotMetrics()
    metrics.ceiling(poller.held_by_ceiling, poller.waiting_for_ceiling)
    text = generate_latest(metrics.registry).decode()
    assert f"sms4sats_bot_checks_held_by_ceiling_total {float(poller.held_by_ceiling)}" in text
    assert poller.held_by_ceiling >= sum(checked.values()) - 4
    assert poller.waiting_for_ceiling >= 2
    assert f"sms4sats_bot_checks_waiting_for_ceiling {float(poller.waiting_for_ceiling)}" in text


async def test_below_the_ceiling_nothing_waits(stack: Stack) -> None:
    await buy(stack, ALICE)
    services = stack.services
    poller = OrderPoller(
        services.tracker, services.outbox, services.orders, poll_interval=POLL_INTERVAL,
        max_requests_per_second=100,
    )  # fmt: skip
    assert await checks_over(stack, poller, 8) in (7, 8)
    assert poller.held_by_ceiling == 0 and poller.waiting_for_ceiling == 0


async def test_a_hanging_check_holds_back_only_its_own_order(stack: Stack) -> None:
    invoices = {}
    for user, code in ((ALICE, "731904"), (BOB, "582613")):
        invoice = await buy(stack, user)
        await pay_and_get_number(stack, user, invoice)
        invoices[code] = invoice
    services = stack.services
    await services.poller.close()  # only ours checks from here on
    for code, invoice in invoices.items():
        await stack.sms4sats.deliver_code(invoice.remote_id, code)
    # The next status call hangs for 5 s, well within this client's patience...
    await stack.sms4sats.inject_fault("slow", count=1, path="/orderstatus", delay=5)
    patient = Sms4SatsClient(
        stack.http, stack.settings.sms4sats_api_url, status_timeout=httpx.Timeout(10.0)
    )
    tracker = OrderTracker(
        services.notifier, services.orders, services.chats, patient,
        poll_interval=POLL_INTERVAL, clock=stack.clock,
    )  # fmt: skip
    # ...and the poller has a single slot: the hung call gives it back.
    poller = OrderPoller(
        tracker, services.outbox, services.orders, poll_interval=POLL_INTERVAL, concurrency=1
    )
    assert (await poller.tick()).orders == 0  # takes the orders in, each at its own phase
    stack.clock.offset += POLL_INTERVAL
    tick = asyncio.create_task(poller.tick())  # both due, one slot

    async def one_code_told() -> bool:
        calls = await stack.telegram.calls()
        codes = [str(c["params"].get("text", "")) for c in calls if c["method"] == "sendMessage"]
        return sum(any(t.startswith("🔑") and code in t for t in codes) for code in invoices) == 1

    await eventually(one_code_told, timeout=4)
    assert not tick.done()  # the other order's check still hangs
    report = await tick
    assert (report.orders, report.failed) == (2, 0)
    for user, code in ((ALICE, "731904"), (BOB, "582613")):
        await stack.wait_text(user, code)
