"""The sms4sats country list, shipped with the bot (copied from the sms4sats docs list).

`Country.name` keeps the sms4sats spelling ("Southafrica", "Furkinafaso", "Caf", ...) because the
API is keyed on it; users should see `display_name()`, the country's common name for its ISO
3166-1 alpha-2 code from CLDR (through Babel), in any locale, and `country_label()` on buttons.
The sms4sats spellings stay searchable.

`label()` still shows "sms4sats spelling (friendly name)", byte for byte as before, until the
handlers and their tests (which press "USA") move to `country_label()`; then `label()`,
`picker_order(None)` and the "name" entries of country_meta.json can go.

Data files (in bot/data):
- countries.json: the sms4sats docs list, verbatim (code and spelling; some codes have several).
- country_meta.json: the ISO alpha-2 and alpha-3 code of every code (alpha-2 and the friendly
  "name" that `label()` shows from BlitzWallet's copy of the same list) and the codes the picker
  shows first ("popular").
- country_names.json: where CLDR's name is not what people say ("overrides", per language, by
  ISO code), names of the codes that are not plain countries ("by_code": Auto-Select and "USA
  (virtual)"; "{name}" stands for the country's name), and extra search terms ("aliases", by ISO
  code: "UK", "Britain", "America", "Emirates", "Holland", ...).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from babel import Locale, UnknownLocaleError

# The match tiers, `fold` and `match_tier` are re-exported: countries were searched first.
from bot.domain.text_search import EXACT as EXACT
from bot.domain.text_search import FUZZY as FUZZY
from bot.domain.text_search import PREFIX as PREFIX
from bot.domain.text_search import SUBSTRING as SUBSTRING
from bot.domain.text_search import Names, flag_iso, query_forms, tier
from bot.domain.text_search import fold as fold
from bot.domain.text_search import match_tier as match_tier

AUTO_SELECT = 999
GLOBE = "🌐"
"""Shown in place of a flag for Auto-Select and for any code without a usable ISO code."""
DEFAULT_LOCALE = "en"
"""The locale of names when none is given; also the fallback for an unknown locale."""

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
    """The English display name (`display_name(country)`); empty on a Country built by hand."""
    iso3: str | None = None
    """ISO 3166-1 alpha-3, upper case ("DEU"); searchable like the alpha-2 code."""


# -- data files ----------------------------------------------------------------------------------


def _load(name: str) -> object:
    return json.loads(resources.files("bot").joinpath(f"data/{name}").read_text("utf-8"))


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(key): str(item) for key, item in value.items()}


@cache
def _meta() -> dict[str, object]:
    loaded = _load("country_meta.json")
    assert isinstance(loaded, dict)
    return loaded


@cache
def _meta_by_code() -> dict[int, tuple[str, str | None, str]]:
    """(iso, iso3, legacy friendly name) per code."""
    result: dict[int, tuple[str, str | None, str]] = {}
    for key, value in _meta().items():
        if key.lstrip("-").isdigit() and isinstance(value, dict):
            iso3 = value.get("iso3")
            result[int(key)] = (
                str(value["iso"]).upper(),
                str(iso3).upper() if iso3 else None,
                str(value.get("name") or ""),
            )
    return result


@cache
def _popular_codes() -> tuple[int, ...]:
    popular = _meta().get("popular", [])
    return tuple(int(code) for code in popular) if isinstance(popular, list) else ()


@cache
def _names_file() -> dict[str, object]:
    loaded = _load("country_names.json")
    assert isinstance(loaded, dict)
    return loaded


@cache
def _overrides() -> dict[str, dict[str, str]]:
    """Curated names per locale (as Babel spells it: "en", "pt_BR") and ISO code."""
    raw = _names_file().get("overrides", {})
    return (
        {str(lang): _str_map(names) for lang, names in raw.items()} if isinstance(raw, dict) else {}
    )


@cache
def _by_code_names() -> dict[int, dict[str, str]]:
    """Name templates per code and locale for the codes that are not plain countries."""
    raw = _names_file().get("by_code", {})
    return (
        {int(code): _str_map(names) for code, names in raw.items()} if isinstance(raw, dict) else {}
    )


@cache
def _curated_aliases() -> dict[str, tuple[str, ...]]:
    """Extra search terms per ISO code."""
    raw = _names_file().get("aliases", {})
    if not isinstance(raw, dict):
        return {}
    return {
        str(iso).upper(): tuple(str(term) for term in terms)
        for iso, terms in raw.items()
        if isinstance(terms, list)
    }


# -- locales and names ---------------------------------------------------------------------------


@lru_cache(maxsize=256)  # Bounded: the tag comes from the user's Telegram client.
def _babel_locale(locale: str) -> Locale:
    """The Babel locale for "en", "pt-BR", "pt_br", ...; its language alone, or English, when the
    full tag is unknown (Telegram's language_code is whatever the user's client says)."""
    tag = locale.strip().replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        if not candidate:
            continue
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT_LOCALE)


def _locale_id(locale: str) -> str:
    """The canonical form of a locale ("de-at" -> "de_AT"), so caches keep one entry per locale."""
    return str(_babel_locale(locale))


def _locale_keys(locale: str) -> tuple[str, ...]:
    """Lookup keys of the curated tables, most specific first: ("pt_BR", "pt")."""
    parsed = _babel_locale(locale)
    return tuple(dict.fromkeys((str(parsed), parsed.language)))


def _lookup(table: Mapping[str, Mapping[str, str]], locale: str, key: str) -> str | None:
    for locale_key in _locale_keys(locale):
        found = table.get(locale_key, {}).get(key)
        if found:
            return found
    return None


def territory_name(iso: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """The common name of the ISO 3166-1 alpha-2 code in the locale: a curated override, else
    CLDR's; None for a code CLDR does not know."""
    iso = iso.upper()
    override = _lookup(_overrides(), locale, iso)
    if override:
        return override
    name = _babel_locale(locale).territories.get(iso)
    return str(name) if name else None


