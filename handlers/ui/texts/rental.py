"""What the bot says about renting a number for weeks (RENTALS=on), in the current language.

Same rules as the rest of `texts`: `_()`/`ngettext()`, `%(name)s` placeholders, anything from
sms4sats through `esc`. The words a person must read before paying: a rental is not refunded
once paid, and rented numbers often do not work for Telegram (sms4sats' own warnings).
"""

from __future__ import annotations

from datetime import datetime

from handlers.ui.i18n import _, ngettext
from handlers.ui.texts.base import day_and_time, esc, sats


def command_description() -> str:
    return _("Rent a number for weeks")


def help_line() -> str:
    return _("/rent — rent a number for weeks; every SMS it gets appears here")


def button_rent() -> str:
    return _("📅 Rent a number")


# --- the rental countries ------------------------------------------------------------------


def picker() -> str:
    return _(
        "📅 <b>Rent a number</b> for weeks: every SMS sent to it while the rental runs appears "
        "here.\nEach button shows the country, how long, and the price. Type a name to search."
    )


def weeks(count: int) -> str:
    return ngettext("%(count)s week", "%(count)s weeks", count)


def country_button(country: str, weeks_count: int, price: int) -> str:
    return f"{country} · {weeks(weeks_count)} · {sats(price)}"


def no_rentals() -> str:
    return _(
        "📅 sms4sats has no numbers to rent right now. Please try again later, or /buy a number "
        "for a single code."
    )


def matches(query: str) -> str:
    return _("📅 Rental countries matching “%(query)s”:", query=esc(query))


def no_matches(query: str) -> str:
    return _("No rental country matches “%(query)s”. Try another name.", query=esc(query))


def button_all_countries() -> str:
    return _("📅 All rental countries")


def country_gone() -> str:
    return _("That country has no numbers to rent any more. Pick another one.")


def price_changed() -> str:
    return _("The rental's price or duration changed; here it is again.")


# --- confirmation, invoice ----------------------------------------------------------------


def confirm(country: str, weeks_count: int, price: int) -> str:
    return _(
        "🧾 <b>Please confirm your rental</b>\n"
        "You get: a phone number in <b>%(country)s</b> for <b>%(duration)s</b>; every SMS sent "
        "to it meanwhile appears here.\n"
        "Price: <b>%(price)s</b>\n\n"
        "⚠️ A rental is <b>not refunded</b> once paid, even if no SMS arrives.\n"
        "⚠️ Rented numbers often do <b>not work for Telegram</b>.",
        country=esc(country),
        duration=weeks(weeks_count),
        price=sats(price),
    )


def button_pay(price: int) -> str:
    return _("⚡ Rent for %(price)s", price=sats(price))


def invoice_note() -> str:
    return _("⚡ Paying this invoice rents the number. A rental is not refunded once paid.")


# --- the card, /orders ----------------------------------------------------------------------


def subject(country: str, weeks_count: int) -> str:
    return _(
        "a number in <b>%(country)s</b> rented for %(duration)s",
        country=esc(country),
        duration=weeks(weeks_count),
    )


def line(country: str, ends_at: datetime | None) -> str:
    if ends_at is None:
        return _("📅 Rental · %(country)s", country=country)
    return _(
        "📅 Rental · %(country)s · until %(until)s", country=country, until=day_and_time(ends_at)
    )


def cannot_cancel(line: str) -> str:
    """/cancel's line for a rental: paid, it is never cancelled, only ends."""
    return "• " + _("%(order)s: a rental can't be cancelled; it ends by itself.", order=esc(line))


def card_paid() -> str:
    return _("✅ Payment received. Getting your rented number…")


def card_number(number: str, ends_at: datetime | None) -> str:
    lines = [_("📱 Your rented number: <code>%(number)s</code>", number=esc(number))]
    if ends_at is not None:
        lines.append(_("📅 Rented until <b>%(until)s</b>", until=day_and_time(ends_at)))
    lines.append(_("Every SMS it receives appears here as its own message."))
    return "\n".join(lines)


def card_ended(number: str | None, ends_at: datetime | None) -> str:
    lines = []
    if number:
        lines.append(_("📱 Number: <code>%(number)s</code>", number=esc(number)))
    if ends_at is not None:
        lines.append(_("⌛ This rental ended on %(until)s.", until=day_and_time(ends_at)))
    else:
        lines.append(_("⌛ This rental has ended."))
    lines.append(_("The number no longer receives SMS for you."))
    return "\n".join(lines)


def card_no_number() -> str:
    return _(
        "😕 No number was available for this rental. sms4sats cancels the payment request, so "
        "your sats return to your wallet automatically."
    )


def recent_header(count: int) -> str:
    return ngettext("✉️ <b>Latest SMS</b>:", "✉️ <b>Latest %(count)s SMS</b>:", count)


def no_sms_yet() -> str:
    return _("✉️ No SMS yet.")


def button_expecting() -> str:
    return _("🔄 I'm expecting an SMS")


def expecting_answer() -> str:
    return _("Watching closely for 10 minutes: a new SMS appears here within seconds.")


def ended_answer() -> str:
    return _("This rental has ended.")


# --- each SMS, its own message ---------------------------------------------------------------


def sms_message(number: str | None, text: str, code: str | None) -> str:
    if number:
        title = _("✉️ <b>New SMS on %(number)s</b>", number=esc(number))
    else:
        title = _("✉️ <b>New SMS on your rented number</b>")
    body = f"{title}\n\n<blockquote>{esc(text)}</blockquote>"
    if code is not None and code != text:
        body += "\n" + _("Code: <code>%(code)s</code>", code=esc(code))
    elif code is not None:
        body = f"{title}\n\n<code>{esc(code)}</code>"
    return body
