"""The tracker against fakes: a check stores what sms4sats says and tells nobody; a tell sends
what is untold, the code first, once; an unreachable chat stops it. (What failed tells cost is
in test_tracker_tells.py, against a real SQLite file.)"""

from __future__ import annotations

from bot.core.engine.teller import OutcomeUnknown
from bot.core.engine.tracker import UNKNOWN_OUTCOME_WAIT
from bot.domain.kinds.receive import HOLD_TIMEOUT, WARN_BEFORE
from bot.domain.orders import OrderState
from bot.domain.remote import OrderStatus
from bot.domain.telling import Part
from tests.unit.core import ALICE, build_core, new_order
from tests.unit.fakes import Told


async def test_a_check_stores_the_news_and_tells_nobody() -> None:
    core = build_core()
    order = await new_order(core)
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="14155550123")
    checked = await core.tracker.check(order)
    assert checked.state is OrderState.NUMBER and checked.number == "14155550123"
    assert checked.paid_at == core.clock() and checked.untold
    assert core.teller.told == []


async def test_a_tell_sends_the_code_before_the_card_and_only_once() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.NUMBER, paid_at=core.clock(), number="1415")
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415", code="4242")
    order = await core.tracker.poll(order)
    assert core.teller.told == [
        Told("code", order.id, OrderState.COMPLETED),
        Told("card", order.id, OrderState.COMPLETED),
    ]
    assert not order.untold and order.closed_at == core.clock()
    assert await core.tracker.tell(order.id) == order
    assert len(core.teller.told) == 2


async def test_a_tell_of_one_part_leaves_the_others_untold() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.COMPLETED, code="4242", code_at=core.clock())
    told = await core.tracker.tell(order.id, (Part.CODE,))
    assert told is not None and not told.code_pending and told.card_outdated
    assert [t.what for t in core.teller.told] == ["code"]


async def test_the_warning_is_sent_once_before_the_number_runs_out() -> None:
    core = build_core()
    paid_at = core.clock()
    order = await new_order(core, state=OrderState.NUMBER, paid_at=paid_at, number="1415",
                            shown_state=OrderState.NUMBER, shown_number="1415")  # fmt: skip
    core.sms4sats.statuses[order.remote_id] = OrderStatus(paid=True, number="1415")
    core.clock.now = paid_at + HOLD_TIMEOUT - WARN_BEFORE + 1
    for _ in range(3):
        order = await core.tracker.poll(order)
        core.clock.advance(10)
    assert [t.what for t in core.teller.told] == ["warning"]


async def test_an_unknown_outcome_waits_before_anything_else_is_sent() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.COMPLETED, code="4242", code_at=core.clock())
    core.teller.failures["code"] = [OutcomeUnknown("timed out")]
    told = await core.tracker.tell(order.id)
    assert told is not None and told.code_sends == 1
    assert told.tell_after == core.clock() + UNKNOWN_OUTCOME_WAIT
    assert await core.tracker.tell(order.id) == told and core.teller.told == []
    core.clock.advance(UNKNOWN_OUTCOME_WAIT)
    told = await core.tracker.tell(order.id)
    # Sent again (it may not have arrived), and counted: the cap allows one repeat.
    assert told is not None and told.code_sends == 2 and not told.untold
    assert [t.what for t in core.teller.told] == ["code", "card"]


async def test_an_unreachable_chat_is_marked_and_the_order_closed_untold() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.COMPLETED, code="4242", code_at=core.clock())
    core.teller.unreachable.add(ALICE)
    told = await core.tracker.tell(order.id)
    assert core.chats.statuses == {ALICE: "kicked"}
    assert told is not None and told.untold and told.closed_at == core.clock()
