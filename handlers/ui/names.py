"""Country and service names as people know them, for buttons and sentences.

sms4sats spells them its own way ("Furkinafaso", "Google,youtube,Gmail"); the domain maps them to
common names (CLDR by ISO code, a curated list of services). Here they get their presentation:
a flag on buttons, and "any country" where Auto-Select would read badly inside a sentence.
"""

from __future__ import annotations

from bot.domain.countries import AUTO_SELECT, Country, country_by_code, country_label
from bot.domain.service_names import service_display_name
from handlers.ui import texts
from handlers.ui.i18n import current
from handlers.ui.texts import finding as finding_texts

# The one curated service name that is words rather than a brand (bot/data/service_names.json).
ANY_OTHER_SERVICE = "Any other service"


def country_button(country: Country, locale: str | None = None) -> str:
    """ "🇧🇫 Burkina Faso", "🌐 Auto-Select"; in the current locale unless one is given."""
    return country_label(country, locale or current())


def place(code: int | None, fallback: str | None = None, locale: str | None = None) -> str:
    """The country inside a sentence: "🇺🇸 United States", or "any country" for Auto-Select;
    in the current locale unless one is given."""
    country = country_by_code(code) if code is not None else None
    if country is None or country.code == AUTO_SELECT:
        return fallback if country is None and fallback else texts.any_country()
    return country_label(country, locale or current())


def service(code: str | None, raw_name: str | None) -> str:
    """ "Google (YouTube, Gmail)" for sms4sats' "go" / "Google,youtube,Gmail"; "Any other
    service" in the reader's language."""
    if not code and not raw_name:
        return texts.any_service()
    name = service_display_name(code or "", raw_name or "")
    if name == ANY_OTHER_SERVICE:
        return finding_texts.any_other_service()
    return name
