"""The country and service pickers: titles, pages, search matches."""

from __future__ import annotations

from handlers.ui.i18n import _, ngettext
from handlers.ui.texts.base import esc


def country_picker() -> str:
    return _(
        "🌍 <b>Pick a country</b> for your number.\n"
        "Auto-Select picks any country that has numbers. Type a name to search."
    )


def auto_select() -> str:
    return _("Auto-Select")


def any_country() -> str:
    return _("any country")


def all_services() -> str:
    return _("📱 All services")


def try_again() -> str:
    return _("🔁 Try again")


def next_page() -> str:
    return _("Next ›")


def previous_page() -> str:
    return _("‹ Prev")


def back() -> str:
    return _("‹ Back")


def back_to_countries() -> str:
    return _("‹ Countries")


def show_all_countries() -> str:
    return _("🌍 All countries")


def page_of(page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    return "\n" + _("Page %(page)s of %(pages)s.", page=page + 1, pages=pages)


def country_matches(query: str, count: int, shown: int) -> str:
    if count > shown:
        return ngettext(
            "🔎 Countries matching “%(query)s” (showing the first %(count)s):",
            "🔎 Countries matching “%(query)s” (showing the first %(count)s):",
            shown,
            query=esc(query),
        )
    return _("🔎 Countries matching “%(query)s”:", query=esc(query))


def no_country_matches(query: str) -> str:
    return _(
        "🔎 No country matches “%(query)s”. Try another spelling, or pick from the list.",
        query=esc(query),
    )


def service_picker(country_label: str) -> str:
    return _(
        "📱 <b>Pick a service</b> in %(country)s.\n"
        "Only services with numbers in stock are shown. Type a name to search.",
        country=esc(country_label),
    )


def no_services(country_label: str) -> str:
    return _(
        "😕 No numbers are available in %(country)s right now.\n"
        "Pick another country, or try Auto-Select.",
        country=esc(country_label),
    )


def service_matches(query: str, country_label: str) -> str:
    return _(
        "🔎 Services in %(country)s matching “%(query)s”:",
        country=esc(country_label),
        query=esc(query),
    )


def no_service_matches(query: str, country_label: str) -> str:
    return _(
        "🔎 No service in %(country)s matches “%(query)s”. "
        "Try another name, or pick from the list.",
        country=esc(country_label),
        query=esc(query),
    )


def service_gone() -> str:
    return _("That service has no numbers left in this country. Pick another one.")
