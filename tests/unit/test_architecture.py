"""The structure holds: every order kind is complete (its rules and its card).

That every module imports on its own is in tests/e2e/test_imports_alone.py (a process per
module); the layer contracts are import-linter's (pyproject.toml).
"""

from __future__ import annotations

from bot.domain.kinds import KINDS
from bot.domain.orders import OrderKind
from handlers.ui.cards import CARDS


def test_every_order_kind_has_rules_and_a_card() -> None:
    assert set(KINDS) == set(OrderKind) == set(CARDS)
    for kind, rules in KINDS.items():
        assert rules.kind is kind
