"""Shared pieces of sentences: amounts, times, escaping, how a hold invoice refunds."""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime

from handlers.ui.i18n import _, current, number


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