def display_name(country: Country, locale: str = DEFAULT_LOCALE) -> str:
    """The name users see: "Burkina Faso" for sms4sats' "Furkinafaso", "Германия" in "ru".

    An unknown locale falls back to its language, then to English. Auto-Select and "USA
    (virtual)" get their own names ("United States (virtual)"). In English a Country's own
    `display_name` wins; a Country without an ISO code CLDR knows shows its sms4sats spelling.
    """
    if country.display_name and _locale_id(locale) == DEFAULT_LOCALE:
        return country.display_name
    base = (territory_name(country.iso, locale) if country.iso else None) or country.name
    templates = _by_code_names().get(country.code, {})
    template = next(
        (templates[key] for key in (*_locale_keys(locale), DEFAULT_LOCALE) if key in templates),
        None,
    )
    return template.replace("{name}", base) if template else base


# -- the list ------------------------------------------------------------------------------------


@cache
def all_countries() -> tuple[Country, ...]:
    """Every country in list order, one entry per code."""
    raw = _load("countries.json")
    assert isinstance(raw, list)
    names: dict[int, list[str]] = {}
    for entry in raw:
        names.setdefault(int(entry["cc"]), []).append(str(entry["country"]))
    meta = _meta_by_code()
    countries: list[Country] = []
    for code, spellings in names.items():
        iso, iso3, _ = meta.get(code, (None, None, ""))
        country = Country(code, spellings[0], tuple(spellings[1:]), iso, iso3=iso3)
        countries.append(dataclasses.replace(country, display_name=display_name(country)))
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
    """A country from a code, a numeric string or a sms4sats spelling in any case, as sms4sats
    accepts (display names and search aliases are not sms4sats input; see search_countries)."""
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


def country_label(country: Country, locale: str = DEFAULT_LOCALE) -> str:
    """Button text: "🇧🇫 Burkina Faso", "🇺🇸 United States", "🇩🇪 Германия" in "ru",
    "🌐 Auto-Select"."""
    return f"{flag(country)} {display_name(country, locale)}"


def _legacy_label_text(country: Country) -> str:
    # The sms4sats spelling first, then the meta file's friendly name when it tells something new.
    meta = _meta_by_code().get(country.code)
    friendly = (meta[2] if meta else "") or country.display_name
    if friendly and friendly.casefold() != country.name.casefold():
        return f"{country.name} ({friendly})"
    return country.name


def label(country: Country) -> str:
    """The old button text, e.g. "🇿🇦 Southafrica (South Africa)" or "🌐 Auto-Select".

    Deprecated: users asked for proper names; use `country_label(country, locale)`. Kept unchanged
    while the handlers and their tests still expect the sms4sats spelling ("USA").
    """
    return f"{flag(country)} {_legacy_label_text(country)}"


