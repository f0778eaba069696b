"""Cancelling an order, withdrawing an invoice, and /cancel leaving whatever is open."""

from __future__ import annotations

from datetime import datetime

from handlers.ui.i18n import _, ngettext
from handlers.ui.texts.base import clock, clock_from, duration, esc


def cancel_too_early(cancel_from: datetime, now: datetime) -> str:
    return _(
        "sms4sats allows cancelling 2 minutes after payment: from %(time)s (in %(left)s). "
        "If no code comes, your sats return by themselves anyway.",
        time=clock_from(cancel_from),
        left=duration((cancel_from - now).total_seconds()),
    )


def cancel_done() -> str:
    return _("Order cancelled. Your sats return to your wallet automatically.")


def cancel_done_unpaid() -> str:
    return _("Order cancelled. Nothing was charged.")


def invoice_withdrawn() -> str:
    """The card of an SMS or top-up whose unpaid invoice was cancelled: only on our side."""
    return _(
        "✖️ Cancelled here. Nothing was charged. Do not pay this invoice any more: sms4sats "
        "cannot withdraw it and would still take a payment, but this chat would not follow it."
    )


def invoice_withdrawn_alert() -> str:
    return _(
        "Cancelled here; nothing was charged. sms4sats cannot withdraw this invoice: do not "
        "pay it any more."
    )


def cancel_not_possible() -> str:
    return _("This order can no longer be cancelled.")


def cancel_refused(reason: str) -> str:
    return _("sms4sats did not cancel the order: %(reason)s", reason=esc(reason))


# --- /cancel: leaving whatever is open -------------------------------------------------------


def nothing_to_cancel() -> str:
    return _("There is nothing to cancel right now. /help lists what I can do.")


def menu_closed() -> str:
    return _("✖️ Closed with /cancel.")


def menu_left() -> str:
    return _("You closed this menu with /cancel. Tap /buy to start again.")


def closed_menus(count: int) -> str:
    # Said once, here; the closed menus themselves only say that /cancel closed them.
    return ngettext(
        "✖️ Closed %(count)s open menu. Nothing was bought.",
        "✖️ Closed %(count)s open menus. Nothing was bought.",
        count,
    )


def closed_send() -> str:
    return _("✖️ Closed your /send. No SMS was sent.")


def nothing_open() -> str:
    return _("No menu was open.")


def open_orders() -> str:
    return _("<b>Your open orders:</b>")


def more_open_orders() -> str:
    return _("The others are under /orders.")


def cancel_now(line: str) -> str:
    return "• " + _("%(order)s: you can cancel it now.", order=esc(line))


def cancel_later(line: str, cancel_from: datetime) -> str:
    return "• " + _(
        "%(order)s: you can cancel it from %(time)s (if no code comes, the sats return by "
        "themselves).",
        order=esc(line),
        time=clock_from(cancel_from),
    )


def cancel_unpaid(line: str, expires_at: datetime | None) -> str:
    if expires_at is None:
        return "• " + _(
            "%(order)s: not paid; the invoice expires and nothing is charged.", order=esc(line)
        )
    return "• " + _(
        "%(order)s: not paid; the invoice expires at %(time)s and nothing is charged.",
        order=esc(line),
        time=clock(expires_at),
    )


def cancel_never(line: str) -> str:
    return "• " + _(
        "%(order)s: paid and on its way; it can no longer be cancelled.", order=esc(line)
    )


def cancel_order_button(order_id: int) -> str:
    return _("✖️ Cancel #%(order)s", order=order_id)
