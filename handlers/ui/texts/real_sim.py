"""What the bot says about a real SIM (`realphone` at sms4sats), in the current language.

sms4sats' docs say only "a real phone number from the sms4sats network"; the bot says that,
that fewer may be in stock, and that the invoice, not the estimate, is the price.
"""

from __future__ import annotations

from handlers.ui.i18n import _
from handlers.ui.texts.base import esc


def button_toggle(on: bool) -> str:
    return _("📶 Real SIM: on ✅") if on else _("📶 Real SIM: off")


def note() -> str:
    return _(
        "📶 <b>Real SIM</b>: a real phone number from the sms4sats network, for services that "
        "refuse virtual numbers. Fewer may be in stock, and the price is the one on the invoice "
        "(the price above is an estimate)."
    )


def label() -> str:
    return _("📶 Real SIM")


def refused(reason: str | None) -> str:
    if reason:
        return _(
            "📶 sms4sats could not give a real SIM for this right now (it said: %(reason)s). "
            "Nothing was charged. An ordinary number may still work.",
            reason=esc(reason),
        )
    return _(
        "📶 sms4sats could not give a real SIM for this right now. Nothing was charged. An "
        "ordinary number may still work."
    )


def button_ordinary() -> str:
    return _("📱 Ordinary number instead")
