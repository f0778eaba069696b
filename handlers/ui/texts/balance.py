"""For the admins: /balance and /fund (topping up the prepaid balance)."""

from __future__ import annotations

from datetime import datetime

from handlers.ui.i18n import _, number
from handlers.ui.texts.base import day_and_time, esc, sats


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
