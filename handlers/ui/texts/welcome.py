"""The words of /start, /help and the hints for what the bot did not understand."""

from __future__ import annotations

from handlers.ui.i18n import _, ngettext
from handlers.ui.texts.base import hold_invoice_refund


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
