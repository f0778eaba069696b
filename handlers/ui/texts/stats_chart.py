"""The words of the /stats chart (its caption, legend and axes) and of the CSV sent privately
from the admin group, in the current language. See `texts`' `__init__` for how sentences are
written."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.orders import OrderState
from handlers.ui.i18n import N_, _
from handlers.ui.texts.base import esc
from handlers.ui.texts.operator import stats_period_name


@dataclass(frozen=True, slots=True)
class ChartWords:
    """Everything the chart says, translated before it is drawn (in another thread)."""

    title: str
    orders_axis: str
    sats_axis: str
    outcomes: dict[OrderState, str]
    """Final states, bottom of the stack first."""
    still_open: str
    nothing: str
    locale: str


# The chart's outcomes, bottom of the stack first: what worked, then each way it did not.
_OUTCOMES = {
    OrderState.COMPLETED: N_("Delivered"),
    OrderState.NO_NUMBER: N_("No number"),
    OrderState.CANCELLED: N_("Cancelled"),
    OrderState.EXPIRED: N_("Expired after payment"),
    OrderState.FAILED: N_("SMS failed"),
    OrderState.INVOICE_EXPIRED: N_("Invoice never paid"),
}
OPEN = N_("Still open")


def chart_words(period: str, locale: str) -> ChartWords:
    return ChartWords(
        title=_("Numbers and SMS per day, %(period)s (UTC)", period=stats_period_name(period)),
        orders_axis=_("Orders"),
        sats_axis=_("Sales, sats"),
        outcomes={state: _(label) for state, label in _OUTCOMES.items()},
        still_open=_(OPEN),
        nothing=_("No orders in this period"),
        locale=locale,
    )


def chart_caption(period: str) -> str:
    return _(
        "📈 Orders per day by outcome, and sales in sats per day: %(period)s.",
        period=stats_period_name(period),
    )


def csv_sent_privately(name: str) -> str:
    return _(
        "📄 %(name)s, I sent you the CSV in our private chat: it lists user ids, which are not "
        "for everyone in this group.",
        name=esc(name),
    )


def csv_needs_private_chat(name: str, bot_username: str) -> str:
    return _(
        "📄 %(name)s, the CSV lists user ids, so I only send it privately, and I cannot write "
        "to you yet. Open a chat with @%(bot)s, press Start, then ask again.",
        name=esc(name),
        bot=esc(bot_username),
    )
