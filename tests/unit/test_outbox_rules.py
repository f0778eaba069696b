"""The outbox's rules against fakes: a code goes before card edits, edits of one card coalesce,
a tell that failed is tried again, an unreachable chat is not written to any more."""

from __future__ import annotations

from bot.core.engine.outbox import RETRY_FIRST
from bot.core.engine.teller import TellFailed
from bot.domain.orders import OrderState
from tests.unit.core import ALICE, build_core, eventually, new_order, running_outbox
from tests.unit.fakes import Told


async def test_a_code_goes_before_card_edits_queued_earlier() -> None:
    core = build_core()
    # Three messages to one chat: within its burst, so its budget delays none of them.
    cards = [await new_order(core, state=OrderState.PAID) for _ in range(2)]
    coded = await new_order(
        core,
        state=OrderState.COMPLETED,
        number="14155550123",
        code="424242",
        code_at=core.clock(),
        shown_state=OrderState.COMPLETED,
        shown_number="14155550123",
    )
    for order in [*cards, coded]:
        await core.outbox.add(order)
    async with running_outbox(core):
        await eventually(lambda: core.outbox.pending == 0)
    assert core.teller.told[0] == Told("code", coded.id, OrderState.COMPLETED)
    assert {t.order_id for t in core.teller.of("card")} == {cards[0].id, cards[1].id}


async def test_edits_of_one_card_coalesce_into_its_newest_state() -> None:
    core = build_core()
    order = await new_order(core)
    for state in (OrderState.PAID, OrderState.NUMBER):
        order = await core.orders.update(order.id, state=state, number="1415")
        await core.outbox.add(order)
    assert core.outbox.pending == 1 and len(await core.outbox_rows.pending()) == 1
    async with running_outbox(core):
        await eventually(lambda: core.outbox.pending == 0)
    assert core.teller.of("card") == [Told("card", order.id, OrderState.NUMBER)]
    assert await core.outbox_rows.pending() == []


async def test_news_arriving_during_a_tell_is_told_after_it() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.PAID)

    async def number_arrives(told: Told) -> None:
        # While the card is on its way, a check stores the number and adds the order.
        core.teller.during = None
        news = await core.orders.update(order.id, state=OrderState.NUMBER, number="1415")
        await core.outbox.add(news)

    core.teller.during = number_arrives
    await core.outbox.add(order)
    async with running_outbox(core):
        await eventually(lambda: core.teller.during is None)
        # Within the first retry's wait (the outbox treats the part as still untold).
        core.clock.advance(RETRY_FIRST)
        await eventually(lambda: core.outbox.pending == 0)
    assert [t.state for t in core.teller.of("card")] == [OrderState.PAID, OrderState.NUMBER]


async def test_a_failed_tell_is_tried_again_and_not_counted() -> None:
    core = build_core()
    order = await new_order(
        core,
        state=OrderState.COMPLETED,
        number="1415",
        code="424242",
        code_at=core.clock(),
        shown_state=OrderState.COMPLETED,
        shown_number="1415",
    )
    core.teller.failures["code"] = [TellFailed("Bad Gateway")]
    await core.outbox.add(order)
    async with running_outbox(core):
        await eventually(lambda: len(core.teller.attempts) == 1)
        # Certainly not arrived: not counted, still to tell, and tried again after a wait on
        # the bot's clock.
        assert core.orders.rows[order.id].code_sends == 0 and core.outbox.pending == 1
        core.clock.advance(RETRY_FIRST)
        await eventually(lambda: core.outbox.pending == 0)
    assert core.teller.of("code") == [Told("code", order.id, OrderState.COMPLETED)]
    assert core.orders.rows[order.id].code_sends == 1
    assert await core.outbox_rows.pending() == []


async def test_the_queue_survives_a_restart() -> None:
    core = build_core()
    order = await new_order(core, state=OrderState.PAID)
    await core.outbox.add(order)
    # The process stops before telling; a new outbox on the same table takes it up.
    rows = core.outbox_rows
    again = build_core(clock=core.clock)
    again.orders.rows.update(core.orders.rows)
    again.outbox_rows.rows.update(rows.rows)
    async with running_outbox(again):
        await eventually(lambda: again.outbox.pending == 0)
    assert again.teller.of("card") == [Told("card", order.id, OrderState.PAID)]


async def test_an_unreachable_chat_is_not_written_to_again() -> None:
    core = build_core()
    order = await new_order(
        core,
        state=OrderState.COMPLETED,
        number="1415",
        code="424242",
        code_at=core.clock(),
    )
    core.teller.unreachable.add(ALICE)
    await core.outbox.add(order)
    async with running_outbox(core):
        await eventually(lambda: core.chats.statuses.get(ALICE) == "kicked")
        asks = core.chats.reachability_asks
        core.clock.advance(RETRY_FIRST)
        # Its turn comes again: the chat is looked up, found unreachable, and the entry goes.
        await eventually(lambda: core.outbox.pending == 0)
        assert core.chats.reachability_asks > asks
        assert await core.outbox_rows.pending() == []
    # One attempt, then nothing: what was not told stays untold, for when the user comes back.
    assert len(core.teller.attempts) == 1 and core.teller.told == []
    stored = core.orders.rows[order.id]
    assert stored.untold and stored.closed_at is not None
