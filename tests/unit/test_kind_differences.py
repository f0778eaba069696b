"""What differs by order kind is said by the kind's rules and its card, and only there."""

from __future__ import annotations

from bot.domain.kinds import KINDS
from bot.domain.orders import OrderKind, OrderState
from handlers.ui import cards
from handlers.ui.i18n import use_locale
from tests.unit.core import build_core, new_order


def _kinds(attribute: str) -> set[OrderKind]:
    return {kind for kind, rules in KINDS.items() if getattr(rules, attribute)}


def test_the_rules_say_what_differs_by_kind() -> None:
    # Numbers and codes are their buyer's alone: placed and told in private only.
    assert _kinds("private") == {OrderKind.RECEIVE, OrderKind.RENTAL}
    assert _kinds("credits_balance") == {OrderKind.FUND}
    assert _kinds("in_sales") == {OrderKind.RECEIVE, OrderKind.SEND}
    assert _kinds("in_code_stats") == {OrderKind.RECEIVE}


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
