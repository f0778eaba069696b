"""Every sentence the bot says, in one place (HTML parse mode).

Anything that came from a user or from sms4sats goes through `esc` before it lands in a text.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime, timedelta

from bot.core.operator import ErrorReport
from bot.domain.orders import OrderKind, OrderState
from bot.domain.phones import PhoneProblem
from bot.sms4sats import Problem, Sms4SatsError
from storage import Stats, TopRow

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


def clock_from(moment: datetime) -> str:
    """A time from which something is allowed, rounded up: pressing at the minute shown works."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return clock(moment)


def duration(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
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
    # Not "pay the invoice below": this message stays, and the invoice goes once it is paid.
    return f"🧾 Order #{order_id} created. {CARD_BELOW}"


CARD_BELOW = "Its card below shows where it stands."


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
BUTTON_BUY_AGAIN = "🔁 Buy again"
BUTTON_ANOTHER_COUNTRY = "🌍 Try another country"
BUTTON_SAME_SERVICE_ELSEWHERE = "🌐 Same service elsewhere"
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
        lines.append(f"You can cancel from {clock_from(cancel_from)} if no code arrives.")
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
        f"sms4sats allows cancelling 2 minutes after payment: from {clock_from(cancel_from)} "
        f"(in {duration((cancel_from - now).total_seconds())}). "
        "If no code comes, your sats return by themselves anyway."
    )


CANCEL_DONE = "Order cancelled. Your sats return to your wallet automatically."
CANCEL_DONE_UNPAID = "Order cancelled. Nothing was charged."
CANCEL_NOT_POSSIBLE = "This order can no longer be cancelled."


def cancel_refused(reason: str) -> str:
    return f"sms4sats did not cancel the order: {esc(reason)}"


# --- /cancel: leaving whatever is open -------------------------------------------------------

NOTHING_TO_CANCEL = "There is nothing to cancel right now. /help lists what I can do."
MENU_CLOSED = "✖️ Closed with /cancel. Nothing was bought here."
MENU_LEFT = "You closed this menu with /cancel. Tap /buy to start again."
CLOSED_MENUS = "✖️ Closed. Nothing was bought."
CLOSED_SEND = "✖️ Closed your /send. No SMS was sent."
NOTHING_OPEN = "No menu was open."
OPEN_ORDERS = "<b>Your open orders:</b>"
MORE_OPEN_ORDERS = "The others are under /orders."


def cancel_now(line: str) -> str:
    return f"• {esc(line)}: you can cancel it now."


def cancel_later(line: str, cancel_from: datetime) -> str:
    return (
        f"• {esc(line)}: you can cancel it from {clock_from(cancel_from)} "
        "(if no code comes, the sats return by themselves)."
    )


def cancel_unpaid(line: str, expires_at: datetime | None) -> str:
    until = f" at {clock(expires_at)}" if expires_at else ""
    return f"• {esc(line)}: not paid; the invoice expires{until} and nothing is charged."


def cancel_never(line: str) -> str:
    return f"• {esc(line)}: paid and on its way; it can no longer be cancelled."


def cancel_order_button(order_id: int) -> str:
    return f"✖️ Cancel #{order_id}"


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
        return f"📤 Order #{order_id}: paid from the prepaid balance. {CARD_BELOW}"
    return order_created(order_id)


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
    return f"🧾 Top-up order #{order_id} created. {CARD_BELOW}"


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


# --- the operator's view: /stats, error reports, the balance alert ---------------------------
# Kept in one block at the end of the module (they came together; easy to move as one).

COMMAND_STATS = "Sales, referral, what works (admins)"
ADMIN_HELP_STATS = "\n/stats — sales, referral earnings, what sells and what fails"
GROUP_ADMIN_HELP_STATS = "\nAdmins can also see /stats here."
STATS_PERIOD_BUTTONS = {"24h": "24 h", "7d": "7 days", "30d": "30 days", "all": "All time"}
STATS_PERIOD_NAMES = {
    "24h": "last 24 hours",
    "7d": "last 7 days",
    "30d": "last 30 days",
    "all": "all time",
}
BUTTON_STATS_CSV = "📄 CSV of these orders"
STATS_WHERE = (
    "/stats works in a private chat with me, or in the admin group (ADMIN_CHAT_ID), so the "
    "figures stay among admins."
)
REFERRAL_RATE = 0.10


def stats_bad_period(text: str) -> str:
    return (
        f"❌ “{esc(text[:20])}” is not a period I know. Use 24h, 7d, 30d or all, like "
        "<code>/stats csv 30d</code>."
    )


def stats_period_button(period: str, current: bool) -> str:
    label = STATS_PERIOD_BUTTONS[period]
    return f"• {label} •" if current else label


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({round(100 * part / whole)}%)" if whole else "—"


def _top_line(title: str, rows: tuple[TopRow, ...]) -> str:
    if not rows:
        return f"{title}: —"
    items = []
    for row in rows:
        rate = row.success_rate
        ok = f"{round(100 * rate)}% ok" if rate is not None else "none paid"
        items.append(f"{esc(row.name)} {row.orders:,} ({ok})")
    return f"{title}: " + " · ".join(items)


