"""Fund: a top-up of the operator's prepaid sms4sats balance. Done once the invoice is paid."""

from __future__ import annotations

from typing import ClassVar

from bot.domain.kinds.base import KindRules, unpaid_state
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus


class Fund(KindRules):
    kind: ClassVar[OrderKind] = OrderKind.FUND
    credits_balance: ClassVar[bool] = True

    def next_state(self, order: Order, status: OrderStatus, paid: bool) -> OrderState:
        return OrderState.COMPLETED if status.paid else unpaid_state(status)


RULES = Fund()
