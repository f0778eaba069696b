"""The words the bot says in groups."""

from __future__ import annotations

from handlers.ui.i18n import _


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
