"""Cancelling and withdrawing as use cases, against fakes: what comes of each press, and that
sms4sats is asked to cancel only when it would take the cancel."""

from __future__ import annotations

from bot.core.ordering import (
    NOT_YOURS,
    Cancelled,
    CancelRefused,
    Looked,
    OrderDesk,
    Refusal,
    Reposted,
    Shown,
    TooEarly,
    Withdrawn,
)
from bot.domain.kinds.receive import CANCEL_AFTER
from bot.domain.orders import OrderKind, OrderState
from bot.domain.remote import OrderStatus
from bot.domain.sms4sats_terms import Problem, Sms4SatsError
from tests.unit.core import ALICE, BOB, Core, build_core, new_order
from tests.unit.fakes import sms4sats_down


def desk_of(core: Core) -> OrderDesk:
    return OrderDesk(core.orders, core.tracker, core.sms4sats, core.clock)


async def test_someone_elses_order_and_a_missing_one_are_answered_alike() -> None:
    core = build_core()
    order = await new_order(core)
    desk = desk_of(core)
    for user, order_id in ((BOB, order.id), (ALICE, order.id + 100)):
        assert await desk.cancel(user, order_id) is NOT_YOURS
        assert await desk.show(user, order_id) is NOT_YOURS
        assert await desk.look_now(user, order_id) is NOT_YOURS
    assert core.sms4sats.cancelled == [] and core.sms4sats.status_checks == []


async def test_an_unpaid_number_is_cancelled_at_sms4sats() -> None:
    core = build_core()
    order = await new_order(core)
    assert await desk_of(core).cancel(ALICE, order.id) == Cancelled(paid=False)
    assert core.sms4sats.cancelled == [order.remote_id]
    assert (await core.orders.get(order.id)).state is OrderState.CANCELLED  # type: ignore[union-attr]
    assert await desk_of(core).cancel(ALICE, order.id) is Refusal.ALREADY_CANCELLED


async def test_a_paid_number_waits_until_sms4sats_takes_a_cancel() -> None:
    core = build_core()
    paid_at = core.clock()
    order = await new_order(core, state=OrderState.NUMBER, paid_at=paid_at, number="1415")
    early = await desk_of(core).cancel(ALICE, order.id)
    assert early == TooEarly(paid_at + CANCEL_AFTER, paid_at)
    assert core.sms4sats.cancelled == []
    core.clock.now = paid_at + CANCEL_AFTER
    assert await desk_of(core).cancel(ALICE, order.id) == Cancelled(paid=True)


async def test_a_refused_cancel_looks_at_the_order_again() -> None:
    """A refusal may mean the order moved on (a code came): it is checked once more."""
    core = build_core()
    order = await new_order(core)
    core.sms4sats.failures.append(Sms4SatsError(Problem.REFUSED, reason="code received"))
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415", code="4242")
    outcome = await desk_of(core).cancel(ALICE, order.id)
    assert isinstance(outcome, CancelRefused) and outcome.error.reason == "code received"
    assert core.sms4sats.status_checks == [order.remote_id]
    assert (await core.orders.get(order.id)).state is OrderState.COMPLETED  # type: ignore[union-attr]


async def test_an_unpaid_sms_invoice_is_withdrawn_unless_it_was_paid_meanwhile() -> None:
    core = build_core()
    unpaid = await new_order(core, kind=OrderKind.SEND)
    assert await desk_of(core).cancel(ALICE, unpaid.id) == Withdrawn()
    assert core.sms4sats.cancelled == []  # sms4sats cannot cancel it: only forgotten here
    paid = await new_order(core, kind=OrderKind.SEND)
    core.sms4sats.statuses[paid.remote_id] = OrderStatus(paid=True)
    assert await desk_of(core).cancel(ALICE, paid.id) is Refusal.NOT_POSSIBLE
    assert (await core.orders.get(paid.id)).state is not OrderState.CANCELLED  # type: ignore[union-attr]


async def test_an_open_order_is_reposted_and_an_ended_one_shown() -> None:
    core = build_core()
    open_order = await new_order(core)
    assert await desk_of(core).show(ALICE, open_order.id) == Reposted()
    ended = await new_order(core, state=OrderState.CANCELLED, closed_at=core.clock())
    shown = await desk_of(core).show(ALICE, ended.id)
    assert isinstance(shown, Shown) and shown.order.id == ended.id and shown.now == core.clock()


async def test_looking_now_says_when_sms4sats_could_not_be_asked() -> None:
    core = build_core()
    order = await new_order(core)
    core.sms4sats.failures.append(sms4sats_down())
    looked = await desk_of(core).look_now(ALICE, order.id)
    assert isinstance(looked, Looked) and looked.trouble
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415")
    looked = await desk_of(core).look_now(ALICE, order.id)
    assert isinstance(looked, Looked) and not looked.trouble
    assert looked.order.state is OrderState.NUMBER
