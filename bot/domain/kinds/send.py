"""Send: one SMS to a phone number. Paid by invoice, or by an admin from the prepaid balance."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.domain.kinds.base import KindRules, unpaid_state
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus, SmsStatus

# A "sent" SMS has been paid for; a delivery report may never come, so stop asking after this.
DELIVERY_REPORT_WAIT = 60 * 60


class Send(KindRules):
    kind: ClassVar[OrderKind] = OrderKind.SEND
    in_sales: ClassVar[bool] = True
    ranks: ClassVar[dict[OrderState, int]] = {
        OrderState.AWAITING_PAYMENT: 0,
        OrderState.PAID: 1,
        OrderState.SENT: 2,
    }

    def next_state(self, order: Order, status: OrderStatus, paid: bool) -> OrderState:
        if status.sms_status is SmsStatus.DELIVERED:
            return OrderState.COMPLETED
        if status.sms_status is SmsStatus.FAILED:
            return OrderState.FAILED
        if status.error:
            return OrderState.FAILED if paid else unpaid_state(status)
        if status.sms_status is SmsStatus.SENT:
            return OrderState.SENT
        return OrderState.PAID if paid else OrderState.AWAITING_PAYMENT

    def deadline(self, order: Order, now: float) -> dict[str, Any]:
        if order.state is OrderState.SENT:
            if order.paid_at is not None and now > order.paid_at + DELIVERY_REPORT_WAIT:
                # Paid and handed to the carrier: nothing more will be learned; stop checking.
                return {"closed_at": now}
            return {}
        return super().deadline(order, now)


RULES = Send()
