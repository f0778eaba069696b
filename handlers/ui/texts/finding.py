"""Sentences of finding a number faster: service first, out of stock, "tell me when it's back".

Same rules as the rest of `texts` (see its `__init__`): each sentence is a function, translated
when it is said; anything from a user or from sms4sats goes through `esc`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.watches import MAX_WATCHES, WATCH_LASTS
from handlers.ui.i18n import _, ngettext
from handlers.ui.texts.base import esc, sats

WATCH_HOURS = int(WATCH_LASTS // 3600)


def any_other_service() -> str:
    """The name of sms4sats' "ot": a number for a service it does not list by name."""
    return _("Any other service")


# --- service first ---------------------------------------------------------------------------


def button_service_first() -> str:
    return _("📱 Service first")


def service_first_picker() -> str:
    return _(
        "📱 <b>Pick a service.</b>\n"
        "Then you see the countries that have numbers for it, cheapest first. "
        "Type a name to search."
    )


def back_to_service_list() -> str:
    return _("‹ Services")


def service_countries(service: str) -> str:
    return _(
        "🌍 <b>%(service)s</b>: countries with numbers now, cheapest first.\n"
        "Auto-Select picks any country that has one. A country without a price shows it on "
        "the next step.",
        service=esc(service),
    )


def country_with_price(country_label: str, price: int) -> str:
    """A button: the country and what a number there costs."""
    return _("%(country)s · %(price)s", country=country_label, price=sats(price))


def service_first_matches(query: str) -> str:
    return _("🔎 Services matching “%(query)s”:", query=esc(query))


def no_service_first_matches(query: str) -> str:
    return _(
        "🔎 No service matches “%(query)s”. Try another name, or pick from the list.",
        query=esc(query),
    )


# --- out of stock ----------------------------------------------------------------------------


def none_in(service: str, place: str) -> str:
    return _(
        "😕 <b>%(service)s</b>: no numbers in %(country)s right now.",
        service=esc(service),
        country=esc(place),
    )


def none_anywhere(service: str) -> str:
    return _("😕 <b>%(service)s</b>: no numbers in any country right now.", service=esc(service))


def out_of_stock_list(services: Sequence[str]) -> str:
    return _("Out of stock right now: %(services)s.", services=esc(", ".join(services)))


def button_any_country() -> str:
    return _("🌐 Any country")


# --- tell me when it's back ------------------------------------------------------------------


def button_watch() -> str:
    return _("🔔 Tell me when it's back")


def button_watch_service(service: str) -> str:
    return _("🔔 %(service)s", service=service)


def watch_set(service: str, place: str) -> str:
    return ngettext(
        "🔔 I'll tell you once when <b>%(service)s</b> has numbers in %(country)s again. "
        "I watch for %(count)s hour.",
        "🔔 I'll tell you once when <b>%(service)s</b> has numbers in %(country)s again. "
        "I watch for %(count)s hours.",
        WATCH_HOURS,
        service=esc(service),
        country=esc(place),
    )


def watch_too_many() -> str:
    return ngettext(
        "🔔 You are already waiting for %(count)s service to come back, the most at once. "
        "A watch ends when I tell you, or after a day.",
        "🔔 You are already waiting for %(count)s services to come back, the most at once. "
        "A watch ends when I tell you, or after a day.",
        MAX_WATCHES,
    )


def back_in_stock(service: str, place: str) -> str:
    return _(
        "🔔 <b>%(service)s</b> is back: there are numbers in %(country)s again. "
        "The next step shows today's price before you pay.",
        service=esc(service),
        country=esc(place),
    )


def button_see_price() -> str:
    return _("🧾 See the price")


# --- /cancel ---------------------------------------------------------------------------------


def cancel_already() -> str:
    return _("This order is already cancelled.")


def no_open_orders_left() -> str:
    return _("No open orders left.")
