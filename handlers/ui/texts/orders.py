"""/orders: the list, the state of each order, and the answers about one order."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.orders import OrderState
from handlers.ui.i18n import N_, _, ngettext
from handlers.ui.texts.base import sats


def no_orders() -> str:
    return _("You have no orders yet. Tap /buy to get a number.")


def orders_header(total: int) -> str:
    return ngettext(
        "📋 <b>Your orders</b> (%(count)s in all). Tap one to see it.",
        "📋 <b>Your orders</b> (%(count)s in all). Tap one to see it.",
        total,
    )


_STATE_LABELS: dict[OrderState, str] = {
    OrderState.AWAITING_PAYMENT: N_("awaiting payment"),
    OrderState.PAID: N_("paid, in progress"),
    OrderState.NUMBER: N_("waiting for the code"),
    OrderState.SENT: N_("sent, awaiting delivery"),
    OrderState.COMPLETED: N_("done"),
    OrderState.NO_NUMBER: N_("no number · refunded"),
    OrderState.CANCELLED: N_("cancelled"),
    OrderState.EXPIRED: N_("expired · refunded"),
    OrderState.FAILED: N_("failed · refunded"),
    OrderState.INVOICE_EXPIRED: N_("invoice expired"),
}


def state_label(state: OrderState, own: Mapping[OrderState, str]) -> str:
    """The words for a state: the kind's `own` (its card's, untranslated) where it has them."""
    return _(own.get(state) or _STATE_LABELS[state])


def status_answer(state_label: str) -> str:
    return _("Status: %(state)s", state=state_label)


def order_line(order_id: int, what: str, state_label: str) -> str:
    return f"#{order_id} · {what} · {state_label}"


def receive_line(service: str, country_label: str) -> str:
    return f"{service} · {country_label}"


def send_line(phone: str) -> str:
    return _("SMS to %(phone)s", phone=phone)


def fund_line(amount: int) -> str:
    return _("Top-up %(amount)s", amount=sats(amount))


def not_your_order() -> str:
    return _("That is not one of your orders.")


def order_not_found() -> str:
    return _("That order does not exist (any more).")


def sms4sats_trouble() -> str:
    return _("sms4sats is not answering right now; I will keep checking by myself.")
