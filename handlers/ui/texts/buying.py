"""Buying a number: the confirmation, the invoice, and why an order could not be made."""

from __future__ import annotations

from datetime import datetime

from bot.domain.sms4sats_terms import Problem, Sms4SatsError
from handlers.ui.i18n import N_, _, ngettext
from handlers.ui.texts.base import clock, duration, esc, hold_invoice_refund, sats


def confirm_receive(service: str, country_label: str, price: int) -> str:
    confirm = _(
        "🧾 <b>Please confirm</b>\n"
        "You get: a phone number in <b>%(country)s</b> that receives one SMS code "
        "from <b>%(service)s</b>.\n"
        "Price: <b>%(price)s</b>",
        country=esc(country_label),
        service=esc(service),
        price=sats(price),
    )
    return f"{confirm}\n\n{hold_invoice_refund()}"


def buy_button(price: int) -> str:
    return _("⚡ Buy for %(price)s", price=sats(price))


def price_unavailable() -> str:
    return _("sms4sats did not give a price for this service. Please try again in a moment.")


def creating_order() -> str:
    return _("⏳ Creating your order…")


def order_created(order_id: int) -> str:
    # Not "pay the invoice below": this message stays, and the invoice goes once it is paid.
    return _("🧾 Order #%(order)s created. Its card below shows where it stands.", order=order_id)


def price_changed() -> str:
    return _("The price has changed since this confirmation. Here is the current one:")


def already_ordered() -> str:
    return _("You already ordered from this confirmation. Here is that order:")


def stale_confirmation() -> str:
    return _("This confirmation is old; here it is again with the current price:")


_SMS4SATS_PROBLEMS = {
    Problem.TIMEOUT: N_("sms4sats did not answer in time. Please try again in a moment."),
    Problem.UNREACHABLE: N_("sms4sats cannot be reached right now. Please try again in a moment."),
    Problem.TROUBLE: N_("sms4sats is having trouble right now. Please try again in a moment."),
    Problem.BROKEN_ANSWER: N_(
        "sms4sats sent an answer the bot could not read. Please try again in a moment."
    ),
    Problem.REFUSED: N_("sms4sats refused the request."),
    Problem.NO_API_KEY: N_("No sms4sats API key is configured for this bot."),
}


def sms4sats_problem(error: Sms4SatsError) -> str:
    """What a failed call to sms4sats means for the user, in plain words."""
    if error.problem is Problem.REFUSED:
        if error.reason:
            # The reason is sms4sats' own words, in English: shown as they are.
            return _("sms4sats refused: %(reason)s", reason=esc(error.reason))
        return _("sms4sats refused the request (HTTP %(status)s).", status=error.status_code)
    return _(_SMS4SATS_PROBLEMS[error.problem])


def order_failed(error: Sms4SatsError) -> str:
    return _("❌ The order could not be created. %(problem)s", problem=sms4sats_problem(error))


def too_many_unpaid(limit: int) -> str:
    return ngettext(
        "🧾 You already have %(count)s unpaid invoice open. Pay or cancel it (/orders) before "
        "creating another; unpaid invoices also expire by themselves.",
        "🧾 You already have %(count)s unpaid invoices open. Pay or cancel one of them "
        "(/orders) before creating another; unpaid invoices also expire by themselves.",
        limit,
    )


def too_many_per_hour(limit: int) -> str:
    return ngettext(
        "⏳ You created %(count)s order in the last hour, the most one person can. "
        "Please try again later.",
        "⏳ You created %(count)s orders in the last hour, the most one person can. "
        "Please try again later.",
        limit,
    )


def order_in_progress() -> str:
    return _("⏳ This order is still being created. One moment, please.")


def placement_lost() -> str:
    return _(
        "⚠️ The order from this confirmation was not created: the bot restarted before it was "
        "done. Nothing was charged. Please try again."
    )


def invoice_what(order_id: int, subject: str) -> str:
    return _("order #%(order)s: %(subject)s", order=order_id, subject=subject)


def invoice_caption(
    *,
    what: str,
    amount: int | None,
    expires_at: datetime | None,
    invoice: str,
    now: datetime,
    note: str | None = None,
) -> str:
    lines = [_("🧾 <b>Invoice</b> for %(what)s", what=what)]
    if amount is not None:
        lines.append(_("Amount: <b>%(amount)s</b>", amount=sats(amount)))
    if expires_at is not None:
        left = (expires_at - now).total_seconds()
        lines.append(
            _("Pay before %(time)s (in %(left)s).", time=clock(expires_at), left=duration(left))
        )
    lines += ["", note or hold_invoice_refund(), "", f"<code>{esc(invoice)}</code>"]
    return "\n".join(lines)


def receive_subject(service: str, country_label: str) -> str:
    return _(
        "a <b>%(service)s</b> number in <b>%(country)s</b>",
        service=esc(service),
        country=esc(country_label),
    )
