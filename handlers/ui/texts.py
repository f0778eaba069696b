"""Every sentence the bot says, in one place (HTML parse mode), in the current language.

Each sentence is a function: it is translated when it is said, in the locale of the update or of
the chat the bot writes to (see `i18n`), so nothing here is a string constant. The English
sentence is the gettext msgid: wrap a new one in `_()` (`ngettext()` where a number is counted,
`N_()` where it is only defined), with `%(name)s` placeholders and no f-strings inside, then run
`make messages` and translate it in every catalog; `make test` fails until that is done.

Anything that came from a user or from sms4sats goes through `esc` before it lands in a text.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime

from bot.core.operator import ErrorReport
from bot.domain.orders import OrderKind, OrderState
from bot.domain.phones import PhoneProblem
from bot.domain.sms4sats_terms import Problem, Sms4SatsError
from bot.domain.stats import Stats, TopRow
from handlers.ui.i18n import N_, NATIVE_NAMES, N_plural, _, current, ngettext, number


def hold_invoice_refund() -> str:
    return _(
        "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken when your "
        "code arrives; if no code comes, they return to your wallet by themselves (at the latest "
        "after 21 minutes)."
    )


def sats_return() -> str:
    return _("Your sats return to your wallet automatically.")


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def sats(amount: int) -> str:
    return _("%(amount)s sats", amount=number(amount))


def clock(moment: datetime) -> str:
    # 24-hour UTC reads the same in every shipped language, and the bot cannot know the zone.
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def clock_from(moment: datetime) -> str:
    """A time from which something is allowed, rounded up: pressing at the minute shown works."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return clock(moment)


def day_and_time(moment: datetime) -> str:
    """Day, month and time, the month in the current language ("30 нояб. 14:05 UTC")."""
    when = format_datetime(moment.astimezone(UTC), "d MMM HH:mm", tzinfo=UTC, locale=current())
    return f"{when} UTC"


def duration(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    if seconds < 60:
        return _("%(seconds)s s", seconds=seconds)
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        if rest and minutes < 5:
            return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=rest)
        return _("%(minutes)s min", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)


# --- start, help, hints --------------------------------------------------------------------


def start() -> str:
    return _(
        "👋 <b>Phone numbers for SMS codes, paid with Lightning.</b>\n"
        "Pick a country and a service → pay the invoice → get a number → the code appears here "
        "by itself.\n"
        "No code? The hold invoice refunds your sats automatically."
    )


def help_text() -> str:
    commands = _(
        "<b>Commands</b>\n"
        "/buy — get a number that receives an SMS code\n"
        "/orders — your recent orders and their status\n"
        "/send — send an SMS to any phone number\n"
        "/language — change the language I speak\n"
        "/cancel — stop what you are doing\n"
        "/help — this message"
    )
    paying = _("<b>How paying works</b>\nYou pay each order with a Lightning invoice.")
    cancelling = _("Cancelling is possible 2 minutes after payment if no code has arrived.")
    return f"{commands}\n\n{paying}\n{hold_invoice_refund()}\n\n{cancelling}"


def admin_help() -> str:
    return "\n\n" + _(
        "<b>For admins</b>\n"
        "/balance — the prepaid sms4sats balance\n"
        "/fund — top up the prepaid balance\n"
        "/send — can also be paid from the balance"
    )


def group_help() -> str:
    return _(
        "👋 I sell phone numbers for SMS codes, paid with Lightning. Numbers and codes are "
        "private, so buying and your orders are in a private chat with me: tap below."
    )


def group_admin_help() -> str:
    return "\n" + _(
        "Admins can use /send, /balance and /fund here; /language sets the group's language."
    )


def press_skipped() -> str:
    return _("🐢 That is a lot at once: this press was skipped. Press it again in a moment.")


def messages_skipped(count: int) -> str:
    return ngettext(
        "🐢 That was a lot at once: I answered the first messages and skipped %(count)s. "
        "Send again what still needs an answer.",
        "🐢 That was a lot at once: I answered the first messages and skipped %(count)s. "
        "Send again what still needs an answer.",
        count,
    )


