"""The order card's words (a receive order) and the message with the code."""

from __future__ import annotations

from datetime import datetime

from handlers.ui.i18n import _
from handlers.ui.texts.base import clock, clock_from, duration, esc


def button_cancel() -> str:
    return _("✖️ Cancel order")


def button_buy_again() -> str:
    return _("🔁 Buy again")


def button_another_country() -> str:
    return _("🌍 Try another country")


def button_same_service_elsewhere() -> str:
    return _("🌐 Same service elsewhere")


def button_refresh() -> str:
    return _("🔄 Check now")


def button_copy_number() -> str:
    return _("📋 Copy number")


def button_copy_code() -> str:
    return _("📋 Copy code")


def button_copy_invoice() -> str:
    return _("📋 Copy invoice")


def card_title(order_id: int, subject: str) -> str:
    return _("<b>Order #%(order)s</b> · %(subject)s", order=order_id, subject=subject)


def card_paid() -> str:
    return _("✅ Payment received (held). Getting a number…")


def card_number(number: str, cancel_from: datetime | None, now: datetime) -> str:
    lines = [
        _("📱 Your number: <code>%(number)s</code>", number=esc(number)),
        _("Enter it in the app or site; the code will appear here by itself."),
    ]
    if cancel_from is not None and cancel_from > now:
        lines.append(
            _("You can cancel from %(time)s if no code arrives.", time=clock_from(cancel_from))
        )
    lines.append(
        _(
            "No code within 21 minutes? The order ends and your sats return to your wallet "
            "automatically."
        )
    )
    return "\n".join(lines)


def card_completed(number: str | None, code: str | None) -> str:
    """`code` is None when the code comes as its own message right after this card."""
    number_line = (
        _("📱 Number: <code>%(number)s</code>", number=esc(number)) + "\n" if number else ""
    )
    if code is None:
        received = _("✅ Code received: it is in its own message.")
    else:
        received = _("✅ Code received: <code>%(code)s</code>", code=esc(code))
    return f"{number_line}{received}\n" + _("Done — thank you!")


def card_no_number() -> str:
    return _(
        "😕 No number was available for this order; your sats return to your wallet automatically."
    )


def card_cancelled(paid: bool) -> str:
    if paid:
        return _("✖️ Cancelled. Your sats return to your wallet automatically.")
    return _("✖️ Cancelled. Nothing was charged.")


def card_expired() -> str:
    return _(
        "⌛ No code arrived in time, so the order ended. Your sats return to your wallet "
        "automatically."
    )


def card_invoice_expired() -> str:
    return _("⌛ The invoice expired before it was paid. Nothing was charged.")


def code_message(code: str, number: str | None, subject: str) -> str:
    if number:
        title = _("🔑 <b>Your code for %(number)s</b> (%(subject)s):", number=esc(number),
                  subject=subject)  # fmt: skip
    else:
        title = _("🔑 <b>Your code</b> (%(subject)s):", subject=subject)
    return f"{title}\n\n<code>{esc(code)}</code>"


def expiry_warning(
    order_id: int, number: str | None, subject: str, ends_at: datetime, now: datetime
) -> str:
    """A few minutes before sms4sats gives up on a number that got no code."""
    title = _("⏳ <b>Order #%(order)s: no code yet.</b>", order=order_id)
    if number:
        runs_out = _(
            "The number %(number)s (%(subject)s) runs out at %(time)s (in %(left)s).",
            number=esc(number), subject=subject, time=clock(ends_at),
            left=duration((ends_at - now).total_seconds()),
        )  # fmt: skip
    else:
        runs_out = _(
            "The order (%(subject)s) runs out at %(time)s (in %(left)s).",
            subject=subject, time=clock(ends_at), left=duration((ends_at - now).total_seconds()),
        )  # fmt: skip
    refund = _("If no code comes by then, your sats return to your wallet by themselves.")
    advice = _("Still no SMS? Cancel now and try another service or country.")
    return f"{title}\n{runs_out}\n{refund}\n{advice}"