@cache
def popular_countries() -> tuple[Country, ...]:
    """Auto-Select, then the popular countries in the meta file's order."""
    codes = dict.fromkeys((AUTO_SELECT, *_popular_codes()))
    # An unknown code in the meta file should not take the picker down; the tests guard the data.
    found = (country_by_code(code) for code in codes)
    return tuple(country for country in found if country is not None)


def picker_order(locale: str | None = None) -> tuple[Country, ...]:
    """Auto-Select, the popular countries, then every other country in the order of the names on
    its buttons: `display_name(country, locale)`, or the old `label()` text when locale is None."""
    return _picker_order(None if locale is None else _locale_id(locale))


@cache
def _picker_order(locale: str | None) -> tuple[Country, ...]:
    first = popular_countries()
    shown = {country.code for country in first}

    def key(country: Country) -> tuple[str, int]:
        text = _legacy_label_text(country) if locale is None else display_name(country, locale)
        return fold(text), country.code

    rest = sorted((country for country in all_countries() if country.code not in shown), key=key)
    return (*first, *rest)


# -- search --------------------------------------------------------------------------------------

SEARCH_LOCALES: tuple[str, ...] = ("en", "ru", "es", "pt_BR", "de")
"""Names in every language the bot speaks match for everyone: a German living in Spain may type
"Deutschland" whatever language their Telegram app is in."""


def _variants(text: str) -> tuple[str, ...]:
    """A name and its other spellings: CLDR writes "Bosnia & Herzegovina" and "St. Lucia",
    users type "bosnia and herzegovina", "saint lucia" and "st lucia"."""
    folded = fold(text)
    spelled = fold(folded.replace("&", " and ").replace("st. ", "saint "))
    return tuple(dict.fromkeys((folded, spelled, folded.replace(".", ""))))


@cache
def _search_index() -> tuple[tuple[Country, Names], ...]:
    """(country, its names in every shipped language, sms4sats spellings, aliases, ISO codes)."""
    index = []
    for country in all_countries():
        names: list[str] = [country.name, *country.aliases]
        for locale in SEARCH_LOCALES:
            names.append(display_name(country, locale))
            if country.iso:
                # CLDR's own name too where an override replaced it ("Türkiye", "Czechia").
                cldr = _babel_locale(locale).territories.get(country.iso)
                if cldr:
                    names.append(str(cldr))
        if country.iso:
            names.extend(_curated_aliases().get(country.iso, ()))
        variants = (v for name in names if name for v in _variants(name))
        codes = (code for code in (country.iso, country.iso3) if code)
        index.append((country, Names.of(variants, codes)))
    return tuple(index)


@cache
def _popularity() -> dict[int, int]:
    return {country.code: rank for rank, country in enumerate(popular_countries())}


@cache
def _by_iso() -> dict[str, tuple[Country, ...]]:
    """The countries of each ISO code ("US": the United States and its virtual numbers), the
    popular ones first."""
    found: dict[str, list[Country]] = {}
    for country in picker_order():
        if country.iso:
            found.setdefault(country.iso, []).append(country)
    return {iso: tuple(countries) for iso, countries in found.items()}


def search_countries(query: str, locale: str = DEFAULT_LOCALE) -> list[Country]:
    """Countries matching the query: a typed flag ("🇩🇪"), or a name in any shipped language
    ("Deutschland", "Германия", also in Latin letters: "germaniya"), the sms4sats spelling, an
    alias ("uk", "England", "Holland", "Англия", "Белоруссия") or an ISO code ("us", "deu"),
    or a near spelling of one ("germny").

    Exact matches first, then prefixes of a name or of a word in it, then substrings, then near
    spellings; within each, popular countries first (in picker order), then by the name in the
    reader's locale.
    """
    iso = flag_iso(query)
    if iso is not None:
        return list(_by_iso().get(iso, ()))
    needles = query_forms(query)
    if not needles:
        return []
    locale = _locale_id(locale)
    popularity = _popularity()
    unranked = len(popularity)
    ranked: list[tuple[tuple[int, int, str, int], Country]] = []
    for country, names in _search_index():
        found = tier(needles, names)
        if found is not None:
            name = fold(display_name(country, locale))
            key = (found, popularity.get(country.code, unranked), name, country.code)
            ranked.append((key, country))
    ranked.sort(key=lambda item: item[0])
    return [country for _, country in ranked]