def button_buy() -> str:
    return _("🛒 Buy a number")


def button_orders() -> str:
    return _("📋 My orders")


def text_hint() -> str:
    return _(
        "To get a number, tap /buy. Your orders are under /orders, and /help explains the rest."
    )


def long_text_hint() -> str:
    return _("That is a long message! To get a number, tap /buy; /help explains the rest.")


def unknown_command() -> str:
    return _("I don't know that command. /help lists the ones I do.")


def old_button() -> str:
    return _("This button is from an older menu and no longer works. Tap /buy to start again.")


def not_your_button() -> str:
    return _("This menu belongs to someone else.")


def private_only_button() -> str:
    return _("Numbers and codes are private: open a private chat with me to buy (/buy).")


def internal_error() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a moment.")


# --- country and service pickers -----------------------------------------------------------


def country_picker() -> str:
    return _(
        "🌍 <b>Pick a country</b> for your number.\n"
        "Auto-Select picks any country that has numbers. Type a name to search."
    )


def auto_select() -> str:
    return _("Auto-Select")


def any_country() -> str:
    return _("any country")


def all_services() -> str:
    return _("📱 All services")


def try_again() -> str:
    return _("🔁 Try again")


def next_page() -> str:
    return _("Next ›")


def previous_page() -> str:
    return _("‹ Prev")


def back() -> str:
    return _("‹ Back")


def back_to_countries() -> str:
    return _("‹ Countries")


def show_all_countries() -> str:
    return _("🌍 All countries")


