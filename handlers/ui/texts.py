"""Every sentence the bot says, in one place (HTML parse mode).

Anything that came from a user or from sms4sats goes through `esc` before it lands in a text.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from bot.domain.orders import OrderKind, OrderState
from bot.domain.phones import PhoneProblem
from bot.sms4sats import Problem, Sms4SatsError
from handlers.ui.i18n import N_, NATIVE_NAMES, _

HOLD_INVOICE_REFUND = (
    "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken when your "
    "code arrives; if no code comes, they return to your wallet by themselves (at the latest "
    "after 21 minutes)."
)
SATS_RETURN = "Your sats return to your wallet automatically."
SATS_RETURN_LOWER = "your sats return to your wallet automatically."


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def sats(amount: int) -> str:
    return f"{amount:,} sats"


def clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest and minutes < 5 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


# --- start, help, hints --------------------------------------------------------------------

START = (
    "👋 <b>Phone numbers for SMS codes, paid with Lightning.</b>\n"
    "Pick a country and a service → pay the invoice → get a number → the code appears here "
    "by itself.\n"
    "No code? The hold invoice refunds your sats automatically."
)
HELP = (
    "<b>Commands</b>\n"
    "/buy — get a number that receives an SMS code\n"
    "/orders — your recent orders and their status\n"
    "/send — send an SMS to any phone number\n"
    "/cancel — stop what you are doing\n"
    "/help — this message\n\n"
    "<b>How paying works</b>\n"
    "You pay each order with a Lightning invoice.\n" + HOLD_INVOICE_REFUND + "\n\n"
    "Cancelling is possible 2 minutes after payment if no code has arrived."
)
ADMIN_HELP = (
    "\n\n<b>For admins</b>\n"
    "/balance — the prepaid sms4sats balance\n"
    "/fund — top up the prepaid balance\n"
    "/send — can also be paid from the balance"
)
GROUP_HELP = (
    "👋 I sell phone numbers for SMS codes, paid with Lightning. Numbers and codes are private, "
    "so buying and your orders are in a private chat with me: tap below."
)
GROUP_ADMIN_HELP = "\nAdmins can use /send, /balance and /fund here."
SLOW_DOWN = "🐢 That is a lot at once. I will answer what you sent; please wait a moment."
COMMAND_BUY = "Get a number for an SMS code"
COMMAND_ORDERS = "Your recent orders"
COMMAND_HELP = "How this bot works"
COMMAND_START = "Start over"

BUTTON_BUY = "🛒 Buy a number"
BUTTON_ORDERS = "📋 My orders"
TEXT_HINT = "To get a number, tap /buy. Your orders are under /orders, and /help explains the rest."
LONG_TEXT_HINT = "That is a long message! To get a number, tap /buy; /help explains the rest."
NOTHING_TO_CANCEL = "There is nothing to cancel right now. /help lists what I can do."
UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I do."
OLD_BUTTON = "This button is from an older menu and no longer works. Tap /buy to start again."
NOT_YOUR_BUTTON = "This menu belongs to someone else."
PRIVATE_ONLY_BUTTON = "Numbers and codes are private: open a private chat with me to buy (/buy)."
INTERNAL_ERROR = "Sorry, something went wrong on my side. Please try again in a moment."


# --- country and service pickers -----------------------------------------------------------

COUNTRY_PICKER = (
    "🌍 <b>Pick a country</b> for your number.\n"
    "Auto-Select picks any country that has numbers. Type a name to search."
)
AUTO_SELECT = "Auto-Select"
ANY_COUNTRY = "any country"
ALL_SERVICES = "📱 All services"
TRY_AGAIN = "🔁 Try again"
NEXT = "Next ›"


def page_of(page: int, pages: int) -> str:
    return f"\nPage {page + 1} of {pages}." if pages > 1 else ""


PREVIOUS = "‹ Prev"
BACK = "‹ Back"
BACK_TO_COUNTRIES = "‹ Countries"
SHOW_ALL_COUNTRIES = "🌍 All countries"


def country_matches(query: str, count: int, shown: int) -> str:
    more = f" (showing the first {shown})" if count > shown else ""
    return f"🔎 Countries matching “{esc(query)}”{more}:"


def no_country_matches(query: str) -> str:
    return f"🔎 No country matches “{esc(query)}”. Try another spelling, or pick from the list."


def service_picker(country_label: str) -> str:
    return (
        f"📱 <b>Pick a service</b> in {esc(country_label)}.\n"
        "Only services with numbers in stock are shown. Type a name to search."
    )


def no_services(country_label: str) -> str:
    return (
        f"😕 No numbers are available in {esc(country_label)} right now.\n"
        "Pick another country, or try Auto-Select."
    )


def service_matches(query: str, country_label: str) -> str:
    return f"🔎 Services in {esc(country_label)} matching “{esc(query)}”:"


def no_service_matches(query: str, country_label: str) -> str:
    return (
        f"🔎 No service in {esc(country_label)} matches “{esc(query)}”. "
        "Try another name, or pick from the list."
    )


SERVICE_GONE = "That service has no numbers left in this country. Pick another one."


# --- confirmation and invoice --------------------------------------------------------------


def confirm_receive(service: str, country_label: str, price: int) -> str:
    return (
        "🧾 <b>Please confirm</b>\n"
        f"You get: a phone number in <b>{esc(country_label)}</b> that receives one SMS code "
        f"from <b>{esc(service)}</b>.\n"
        f"Price: <b>{sats(price)}</b>\n\n" + HOLD_INVOICE_REFUND
    )


def buy_button(price: int) -> str:
    return f"⚡ Buy for {sats(price)}"


PRICE_UNAVAILABLE = "sms4sats did not give a price for this service. Please try again in a moment."
CREATING_ORDER = "⏳ Creating your order…"


def order_created(order_id: int) -> str:
    return f"🧾 Order #{order_id} created. Pay the invoice below to get your number."


PRICE_CHANGED = "The price has changed since this confirmation. Here is the current one:"
ALREADY_ORDERED = "You already ordered from this confirmation. Here is that order:"
STALE_CONFIRMATION = "This confirmation is old; here it is again with the current price:"


def sms4sats_problem(error: Sms4SatsError) -> str:
    """What a failed call to sms4sats means for the user, in plain words."""
    if error.problem is Problem.REFUSED:
        if error.reason:
            return f"sms4sats refused: {esc(error.reason)}"
        return f"sms4sats refused the request (HTTP {error.status_code})."
    return _SMS4SATS_PROBLEMS[error.problem]


_SMS4SATS_PROBLEMS = {
    Problem.TIMEOUT: "sms4sats did not answer in time. Please try again in a moment.",
    Problem.UNREACHABLE: "sms4sats cannot be reached right now. Please try again in a moment.",
    Problem.TROUBLE: "sms4sats is having trouble right now. Please try again in a moment.",
    Problem.BROKEN_ANSWER: (
        "sms4sats sent an answer the bot could not read. Please try again in a moment."
    ),
    Problem.REFUSED: "sms4sats refused the request.",
    Problem.NO_API_KEY: "No sms4sats API key is configured for this bot.",
}


def order_failed(error: Sms4SatsError) -> str:
    return f"❌ The order could not be created. {sms4sats_problem(error)}"


def too_many_unpaid(limit: int) -> str:
    return (
        f"🧾 You already have {limit} unpaid invoices open. Pay or cancel one of them "
        "(/orders) before creating another; unpaid invoices also expire by themselves."
    )


def too_many_per_hour(limit: int) -> str:
    return (
        f"⏳ You created {limit} orders in the last hour, the most one person can. "
        "Please try again later."
    )


ORDER_IN_PROGRESS = "⏳ This order is still being created. One moment, please."
PLACEMENT_LOST = (
    "⚠️ The order from this confirmation was not created: the bot restarted before it was done. "
    "Nothing was charged. Please try again."
)


def invoice_what(order_id: int, subject: str) -> str:
    return f"order #{order_id}: {subject}"


def invoice_caption(
    *,
    what: str,
    amount: int | None,
    expires_at: datetime | None,
    invoice: str,
    now: datetime,
    note: str = HOLD_INVOICE_REFUND,
) -> str:
    lines = [f"🧾 <b>Invoice</b> for {what}"]
    if amount is not None:
        lines.append(f"Amount: <b>{sats(amount)}</b>")
    if expires_at is not None:
        left = (expires_at - now).total_seconds()
        lines.append(f"Pay before {clock(expires_at)} (in {duration(left)}).")
    lines += ["", note, "", f"<code>{esc(invoice)}</code>"]
    return "\n".join(lines)


def receive_subject(service: str, country_label: str) -> str:
    return f"a <b>{esc(service)}</b> number in <b>{esc(country_label)}</b>"


# --- the order card ------------------------------------------------------------------------

BUTTON_CANCEL = "✖️ Cancel order"
BUTTON_REFRESH = "🔄 Check now"
BUTTON_COPY_NUMBER = "📋 Copy number"
BUTTON_COPY_CODE = "📋 Copy code"
BUTTON_COPY_INVOICE = "📋 Copy invoice"


def card_title(order_id: int, subject: str) -> str:
    return f"<b>Order #{order_id}</b> · {subject}"


CARD_PAID = "✅ Payment received (held). Getting a number…"


def card_number(number: str, cancel_from: datetime | None, now: datetime) -> str:
    lines = [
        f"📱 Your number: <code>{esc(number)}</code>",
        "Enter it in the app or site; the code will appear here by itself.",
    ]
    if cancel_from is not None and cancel_from > now:
        lines.append(f"You can cancel from {clock(cancel_from)} if no code arrives.")
    lines.append("No code within 21 minutes? The order ends and " + SATS_RETURN_LOWER)
    return "\n".join(lines)


def card_completed(number: str | None, code: str | None) -> str:
    """`code` is None when the code comes as its own message right after this card."""
    number_line = f"📱 Number: <code>{esc(number)}</code>\n" if number else ""
    if code is None:
        return f"{number_line}✅ Code received: it is in the next message.\nDone — thank you!"
    return f"{number_line}✅ Code received: <code>{esc(code)}</code>\nDone — thank you!"


def card_no_number() -> str:
    return "😕 No number was available for this order; " + SATS_RETURN_LOWER


def card_cancelled(paid: bool) -> str:
    return "✖️ Cancelled. " + (SATS_RETURN if paid else "Nothing was charged.")


def card_expired() -> str:
    return "⌛ No code arrived in time, so the order ended. " + SATS_RETURN


CARD_INVOICE_EXPIRED = "⌛ The invoice expired before it was paid. Nothing was charged."


def code_message(code: str, number: str | None, subject: str) -> str:
    where = f" for {number}" if number else ""
    return f"🔑 <b>Your code{esc(where)}</b> ({subject}):\n\n<code>{esc(code)}</code>"


# --- cancel --------------------------------------------------------------------------------


def cancel_too_early(cancel_from: datetime, now: datetime) -> str:
    return (
        f"sms4sats allows cancelling 2 minutes after payment: from {clock(cancel_from)} "
        f"(in {duration((cancel_from - now).total_seconds())}). "
        "If no code comes, your sats return by themselves anyway."
    )


CANCEL_DONE = "Order cancelled. Your sats return to your wallet automatically."
CANCEL_DONE_UNPAID = "Order cancelled. Nothing was charged."
CANCEL_NOT_POSSIBLE = "This order can no longer be cancelled."


def cancel_refused(reason: str) -> str:
    return f"sms4sats did not cancel the order: {esc(reason)}"


# --- /orders -------------------------------------------------------------------------------

NO_ORDERS = "You have no orders yet. Tap /buy to get a number."


def orders_header(total: int) -> str:
    return f"📋 <b>Your orders</b> ({total} in all). Tap one to see it."


STATE_LABELS: dict[OrderState, str] = {
    OrderState.AWAITING_PAYMENT: "awaiting payment",
    OrderState.PAID: "paid, in progress",
    OrderState.NUMBER: "waiting for the code",
    OrderState.SENT: "sent, awaiting delivery",
    OrderState.COMPLETED: "done",
    OrderState.NO_NUMBER: "no number · refunded",
    OrderState.CANCELLED: "cancelled",
    OrderState.EXPIRED: "expired · refunded",
    OrderState.FAILED: "failed · refunded",
    OrderState.INVOICE_EXPIRED: "invoice expired",
}
# Where a kind's words for a state differ from the common ones above.
KIND_STATE_LABELS: dict[OrderKind, dict[OrderState, str]] = {
    OrderKind.SEND: {OrderState.PAID: "paid, sending", OrderState.COMPLETED: "delivered"},
    OrderKind.FUND: {OrderState.COMPLETED: "credited"},
}


def state_label(kind: OrderKind, state: OrderState) -> str:
    return KIND_STATE_LABELS.get(kind, {}).get(state) or STATE_LABELS[state]


def status_answer(kind: OrderKind, state: OrderState) -> str:
    return f"Status: {state_label(kind, state)}"


def order_line(order_id: int, what: str, kind: OrderKind, state: OrderState) -> str:
    return f"#{order_id} · {what} · {state_label(kind, state)}"


def receive_line(service: str, country_label: str) -> str:
    return f"{service} · {country_label}"


def send_line(phone: str) -> str:
    return f"SMS to {phone}"


def fund_line(amount: int) -> str:
    return f"Top-up {sats(amount)}"


ORDER_NOT_FOUND = "That order does not exist (any more)."
SMS4SATS_TROUBLE = "sms4sats is not answering right now; I will keep checking by myself."


# --- send orders and top-ups (their cards) -------------------------------------------------


def send_subject(phone: str) -> str:
    return f"an SMS to <b>{esc(phone)}</b>"


def fund_subject(amount: int) -> str:
    return f"a top-up of <b>{sats(amount)}</b> for the sms4sats balance"


def send_card(state: OrderState, message: str, paid_from_balance: bool) -> str:
    quoted = f"<blockquote>{esc(message)}</blockquote>\n" if message else ""
    refund = "The balance is not charged for a failed SMS." if paid_from_balance else SATS_RETURN
    lines = {
        OrderState.PAID: "📤 Paid. Sending your SMS…",
        OrderState.SENT: "📤 Sent; waiting for the delivery report.",
        OrderState.COMPLETED: "✅ Delivered.",
        OrderState.FAILED: "❌ The SMS could not be delivered. " + refund,
        OrderState.CANCELLED: "✖️ Cancelled. Nothing was charged.",
        OrderState.INVOICE_EXPIRED: CARD_INVOICE_EXPIRED,
    }
    return quoted + lines.get(state, "📤 In progress…")


# --- /send ---------------------------------------------------------------------------------

SEND_HOLD_INVOICE = (
    "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken once the SMS "
    "is sent; if it cannot be sent, they return to your wallet by themselves."
)
SEND_ASK_PHONE = (
    "📤 <b>Send an SMS.</b> Which phone number should get it?\n"
    "Include the country code, like <code>+44 7911 123456</code>. /cancel stops."
)
PHONE_PLACEHOLDER = "+44 7911 123456"
MESSAGE_PLACEHOLDER = "Your message (up to 140 characters)"
MAX_SMS_LENGTH = 140


_PHONE_PROBLEMS = {
    PhoneProblem.NO_COUNTRY_CODE: "Please include the country code, starting with + (like +44…).",
    PhoneProblem.TOO_LONG: "That is too long to be a phone number.",
    PhoneProblem.NOT_A_NUMBER: "That does not look like a phone number.",
    PhoneProblem.INVALID_FOR_COUNTRY: "That is not a valid phone number for its country.",
}


def send_invalid_phone(problem: PhoneProblem) -> str:
    return (
        f"❌ {_PHONE_PROBLEMS[problem]}\n"
        "Please send the number again, like <code>+44 7911 123456</code>."
    )


def send_ask_message(phone: str) -> str:
    return (
        f"✉️ What should the SMS to <b>{esc(phone)}</b> say? "
        f"Up to {MAX_SMS_LENGTH} characters. /cancel stops."
    )


def send_too_long(length: int) -> str:
    return (
        f"❌ That message has {length} characters; an SMS here holds at most {MAX_SMS_LENGTH}. "
        "Please send a shorter one."
    )


SEND_EMPTY = "❌ The message is empty. Please send the text of the SMS."
SEND_TEXT_ONLY = "Please send the SMS as text, or /cancel."
SEND_CANCELLED = "✖️ Cancelled. No SMS was sent."
SEND_TIMED_OUT = "⌛ The /send conversation timed out. Start again with /send when you are ready."
SEND_DRAFT_GONE = "This draft has expired (or was already used). Start again with /send."
SEND_DISCARDED = "✖️ Discarded. No SMS was sent."
BUTTON_PAY_BALANCE = "💰 Pay from balance"


def send_button(price: int) -> str:
    return f"⚡ Send for {sats(price)}"


BUTTON_DISCARD = "✖️ Cancel"


def send_confirmation(phone: str, message: str, price: int, admin_balance: bool) -> str:
    balance = (
        "\nAs an admin you can also pay from the bot's prepaid sms4sats balance." if admin_balance
        else ""
    )  # fmt: skip
    return (
        "📤 <b>Please confirm</b>\n"
        f"To: <b>{esc(phone)}</b>\n"
        f"<blockquote>{esc(message)}</blockquote>\n"
        f"Price: <b>{sats(price)}</b>{balance}\n\n" + SEND_HOLD_INVOICE
    )


def send_order_created(order_id: int, from_balance: bool) -> str:
    if from_balance:
        return f"📤 Order #{order_id}: paid from the prepaid balance. Sending…"
    return f"🧾 Order #{order_id} created. Pay the invoice below to send the SMS."


# --- admins, /balance, /fund ---------------------------------------------------------------


def admins_only(command: str) -> str:
    return f"Sorry, {command} is for the bot's admins only."


BALANCE_ADMINS_ONLY = "Sorry, paying from the balance is for the bot's admins only."
ANY_SERVICE = "SMS"


NO_API_KEY = (
    "This bot has no sms4sats API key configured, so there is no prepaid balance. "
    "The operator can set SMS4SATS_API_KEY to enable /balance, /fund and paying from balance."
)
COMMAND_SEND = "Send an SMS"
COMMAND_BALANCE = "Prepaid sms4sats balance (admins)"
COMMAND_FUND = "Top up the prepaid balance (admins)"
COMMAND_CANCEL = "Stop what you are doing"
BUTTON_TOP_UP = "⚡ Top up"
FUND_PRESETS = (5_000, 10_000, 50_000, 100_000)
FUND_MIN = 1_000
FUND_MAX = 5_000_000
FUND_NOTE = (
    "⚡ Once this invoice is paid, its amount is added to the bot's prepaid sms4sats balance."
)
FUND_ASK = (
    "⚡ <b>Top up the sms4sats balance.</b> How many sats? Pick an amount, or send "
    "<code>/fund 25000</code> with any amount."
)


def fund_bad_amount(text: str) -> str:
    return (
        f"❌ “{esc(text[:40])}” is not an amount I can top up. Send the sats as a whole number "
        f"from {FUND_MIN:,} to {FUND_MAX:,}, like <code>/fund 25000</code>."
    )


FUND_CLOSED = "✖️ Closed. No top-up was created."


def fund_button(amount: int) -> str:
    return f"{amount:,} sats"


def fund_created(order_id: int) -> str:
    return f"🧾 Top-up order #{order_id} created. Pay the invoice below."


def balance_report(
    balance: int, history: list[tuple[datetime | None, int, str]], total: int
) -> str:
    lines = [f"💰 <b>Prepaid sms4sats balance: {sats(balance)}</b>"]
    if history:
        lines += ["", "<b>Recent top-ups</b>"]
        for when, amount, description in history:
            stamp = when.astimezone(UTC).strftime("%d %b %H:%M UTC") if when else "—"
            what = f" · {esc(description)}" if description else ""
            lines.append(f"• {stamp} — {sats(amount)}{what}")
        lines.append(f"Funded in all: {sats(total)}")
    else:
        lines += ["", "No top-ups yet."]
    return "\n".join(lines)


def fund_completed(amount: int, balance: int | None) -> str:
    text = f"✅ The sms4sats balance was topped up with <b>{sats(amount)}</b>."
    if balance is not None:
        text += f"\nNew balance: <b>{sats(balance)}</b>."
    return text


# --- groups --------------------------------------------------------------------------------

BUTTON_CONTINUE_PRIVATELY = "🔒 Continue in a private chat"
GROUP_BUY = (
    "🔒 Numbers and codes are private, so buying happens in a private chat with me. "
    "Tap below to continue there."
)
GROUP_ORDERS = "🔒 Your orders are private. Tap below to see them in a private chat with me."
GROUP_START = (
    "👋 I sell phone numbers for SMS codes, paid with Lightning. Buying happens in a private "
    "chat; tap below. Admins can use /send, /balance and /fund here."
)
GROUP_WELCOME = (
    "👋 Thanks for adding me! Members can buy SMS codes in a private chat with me (/buy). "
    "Admins can use /send, /balance and /fund here."
)


# --- the bot's profile and menus -------------------------------------------------------------

_COMMAND_DESCRIPTIONS = {
    "buy": N_("Get a number for an SMS code"),
    "orders": N_("Your recent orders"),
    "send": N_("Send an SMS"),
    "balance": N_("Prepaid sms4sats balance (admins)"),
    "fund": N_("Top up the prepaid balance (admins)"),
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


def language_menu(current: str, in_group: bool) -> str:
    language = NATIVE_NAMES[current]
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


def language_set(current: str, in_group: bool) -> str:
    language = NATIVE_NAMES[current]
    if in_group:
        return _("✅ This group's language is now <b>%(language)s</b>.", language=language)
    return _("✅ Done: I speak <b>%(language)s</b> with you now.", language=language)


def language_admins_only() -> str:
    return _("Only this group's admins can change its language.")


def language_button(locale: str, selected: bool) -> str:
    # Each language by its own name, whatever the current one: the reader finds theirs.
    return ("✅ " if selected else "") + NATIVE_NAMES[locale]
