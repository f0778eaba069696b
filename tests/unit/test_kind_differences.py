"""What differs by order kind is said by the kind's rules and its card, and only there."""

from __future__ import annotations

from bot.core.buying import BuyDesk, Expecting
from bot.core.catalog import Catalog
from bot.core.pacer import RequestPacer
from bot.core.stock import StockBoard
from bot.domain.kinds import KINDS
from bot.domain.kinds.rental import FAST_POLL_FOR, WEEK
from bot.domain.orders import OrderKind, OrderState
from handlers.ui import cards
from handlers.ui.i18n import use_locale
from tests.unit.core import ALICE, BOB, Core, build_core, new_order


def _kinds(attribute: str) -> set[OrderKind]:
    return {kind for kind, rules in KINDS.items() if getattr(rules, attribute)}


def test_the_rules_say_what_differs_by_kind() -> None:
    # Numbers and codes are their buyer's alone: placed and told in private only.
    assert _kinds("private") == {OrderKind.RECEIVE, OrderKind.RENTAL}
    assert _kinds("credits_balance") == {OrderKind.FUND}
    # A rental is paid by invoice, so a sale; it has no single code to time.
    assert _kinds("in_sales") == {OrderKind.RECEIVE, OrderKind.SEND, OrderKind.RENTAL}
    assert _kinds("in_code_stats") == {OrderKind.RECEIVE}
    assert _kinds("faster_checks_on_request") == {OrderKind.RENTAL}
    # Delivered as they end, but a rental from its number on (it is not refunded then).
    done = frozenset({OrderState.COMPLETED})
    assert {kind: rules.delivered for kind, rules in KINDS.items() if rules.delivered != done} == {
        OrderKind.RENTAL: {OrderState.NUMBER, OrderState.COMPLETED}
    }


async def test_each_card_names_its_states_and_its_confirmation() -> None:
    core = build_core()
    with use_locale("en"):
        send = await new_order(core, kind=OrderKind.SEND, state=OrderState.COMPLETED)
        assert cards.state_label(send) == "delivered"
        fund = await new_order(core, kind=OrderKind.FUND, state=OrderState.COMPLETED)
        assert cards.state_label(fund) == "credited"
        receive = await new_order(core, state=OrderState.COMPLETED)
        assert cards.state_label(receive) == "done"
        for order in (send, fund, receive):
            assert f"#{order.id}" in cards.CARDS[order.kind].created(order)
    # Only a lost number purchase offers to start over (the menu to buy one).
    offering = {kind for kind, card in cards.CARDS.items() if card.start_over() is not None}
    assert offering == {OrderKind.RECEIVE}


def buy_desk(core: Core) -> BuyDesk:
    catalog = Catalog(core.sms4sats, StockBoard(core.sms4sats, RequestPacer(), core.clock))
    return BuyDesk(core.orders, catalog, core.placement, core.tracker, core.clock, real_phone=False)


async def fast_until(core: Core, order_id: int) -> float | None:
    order = await core.orders.get(order_id)
    assert order is not None
    return order.fast_poll_until


async def test_only_a_kind_whose_rules_allow_it_is_checked_faster_on_request() -> None:
    """ "I'm expecting an SMS": the rules say which kinds take it (a rental); the core names no
    kind. Any other order, or someone else's, is not found, and nothing is written."""
    core = build_core()
    desk = buy_desk(core)
    now = core.clock()
    number = await new_order(core, state=OrderState.NUMBER, paid_at=now, number="4915112345678")
    rental = await new_order(
        core, kind=OrderKind.RENTAL, state=OrderState.NUMBER, paid_at=now, number="6281234567",
        ends_at=now + 2 * WEEK,
    )  # fmt: skip
    assert await desk.expect_sms(ALICE, number.id) is Expecting.NOT_FOUND
    assert await desk.expect_sms(BOB, rental.id) is Expecting.NOT_FOUND
    assert await fast_until(core, number.id) is None
    assert await fast_until(core, rental.id) is None

    assert await desk.expect_sms(ALICE, rental.id) is Expecting.EXPECTING
    assert await fast_until(core, rental.id) == now + FAST_POLL_FOR
    core.clock.advance(2 * WEEK)
    assert await desk.expect_sms(ALICE, rental.id) is Expecting.ENDED