def stats_report(stats: Stats, period: str, referral_address: str | None) -> str:
    """The /stats message: compact, one fact per line. Sales are receive and send orders."""
    receive, send, fund = OrderKind.RECEIVE, OrderKind.SEND, OrderKind.FUND
    done = frozenset({OrderState.COMPLETED})
    sales_kinds = (receive, send)

    def outcome(state: OrderState) -> int:
        return sum(stats.count(kind=k, states=frozenset({state})) for k in sales_kinds)

    outcomes = [
        _n(stats.count(kind=receive, states=done), "code delivered", "codes delivered"),
        _n(stats.count(kind=send, states=done), "SMS delivered", "SMS delivered"),
        _n(outcome(OrderState.NO_NUMBER), "no number", "no number"),
        _n(outcome(OrderState.CANCELLED), "cancelled", "cancelled"),
        _n(outcome(OrderState.EXPIRED), "expired", "expired"),
        _n(outcome(OrderState.FAILED), "failed", "failed"),
        _n(outcome(OrderState.INVOICE_EXPIRED), "invoice never paid", "invoices never paid"),
    ]
    open_orders = sum(
        stats.count(kind=k, states=frozenset(s for s in OrderState if not s.is_final))
        for k in sales_kinds
    )
    if open_orders:
        outcomes.append(_n(open_orders, "still open", "still open"))
    sales = sum(stats.sats(kind=k, states=done, from_balance=False) for k in sales_kinds)
    sold = sum(stats.count(kind=k, states=done, from_balance=False) for k in sales_kinds)
    from_balance = sum(stats.sats(kind=k, states=done, from_balance=True) for k in sales_kinds)
    shown = sum(stats.count(kind=k, from_balance=False) for k in sales_kinds)
    paid = sum(stats.count(kind=k, from_balance=False, paid=True) for k in sales_kinds)
    numbers_paid = stats.count(kind=receive, paid=True)
    lines = [
        f"📊 <b>Stats · {STATS_PERIOD_NAMES[period]}</b>",
        f"Orders: {_n(stats.count(kind=receive), 'number', 'numbers')} · "
        f"{_n(stats.count(kind=send), 'SMS', 'SMS')} · "
        f"{_n(stats.count(kind=fund), 'top-up', 'top-ups')}",
        # Outcomes that did not happen are left out: the message stays short.
        "Outcomes: " + (" · ".join(o for o in outcomes if not o.startswith("0 ")) or "—"),
        f"💰 Sales: <b>{sats(sales)}</b> from {_n(sold, 'completed order', 'completed orders')} "
        "paid by invoice",
    ]
    if from_balance:
        lines.append(f"Paid from the prepaid balance: {sats(from_balance)}")
    if referral_address:
        lines.append(
            f"🤝 Referral ≈ <b>{sats(round(sales * REFERRAL_RATE))}</b> (10% of sales; an "
            f"estimate: sms4sats pays it to {esc(referral_address)}, the bot only counts)"
        )
    else:
        lines.append("🤝 Referral: none. Set SMS4SATS_REF to your Lightning Address to earn 10%.")
    credited = stats.sats(kind=fund, states=done)
    if stats.count(kind=fund):
        done_funds = stats.count(kind=fund, states=done)
        lines.append(f"Top-ups credited: {done_funds:,} · {sats(credited)}")
    median = stats.median_seconds_to_code
    lines += [
        f"Conversion: invoices paid {_share(paid, shown)} · codes per number paid "
        f"{_share(stats.count(kind=receive, states=done), numbers_paid)}",
        "⏱ Median payment → code: " + (duration(median) if median is not None else "—"),
        _top_line("🌍 Top countries", stats.top_countries),
        _top_line("📱 Top services", stats.top_services),
        f"👥 Users: {stats.new_users:,} new · {stats.active_users:,} active · "
        f"{stats.all_users:,} in all",
    ]
    return "\n".join(lines)


def stats_csv_caption(count: int, period: str) -> str:
    return (
        f"📄 {count:,} orders, {STATS_PERIOD_NAMES[period]} (times in UTC). No invoices, codes, "
        "phone numbers or messages are included."
    )


def error_report(report: ErrorReport) -> str:
    where = {
        "command": "a command",
        "button": "a button press",
        "message": "a message",
        "update": "an update",
        "background": "background work",
    }.get(report.origin, report.origin)
    if report.detail:
        where += f" ({report.detail})"
    if report.order_ids:
        where += ", order " + ", ".join(f"#{i}" for i in report.order_ids)
        if report.count > len(report.order_ids):
            where += "…"
    lines = [
        f"⚠️ <b>Error in the bot</b>: <code>{esc(report.error_type)}</code>",
        esc(report.message) if report.message else "(no message)",
        f"Where: {esc(where)}",
    ]
    first = clock(datetime.fromtimestamp(report.first_at, UTC))
    last = clock(datetime.fromtimestamp(report.last_at, UTC))
    when = f"at {first}" if first == last else f"from {first} to {last}"
    repeated = f"Happened {report.count:,} times, {when}."
    lines.append(repeated if report.count > 1 else f"At {first}.")
    if report.origin != "background":
        lines.append("Each user got the usual apology.")
    lines.append("The full traceback is in the bot's log.")
    return "\n".join(lines)


def balance_low(balance: int, threshold: int) -> str:
    return (
        f"🪫 The prepaid sms4sats balance is <b>{sats(balance)}</b>, below your alert at "
        f"{sats(threshold)}. Top it up with /fund. (Said once, until it is back above.)"
    )
