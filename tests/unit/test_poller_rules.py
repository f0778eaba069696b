"""The poller's rules against fakes: each open order checked on its own schedule, nothing
checked once it ended, a failed check backing off, an unchanged order costing no storage."""

from __future__ import annotations

import itertools
from collections import Counter

from bot.core.engine.poller import OrderPoller
from bot.core.engine.tracker import MAX_POLL_BACKOFF
from bot.domain.kinds.base import SLOW_POLL_AFTER, SLOW_POLL_FACTOR
from bot.domain.orders import OrderState
from bot.domain.remote import OrderStatus
from tests.unit.core import BOB, POLL_INTERVAL, Core, build_core, new_order
from tests.unit.fakes import sms4sats_down


async def checks_per_order(core: Core, poller: OrderPoller, intervals: int) -> Counter[str]:
    """The status checks each order gets while the clock moves `intervals` intervals on."""
    before = len(core.sms4sats.status_checks)
    await poller.tick()  # takes the open orders in
    for _ in range(intervals):
        core.clock.advance(POLL_INTERVAL)
        await poller.tick()
    return Counter(core.sms4sats.status_checks[before:])


async def test_each_open_order_is_checked_once_an_interval() -> None:
    core = build_core()
    orders = [await new_order(core) for _ in range(3)]
    checks = await checks_per_order(core, core.poller, 8)
    # The first check falls somewhere in the first interval (each order has its own phase).
    assert set(checks) == {o.remote_id for o in orders}
    assert all(n in (8, 9) for n in checks.values()), checks


async def test_orders_are_spread_over_the_interval() -> None:
    core = build_core()
    for _ in range(10):
        await new_order(core)
    await core.poller.tick()
    # Not all at once: within the first interval the orders come due at different moments.
    steps = []
    for _ in range(4):
        core.clock.advance(POLL_INTERVAL / 4)
        steps.append((await core.poller.tick()).orders)
    assert sum(steps) == 10 and max(steps) < 10


async def test_stale_unpaid_invoices_are_checked_less_often() -> None:
    core = build_core()
    stale = await new_order(core)
    core.clock.advance(SLOW_POLL_AFTER + 1)
    waiting = await new_order(
        core, chat_id=BOB, state=OrderState.NUMBER, paid_at=core.clock(), number="14155550123"
    )
    core.sms4sats.statuses[waiting.remote_id] = OrderStatus(paid=True, number="14155550123")
    checks = await checks_per_order(core, core.poller, 4 * SLOW_POLL_FACTOR)
    assert checks[stale.remote_id] in (4, 5)
    assert checks[waiting.remote_id] in (16, 17)


async def test_nothing_is_checked_after_the_order_ended() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.NUMBER, paid_at=core.clock(), number="1415")
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415")
    assert (await checks_per_order(core, core.poller, 2))[order.remote_id] >= 2
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415", code="7788")
    core.clock.advance(POLL_INTERVAL)
    await core.poller.tick()
    assert core.orders.rows[order.id].state is OrderState.COMPLETED
    assert await checks_per_order(core, core.poller, 8) == Counter()


async def test_orders_ended_before_the_start_are_never_checked() -> None:
    core = build_core()
    await new_order(core, state=OrderState.CANCELLED, closed_at=core.clock())
    assert await checks_per_order(core, core.poller, 8) == Counter()


async def test_a_failed_check_backs_off_and_a_good_one_resets_it() -> None:
    core = build_core()
    order = await new_order(core)
    await core.poller.tick()
    core.sms4sats.failures = [sms4sats_down() for _ in range(3)]
    checked_at = []
    for _ in range(40):
        core.clock.advance(POLL_INTERVAL / 2)
        before = len(core.sms4sats.status_checks)
        await core.poller.tick()
        if len(core.sms4sats.status_checks) > before:
            checked_at.append(core.clock())
        if not core.sms4sats.failures and core.orders.rows[order.id].poll_failures == 0:
            break
    # Three failures, then a check that worked: each wait about twice the one before.
    gaps = [b - a for a, b in itertools.pairwise(checked_at)]
    assert len(checked_at) == 4
    assert gaps[0] >= 2 * POLL_INTERVAL and gaps[1] >= 4 * POLL_INTERVAL
    assert gaps[2] >= 8 * POLL_INTERVAL
    stored = core.orders.rows[order.id]
    assert stored.poll_failures == 0 and stored.next_poll_at is None


async def test_backoff_is_capped() -> None:
    core = build_core()
    order = await new_order(core, poll_failures=30)
    core.sms4sats.failures = [sms4sats_down()]
    checked = await core.tracker.check(order)
    assert checked.poll_failures == 31
    assert checked.next_poll_at == core.clock() + MAX_POLL_BACKOFF


async def test_a_failed_check_changes_nothing_else() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.NUMBER, paid_at=core.clock(), number="1415")
    core.sms4sats.failures = [sms4sats_down()]
    checked = await core.tracker.check(order)
    assert checked.state is OrderState.NUMBER and checked.number == "1415"


async def test_an_unchanged_order_costs_no_storage() -> None:
    core = build_core()
    order = await new_order(
        core,
        state=OrderState.NUMBER,
        paid_at=core.clock(),
        number="14155550123",
        shown_state=OrderState.NUMBER,
        shown_number="14155550123",
    )
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="14155550123")
    reads, writes = core.orders.reads, core.orders.writes
    assert await core.tracker.check(order) == order
    assert (core.orders.reads, core.orders.writes) == (reads, writes)


async def test_news_is_stored_and_handed_to_the_outbox_not_told() -> None:
    core = build_core()
    order = await new_order(core)
    await core.poller.tick()
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True)
    core.clock.advance(POLL_INTERVAL)
    await core.poller.tick()
    assert core.orders.rows[order.id].state is OrderState.PAID
    # The check told nobody: the outbox holds the card to tell (its loop is not running).
    assert core.teller.told == []
    assert core.outbox.pending >= 1
    assert any(row.order_id == order.id for row in await core.outbox_rows.pending())