def page_of(page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    return "\n" + _("Page %(page)s of %(pages)s.", page=page + 1, pages=pages)


def country_matches(query: str, count: int, shown: int) -> str:
    if count > shown:
        return ngettext(
            "🔎 Countries matching “%(query)s” (showing the first %(count)s):",
            "🔎 Countries matching “%(query)s” (showing the first %(count)s):",
            shown,
            query=esc(query),
        )
    return _("🔎 Countries matching “%(query)s”:", query=esc(query))


def no_country_matches(query: str) -> str:
    return _(
        "🔎 No country matches “%(query)s”. Try another spelling, or pick from the list.",
        query=esc(query),
    )


def service_picker(country_label: str) -> str:
    return _(
        "📱 <b>Pick a service</b> in %(country)s.\n"
        "Only services with numbers in stock are shown. Type a name to search.",
        country=esc(country_label),
    )


def no_services(country_label: str) -> str:
    return _(
        "😕 No numbers are available in %(country)s right now.\n"
        "Pick another country, or try Auto-Select.",
        country=esc(country_label),
    )


def service_matches(query: str, country_label: str) -> str:
    return _(
        "🔎 Services in %(country)s matching “%(query)s”:",
        country=esc(country_label),
        query=esc(query),
    )


def no_service_matches(query: str, country_label: str) -> str:
    return _(
        "🔎 No service in %(country)s matches “%(query)s”. "
        "Try another name, or pick from the list.",
        country=esc(country_label),
        query=esc(query),
    )


def service_gone() -> str:
    return _("That service has no numbers left in this country. Pick another one.")


# --- confirmation and invoice --------------------------------------------------------------


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


# --- the order card ------------------------------------------------------------------------


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


# --- cancel --------------------------------------------------------------------------------


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


# --- /orders -------------------------------------------------------------------------------


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
# Where a kind's words for a state differ from the common ones above.
_KIND_STATE_LABELS: dict[OrderKind, dict[OrderState, str]] = {
    OrderKind.SEND: {OrderState.PAID: N_("paid, sending"), OrderState.COMPLETED: N_("delivered")},
    OrderKind.FUND: {OrderState.COMPLETED: N_("credited")},
    OrderKind.RENTAL: {
        OrderState.PAID: N_("paid, getting the number"),
        OrderState.NUMBER: N_("rented"),
        OrderState.COMPLETED: N_("ended"),
        OrderState.NO_NUMBER: N_("no number · refunded"),
    },
}


def state_label(kind: OrderKind, state: OrderState) -> str:
    return _(_KIND_STATE_LABELS.get(kind, {}).get(state) or _STATE_LABELS[state])


def status_answer(kind: OrderKind, state: OrderState) -> str:
    return _("Status: %(state)s", state=state_label(kind, state))


def order_line(order_id: int, what: str, kind: OrderKind, state: OrderState) -> str:
    return f"#{order_id} · {what} · {state_label(kind, state)}"


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


# --- send orders and top-ups (their cards) -------------------------------------------------


def send_subject(phone: str) -> str:
    return _("an SMS to <b>%(phone)s</b>", phone=esc(phone))


def fund_subject(amount: int) -> str:
    return _("a top-up of <b>%(amount)s</b> for the sms4sats balance", amount=sats(amount))


def send_card(state: OrderState, message: str, paid_from_balance: bool) -> str:
    quoted = f"<blockquote>{esc(message)}</blockquote>\n" if message else ""
    if state is OrderState.PAID:
        line = _("📤 Paid. Sending your SMS…")
    elif state is OrderState.SENT:
        line = _("📤 Sent; waiting for the delivery report.")
    elif state is OrderState.COMPLETED:
        line = _("✅ Delivered.")
    elif state is OrderState.FAILED and paid_from_balance:
        line = _("❌ The SMS could not be delivered. The balance is not charged for a failed SMS.")
    elif state is OrderState.FAILED:
        line = _(
            "❌ The SMS could not be delivered. Your sats return to your wallet automatically."
        )
    elif state is OrderState.CANCELLED:
        line = invoice_withdrawn()
    elif state is OrderState.INVOICE_EXPIRED:
        line = card_invoice_expired()
    else:
        line = _("📤 In progress…")
    return quoted + line


# --- /send ---------------------------------------------------------------------------------

PHONE_PLACEHOLDER = "+44 7911 123456"
MAX_SMS_LENGTH = 140


def send_hold_invoice() -> str:
    return _(
        "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken once the "
        "SMS is sent; if it cannot be sent, they return to your wallet by themselves."
    )


def send_ask_phone() -> str:
    return _(
        "📤 <b>Send an SMS.</b> Which phone number should get it?\n"
        "Include the country code, like <code>+44 7911 123456</code>. /cancel stops."
    )


def message_placeholder() -> str:
    """The input field's hint (at most 64 characters)."""
    return _("Your message (up to %(max)s characters)", max=MAX_SMS_LENGTH)


_PHONE_PROBLEMS = {
    PhoneProblem.NO_COUNTRY_CODE: N_(
        "Please include the country code, starting with + (like +44…)."
    ),
    PhoneProblem.TOO_LONG: N_("That is too long to be a phone number."),
    PhoneProblem.NOT_A_NUMBER: N_("That is not a phone number."),
    PhoneProblem.INVALID_FOR_COUNTRY: N_("That is not a valid phone number for its country."),
}


def send_invalid_phone(problem: PhoneProblem) -> str:
    again = _("Please send the number again, like <code>+44 7911 123456</code>.")
    return f"❌ {_(_PHONE_PROBLEMS[problem])}\n{again}"


def send_ask_message(phone: str) -> str:
    return ngettext(
        "✉️ What should the SMS to <b>%(phone)s</b> say? Up to %(count)s character. /cancel stops.",
        "✉️ What should the SMS to <b>%(phone)s</b> say? Up to %(count)s characters. /cancel stops.",
        MAX_SMS_LENGTH,
        phone=esc(phone),
    )


def send_too_long(length: int) -> str:
    return ngettext(
        "❌ That message has %(count)s character; an SMS here holds at most %(max)s. "
        "Please send a shorter one.",
        "❌ That message has %(count)s characters; an SMS here holds at most %(max)s. "
        "Please send a shorter one.",
        length,
        max=MAX_SMS_LENGTH,
    )


def send_empty() -> str:
    return _("❌ The message is empty. Please send the text of the SMS.")


def send_text_only() -> str:
    return _("Please send the SMS as text, or /cancel.")


def send_timed_out() -> str:
    return _("⌛ The /send conversation timed out. Start again with /send when you are ready.")


def send_draft_gone() -> str:
    return _("This draft has expired (or was already used). Start again with /send.")


def send_discarded() -> str:
    return _("✖️ Discarded. No SMS was sent.")


def button_pay_balance() -> str:
    return _("💰 Pay from balance")


def send_button(price: int) -> str:
    return _("⚡ Send for %(price)s", price=sats(price))


def button_discard() -> str:
    return _("✖️ Cancel")


def send_confirmation(phone: str, message: str, price: int, admin_balance: bool) -> str:
    lines = [
        _("📤 <b>Please confirm</b>"),
        _("To: <b>%(phone)s</b>", phone=esc(phone)),
        f"<blockquote>{esc(message)}</blockquote>",
        _("Price: <b>%(price)s</b>", price=sats(price)),
    ]
    if admin_balance:
        lines.append(_("As an admin you can also pay from the bot's prepaid sms4sats balance."))
    return "\n".join(lines) + "\n\n" + send_hold_invoice()


def send_order_created(order_id: int, from_balance: bool) -> str:
    if from_balance:
        return _(
            "📤 Order #%(order)s: paid from the prepaid balance. Its card below shows where it "
            "stands.",
            order=order_id,
        )
    return order_created(order_id)


# --- admins, /balance, /fund ---------------------------------------------------------------


def admins_only(command: str) -> str:
    return _("Sorry, %(command)s is for the bot's admins only.", command=command)


def balance_admins_only() -> str:
    return _("Sorry, paying from the balance is for the bot's admins only.")


def any_service() -> str:
    return _("SMS")


def no_api_key() -> str:
    return _(
        "This bot has no sms4sats API key configured, so there is no prepaid balance. "
        "The operator can set SMS4SATS_API_KEY to enable /balance, /fund and paying from balance."
    )


def button_top_up() -> str:
    return _("⚡ Top up")


FUND_PRESETS = (5_000, 10_000, 50_000, 100_000)
FUND_MIN = 1_000
FUND_MAX = 5_000_000


def fund_note() -> str:
    return _(
        "⚡ Once this invoice is paid, its amount is added to the bot's prepaid sms4sats balance."
    )


def fund_ask() -> str:
    return _(
        "⚡ <b>Top up the sms4sats balance.</b> How many sats? Pick an amount, or send "
        "<code>/fund 25000</code> with any amount."
    )


def fund_bad_amount(text: str) -> str:
    return _(
        "❌ “%(text)s” is not an amount I can top up. Send the sats as a whole number "
        "from %(min)s to %(max)s, like <code>/fund 25000</code>.",
        text=esc(text[:40]),
        min=number(FUND_MIN),
        max=number(FUND_MAX),
    )


def fund_closed() -> str:
    return _("✖️ Closed. No top-up was created.")


def fund_button(amount: int) -> str:
    return sats(amount)


def fund_created(order_id: int) -> str:
    return _(
        "🧾 Top-up order #%(order)s created. Its card below shows where it stands.", order=order_id
    )


def balance_report(
    balance: int, history: list[tuple[datetime | None, int, str]], total: int
) -> str:
    lines = [_("💰 <b>Prepaid sms4sats balance: %(amount)s</b>", amount=sats(balance))]
    if history:
        lines += ["", _("<b>Recent top-ups</b>")]
        for when, amount, description in history:
            stamp = day_and_time(when) if when else "—"
            what = f" · {esc(description)}" if description else ""
            lines.append(f"• {stamp} — {sats(amount)}{what}")
        lines.append(_("Funded in all: %(amount)s", amount=sats(total)))
    else:
        lines += ["", _("No top-ups yet.")]
    return "\n".join(lines)


def fund_completed(amount: int, balance: int | None) -> str:
    text = _("✅ The sms4sats balance was topped up with <b>%(amount)s</b>.", amount=sats(amount))
    if balance is not None:
        text += "\n" + _("New balance: <b>%(amount)s</b>.", amount=sats(balance))
    return text


# --- groups --------------------------------------------------------------------------------


def button_continue_privately() -> str:
    return _("🔒 Continue in a private chat")


def group_buy() -> str:
    return _(
        "🔒 Numbers and codes are private, so buying happens in a private chat with me. "
        "Tap below to continue there."
    )


def group_orders() -> str:
    return _("🔒 Your orders are private. Tap below to see them in a private chat with me.")


def group_start() -> str:
    return _(
        "👋 I sell phone numbers for SMS codes, paid with Lightning. Buying happens in a private "
        "chat; tap below. Admins can use /send, /balance and /fund here."
    )


def group_welcome() -> str:
    return _(
        "👋 Thanks for adding me! Members can buy SMS codes in a private chat with me (/buy). "
        "Admins can use /send, /balance and /fund here, and /language sets the language I "
        "speak in this group."
    )


# --- the bot's profile and menus -------------------------------------------------------------

_COMMAND_DESCRIPTIONS = {
    "buy": N_("Get a number for an SMS code"),
    "orders": N_("Your recent orders"),
    "send": N_("Send an SMS"),
    "balance": N_("Prepaid sms4sats balance (admins)"),
    "fund": N_("Top up the prepaid balance (admins)"),
    "stats": N_("Sales, referral, what works (admins)"),
    "language": N_("Change the language"),
    "help": N_("How this bot works"),
    "cancel": N_("Stop what you are doing"),
    "start": N_("Start over"),
}


def command_description(command: str) -> str:
    return _(_COMMAND_DESCRIPTIONS[command])


def bot_description() -> str:
    """Shown in an empty chat with the bot (plain text, at most 512 characters)."""
    return _(
        "Phone numbers that receive SMS codes, paid with Bitcoin Lightning. Pick a country and "
        "a service, pay the invoice, and the code appears in the chat by itself. No code? "
        "The hold invoice returns your sats automatically."
    )


def bot_short_description() -> str:
    """On the bot's profile and in shared links (plain text, at most 120 characters)."""
    return _("SMS activation codes for sats: pay with Lightning, get a number, get the code.")


# --- /language -------------------------------------------------------------------------------


def language_menu(locale: str, in_group: bool) -> str:
    language = NATIVE_NAMES[locale]
    if in_group:
        return _(
            "🌐 This group's language: <b>%(language)s</b>.\n"
            "Pick the language I should use here, for everyone:",
            language=language,
        )
    return _(
        "🌐 Language: <b>%(language)s</b>.\nPick the language I should speak with you:",
        language=language,
    )


def language_set(locale: str, in_group: bool) -> str:
    language = NATIVE_NAMES[locale]
    if in_group:
        return _("✅ This group's language is now <b>%(language)s</b>.", language=language)
    return _("✅ Done: I speak <b>%(language)s</b> with you now.", language=language)


def language_admins_only() -> str:
    return _("Only this group's admins can change its language.")


def language_button(locale: str, selected: bool) -> str:
    # Each language by its own name, whatever the current one: the reader finds theirs.
    return ("✅ " if selected else "") + NATIVE_NAMES[locale]


# --- the operator's view: /stats, error reports, the balance alert ---------------------------
# Kept in one block at the end of the module (they came together; easy to move as one).

_STATS_PERIOD_BUTTONS = {
    "24h": N_("24 h"),
    "7d": N_("7 days"),
    "30d": N_("30 days"),
    "all": N_("All time"),
}
_STATS_PERIOD_NAMES = {
    "24h": N_("last 24 hours"),
    "7d": N_("last 7 days"),
    "30d": N_("last 30 days"),
    "all": N_("all time"),
}
REFERRAL_RATE = 0.10


def admin_help_stats() -> str:
    return "\n" + _("/stats — sales, referral earnings, what sells and what fails")


def group_admin_help_stats() -> str:
    return "\n" + _("Admins can also see /stats here.")


def button_stats_csv() -> str:
    return _("📄 CSV of these orders")


def stats_where() -> str:
    return _(
        "/stats works in a private chat with me, or in the admin group (ADMIN_CHAT_ID), so the "
        "figures stay among admins."
    )


def stats_bad_period(text: str) -> str:
    return _(
        "❌ “%(text)s” is not a period I know. Use 24h, 7d, 30d or all, like "
        "<code>/stats csv 30d</code>.",
        text=esc(text[:20]),
    )


def stats_period_name(period: str) -> str:
    return _(_STATS_PERIOD_NAMES[period])


def stats_period_button(period: str, selected: bool) -> str:
    label = _(_STATS_PERIOD_BUTTONS[period])
    return f"• {label} •" if selected else label


def _share(part: int, whole: int) -> str:
    return f"{number(part)}/{number(whole)} ({round(100 * part / whole)}%)" if whole else "—"


def _top_line(title: str, rows: tuple[TopRow, ...]) -> str:
    if not rows:
        return f"{title}: —"
    items = []
    for row in rows:
        rate = row.success_rate
        if rate is None:
            item = _(
                "%(name)s %(orders)s (none paid)", name=esc(row.name), orders=number(row.orders)
            )
        else:
            item = _(
                "%(name)s %(orders)s (%(percent)s%% ok)",
                name=esc(row.name),
                orders=number(row.orders),
                percent=round(100 * rate),
            )
        items.append(item)
    return f"{title}: " + " · ".join(items)


def stats_report(stats: Stats, period: str, referral_address: str | None) -> str:
    """The /stats message: compact, one fact per line. Sales are receive and send orders."""
    receive, send, fund = OrderKind.RECEIVE, OrderKind.SEND, OrderKind.FUND
    done = frozenset({OrderState.COMPLETED})
    sales_kinds = (receive, send)

    def outcome(state: OrderState) -> int:
        return sum(stats.count(kind=k, states=frozenset({state})) for k in sales_kinds)

    open_orders = sum(
        stats.count(kind=k, states=frozenset(s for s in OrderState if not s.is_final))
        for k in sales_kinds
    )
    counted = [
        (stats.count(kind=receive, states=done),
         N_plural("%(count)s code delivered", "%(count)s codes delivered")),
        (stats.count(kind=send, states=done),
         N_plural("%(count)s SMS delivered", "%(count)s SMS delivered")),
        (outcome(OrderState.NO_NUMBER), N_plural("%(count)s no number", "%(count)s no number")),
        (outcome(OrderState.CANCELLED), N_plural("%(count)s cancelled", "%(count)s cancelled")),
        (outcome(OrderState.EXPIRED), N_plural("%(count)s expired", "%(count)s expired")),
        (outcome(OrderState.FAILED), N_plural("%(count)s failed", "%(count)s failed")),
        (outcome(OrderState.INVOICE_EXPIRED),
         N_plural("%(count)s invoice never paid", "%(count)s invoices never paid")),
        (open_orders, N_plural("%(count)s still open", "%(count)s still open")),
    ]  # fmt: skip
    # Outcomes that did not happen are left out: the message stays short.
    outcomes = [ngettext(*forms, count) for count, forms in counted if count]
    sales = sum(stats.sats(kind=k, states=done, from_balance=False) for k in sales_kinds)
    sold = sum(stats.count(kind=k, states=done, from_balance=False) for k in sales_kinds)
    from_balance = sum(stats.sats(kind=k, states=done, from_balance=True) for k in sales_kinds)
    shown = sum(stats.count(kind=k, from_balance=False) for k in sales_kinds)
    paid = sum(stats.count(kind=k, from_balance=False, paid=True) for k in sales_kinds)
    numbers_paid = stats.count(kind=receive, paid=True)
    lines = [
        _("📊 <b>Stats · %(period)s</b>", period=_(_STATS_PERIOD_NAMES[period])),
        _(
            "Orders: %(numbers)s · %(sms)s · %(topups)s",
            numbers=ngettext("%(count)s number", "%(count)s numbers", stats.count(kind=receive)),
            sms=ngettext("%(count)s SMS", "%(count)s SMS", stats.count(kind=send)),
            topups=ngettext("%(count)s top-up", "%(count)s top-ups", stats.count(kind=fund)),
        ),
        _("Outcomes: %(outcomes)s", outcomes=" · ".join(outcomes) or "—"),
        _(
            "💰 Sales: <b>%(amount)s</b> from %(orders)s paid by invoice",
            amount=sats(sales),
            orders=ngettext("%(count)s completed order", "%(count)s completed orders", sold),
        ),
    ]
    if from_balance:
        lines.append(_("Paid from the prepaid balance: %(amount)s", amount=sats(from_balance)))
    if referral_address:
        lines.append(
            _(
                "🤝 Referral ≈ <b>%(amount)s</b> (10%% of sales; an estimate: sms4sats pays it to "
                "%(address)s, the bot only counts)",
                amount=sats(round(sales * REFERRAL_RATE)),
                address=esc(referral_address),
            )
        )
    else:
        lines.append(
            _("🤝 Referral: none. Set SMS4SATS_REF to your Lightning Address to earn 10%.")
        )
    credited = stats.sats(kind=fund, states=done)
    if stats.count(kind=fund):
        done_funds = stats.count(kind=fund, states=done)
        lines.append(
            _(
                "Top-ups credited: %(count)s · %(amount)s",
                count=number(done_funds),
                amount=sats(credited),
            )
        )
    median = stats.median_seconds_to_code
    lines += [
        _(
            "Conversion: invoices paid %(paid)s · codes per number paid %(codes)s",
            paid=_share(paid, shown),
            codes=_share(stats.count(kind=receive, states=done), numbers_paid),
        ),
        _(
            "⏱ Median payment → code: %(time)s",
            time=duration(median) if median is not None else "—",
        ),
        _top_line(_("🌍 Top countries"), stats.top_countries),
        _top_line(_("📱 Top services"), stats.top_services),
        _(
            "👥 Users: %(new)s new · %(active)s active · %(all)s in all",
            new=number(stats.new_users),
            active=number(stats.active_users),
            all=number(stats.all_users),
        ),
    ]
    return "\n".join(lines)


def stats_csv_caption(count: int, period: str) -> str:
    return ngettext(
        "📄 %(count)s order, %(period)s (times in UTC). No invoices, codes, phone numbers or "
        "messages are included.",
        "📄 %(count)s orders, %(period)s (times in UTC). No invoices, codes, phone numbers or "
        "messages are included.",
        count,
        period=_(_STATS_PERIOD_NAMES[period]),
    )


_ERROR_ORIGINS = {
    "command": N_("a command"),
    "button": N_("a button press"),
    "message": N_("a message"),
    "update": N_("an update"),
    "background": N_("background work"),
}


def error_report(report: ErrorReport) -> str:
    origin = _ERROR_ORIGINS.get(report.origin)
    where = esc(_(origin) if origin else report.origin)
    if report.detail:
        where += f" ({esc(report.detail)})"
    if report.order_ids:
        orders = ", ".join(f"#{i}" for i in report.order_ids)
        if report.count > len(report.order_ids):
            orders += "…"
        where = _("%(where)s, order %(orders)s", where=where, orders=orders)
    lines = [
        _("⚠️ <b>Error in the bot</b>: <code>%(type)s</code>", type=esc(report.error_type)),
        esc(report.message) if report.message else _("(no message)"),
        _("Where: %(where)s", where=where),
    ]
    first = clock(datetime.fromtimestamp(report.first_at, UTC))
    last = clock(datetime.fromtimestamp(report.last_at, UTC))
    if report.count <= 1:
        lines.append(_("At %(time)s.", time=first))
    elif first == last:
        lines.append(
            ngettext(
                "Happened %(count)s time, at %(time)s.",
                "Happened %(count)s times, at %(time)s.",
                report.count,
                time=first,
            )
        )
    else:
        lines.append(
            ngettext(
                "Happened %(count)s time, from %(first)s to %(last)s.",
                "Happened %(count)s times, from %(first)s to %(last)s.",
                report.count,
                first=first,
                last=last,
            )
        )
    if report.origin != "background":
        lines.append(_("Each user got the usual apology."))
    lines.append(_("The full traceback is in the bot's log."))
    return "\n".join(lines)


def balance_low(balance: int, threshold: int) -> str:
    return _(
        "🪫 The prepaid sms4sats balance is <b>%(balance)s</b>, below your alert at "
        "%(threshold)s. Top it up with /fund. (Said once, until it is back above.)",
        balance=sats(balance),
        threshold=sats(threshold),
    )
