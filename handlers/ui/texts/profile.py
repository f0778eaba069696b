"""The bot's profile and command menus as Telegram shows them."""

from __future__ import annotations

from handlers.ui.i18n import N_, _

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
