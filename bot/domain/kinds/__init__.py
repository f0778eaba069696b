"""One module per order kind, and the registry that maps each kind to its rules.

Adding a kind: a module here with a `KindRules` subclass, one line in `_ALL`, and its card in
`handlers.ui.cards` (a test checks that every kind has both).
"""

from __future__ import annotations

from bot.domain.kinds import fund, receive, rental, send
from bot.domain.kinds.base import KindRules
from bot.domain.orders import OrderKind

_ALL: tuple[KindRules, ...] = (receive.RULES, send.RULES, fund.RULES, rental.RULES)
KINDS: dict[OrderKind, KindRules] = {rules.kind: rules for rules in _ALL}


def rules_for(kind: OrderKind) -> KindRules:
    return KINDS[kind]


__all__ = ["KINDS", "KindRules", "rules_for"]
