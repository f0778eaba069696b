"""The sms4sats country list, shipped with the bot (copied from the sms4sats docs list).

Names are kept exactly as sms4sats spells them ("Southafrica", "Ivory", ...) because the API is
keyed on them; friendlier display names live beside them, in data/country_meta.json with the ISO
3166-1 alpha-2 code of each (taken from BlitzWallet's copy of the same sms4sats list).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

AUTO_SELECT = 999
GLOBE = "🌐"
"""Shown in place of a flag for Auto-Select and for any code without a usable ISO code."""

_REGIONAL_INDICATOR_A = 0x1F1E6


@dataclass(frozen=True, slots=True)
class Country:
    code: int
    name: str
    """The name as the sms4sats list spells it (the first spelling when a code has several)."""
    aliases: tuple[str, ...] = ()
    """Every other spelling the list has for the same code."""
    iso: str | None = None
    """ISO 3166-1 alpha-2, upper case; None for Auto-Select, which is no country."""
    display_name: str = ""
    """Friendly English name ("South Africa" for "Southafrica"); empty when the meta has none."""


@cache
def _meta() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        resources.files("bot").joinpath("data/country_meta.json").read_text("utf-8")
    )
    return loaded


@cache
def _meta_by_code() -> dict[int, tuple[str, str]]:
    """(iso, friendly name) per code."""
    result: dict[int, tuple[str, str]] = {}
    for key, value in _meta().items():
        if key.lstrip("-").isdigit() and isinstance(value, dict):
            result[int(key)] = (str(value["iso"]).upper(), str(value["name"]))
    return result


@cache
def _popular_codes() -> tuple[int, ...]:
    popular = _meta().get("popular", [])
    return tuple(int(code) for code in popular) if isinstance(popular, list) else ()


@cache
def all_countries() -> tuple[Country, ...]:
    """Every country in list order, one entry per code."""
    raw = json.loads(resources.files("bot").joinpath("data/countries.json").read_text("utf-8"))
    names: dict[int, list[str]] = {}
    for entry in raw:
        names.setdefault(int(entry["cc"]), []).append(str(entry["country"]))
    meta = _meta_by_code()
    countries: list[Country] = []
    for code, spellings in names.items():
        iso, display_name = meta.get(code, (None, ""))
        countries.append(Country(code, spellings[0], tuple(spellings[1:]), iso, display_name))
    return tuple(countries)


@cache
def _by_code() -> dict[int, Country]:
    return {country.code: country for country in all_countries()}


@cache
def _by_name() -> dict[str, Country]:
    index: dict[str, Country] = {}
    for country in all_countries():
        for spelling in (country.name, *country.aliases):
            index.setdefault(spelling.casefold(), country)
    return index


def country_by_code(code: int) -> Country | None:
    return _by_code().get(code)


def resolve_country(value: str | int) -> Country | None:
    """A country from a code, a numeric string or a name in any case, as sms4sats accepts."""
    if isinstance(value, int):
        return country_by_code(value)
    text = value.strip()
    if text.lstrip("-").isdigit():
        return country_by_code(int(text))
    return _by_name().get(text.casefold())


def flag(country: Country) -> str:
    """The flag emoji: the two regional indicator symbols that spell the ISO code."""
    iso = country.iso
    if country.code == AUTO_SELECT or iso is None:
        return GLOBE
    iso = iso.upper()
    if len(iso) != 2 or not ("A" <= iso[0] <= "Z" and "A" <= iso[1] <= "Z"):
        return GLOBE
    return "".join(chr(_REGIONAL_INDICATOR_A + ord(letter) - ord("A")) for letter in iso)


def _label_text(country: Country) -> str:
    # The sms4sats spelling comes first because it is what the user will see echoed back by
    # sms4sats; the friendly name is only added when it tells the user something new.
    friendly = country.display_name
    if friendly and friendly.casefold() != country.name.casefold():
        return f"{country.name} ({friendly})"
    return country.name


def label(country: Country) -> str:
    """Button text, e.g. "🇿🇦 Southafrica (South Africa)" or "🌐 Auto-Select"."""
    return f"{flag(country)} {_label_text(country)}"


def _fold(text: str) -> str:
    # Accents are dropped so "cote" finds "Côte d'Ivoire" and "sao tome" finds "São Tomé".
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@cache
def popular_countries() -> tuple[Country, ...]:
    """Auto-Select, then the popular countries in the meta file's order."""
    codes = dict.fromkeys((AUTO_SELECT, *_popular_codes()))
    # An unknown code in the meta file should not take the picker down; the tests guard the data.
    found = (country_by_code(code) for code in codes)
    return tuple(country for country in found if country is not None)


def search_countries(query: str) -> list[Country]:
    """Countries whose spelling, alias or friendly name contains the query, or whose ISO code is it.

    Prefix matches (and exact ISO matches) come first, then the rest; each group in list order.
    """
    needle = _fold(query.strip())
    if not needle:
        return []
    prefix: list[Country] = []
    other: list[Country] = []
    for country in all_countries():
        texts = [_fold(text) for text in (country.name, *country.aliases, country.display_name)]
        iso_hit = country.iso is not None and country.iso.casefold() == needle
        if iso_hit or any(text.startswith(needle) for text in texts if text):
            prefix.append(country)
        elif any(needle in text for text in texts if text):
            other.append(country)
    return prefix + other


@cache
def picker_order() -> tuple[Country, ...]:
    """Auto-Select, the popular countries, then every other country by label, each code once."""
    first = popular_countries()
    shown = {country.code for country in first}
    # Sorted on the text after the flag: the flag's code points would order by ISO code instead.
    rest = sorted(
        (country for country in all_countries() if country.code not in shown),
        key=lambda country: _fold(_label_text(country)),
    )
    return (*first, *rest)
