"""The shipped country list, its ISO meta, display names, search and the picker helpers."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import phonenumbers
import pytest
from babel import Locale

from bot.domain.countries import (
    AUTO_SELECT,
    EXACT,
    GLOBE,
    PREFIX,
    SUBSTRING,
    Country,
    all_countries,
    country_by_code,
    country_label,
    display_name,
    flag,
    fold,
    label,
    match_tier,
    picker_order,
    popular_countries,
    resolve_country,
    search_countries,
    territory_name,
)

# Kosovo has no official ISO 3166-1 code, but XK is the one everyone (phonenumbers included) uses.
VALID_ISO: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"XK"}

EXPECTED_POPULAR = (187, 16, 43, 78, 48, 36, 15, 56, 6, 4, 22, 73)


def _data_file(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        resources.files("bot").joinpath(f"data/{name}").read_text("utf-8")
    )
    return loaded


def _meta_file() -> dict[str, object]:
    return _data_file("country_meta.json")


def _names_file() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(
        resources.files("bot").joinpath("data/country_names.json").read_text("utf-8")
    )
    return loaded


def _country(code: int) -> Country:
    country = country_by_code(code)
    assert country is not None, code
    return country


def _codes(countries: tuple[Country, ...] | list[Country]) -> list[int]:
    return [country.code for country in countries]


def test_list_shape() -> None:
    codes = _codes(all_countries())
    assert len(codes) == 185
    assert len(set(codes)) == len(codes)
    assert codes[0] == AUTO_SELECT


def test_meta_covers_exactly_the_list() -> None:
    meta_codes = {key for key in _meta_file() if key != "popular"}
    list_codes = {str(country.code) for country in all_countries() if country.code != AUTO_SELECT}
    assert meta_codes == list_codes


def test_every_country_has_valid_iso_and_name() -> None:
    for country in all_countries():
        if country.code == AUTO_SELECT:
            assert country.iso is None
            continue
        assert country.iso is not None, country
        assert country.iso == country.iso.upper()
        assert country.iso in VALID_ISO, country
        assert country.iso3 is not None and len(country.iso3) == 3, country
        assert country.iso3 == country.iso3.upper() and country.iso3.isalpha(), country
        assert country.display_name.strip(), country


def test_iso3_is_one_per_iso2() -> None:
    pairs = {(country.iso, country.iso3) for country in all_countries() if country.iso}
    assert len({iso for iso, _ in pairs}) == len(pairs) == len({iso3 for _, iso3 in pairs})


@pytest.mark.parametrize(
    ("code", "iso", "iso3", "name"),
    [
        (0, "RU", "RUS", "Russia"),
        (12, "US", "USA", "United States (virtual)"),
        (16, "GB", "GBR", "United Kingdom"),
        (18, "CD", "COD", "DR Congo"),
        (27, "CI", "CIV", "Côte d’Ivoire"),
        (31, "ZA", "ZAF", "South Africa"),
        (43, "DE", "DEU", "Germany"),
        (95, "AE", "ARE", "United Arab Emirates"),
        (125, "CF", "CAF", "Central African Republic"),
        (150, "CG", "COG", "Republic of the Congo"),
        (152, "BF", "BFA", "Burkina Faso"),
        (187, "US", "USA", "United States"),
    ],
)
def test_known_meta(code: int, iso: str, iso3: str, name: str) -> None:
    country = _country(code)
    assert country.iso == iso
    assert country.iso3 == iso3
    assert country.display_name == name == display_name(country)


def test_flags_are_two_regional_indicators() -> None:
    for country in all_countries():
        if country.code == AUTO_SELECT:
            continue
        emoji = flag(country)
        assert len(emoji) == 2, country
        assert all(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in emoji), country
        assert "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in emoji) == country.iso


def test_flag_examples_and_fallbacks() -> None:
    assert flag(_country(31)) == "🇿🇦"
    assert flag(_country(16)) == "🇬🇧"
    assert flag(_country(AUTO_SELECT)) == GLOBE == "🌐"
    assert flag(Country(1234, "Nowhere")) == GLOBE
    assert flag(Country(1235, "Broken", iso="X1")) == GLOBE


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (31, "🇿🇦 Southafrica (South Africa)"),
        (27, "🇨🇮 Ivory (Côte d'Ivoire)"),
        (16, "🇬🇧 England (United Kingdom)"),
        (187, "🇺🇸 USA (United States)"),
        (12, "🇺🇸 USA (virtual)"),
        (43, "🇩🇪 Germany"),
        (0, "🇷🇺 Russia"),
        (14, "🇭🇰 HongKong (Hong Kong)"),
        (AUTO_SELECT, "🌐 Auto-Select"),
    ],
)
def test_label(code: int, expected: str) -> None:
    assert label(_country(code)) == expected


def test_label_hides_friendly_name_differing_only_in_case() -> None:
    assert label(Country(1, "UKRAINE", iso="UA", display_name="Ukraine")) == "🇺🇦 UKRAINE"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("united states of america", 187),
        ("United States", 187),
        ("usa", 187),
        ("RUSSIAN", 0),
        ("russia", 0),
        ("england", 16),
        ("United Kingdom", 16),
        ("16", 16),
        (" 16 ", 16),
        (16, 16),
        ("999", AUTO_SELECT),
    ],
)
def test_resolve_aliases(value: str | int, code: int) -> None:
    country = resolve_country(value)
    assert country is not None
    assert country.code == code


def test_resolve_unknown() -> None:
    assert resolve_country("Atlantis") is None
    assert resolve_country(17) is None


def test_search_south() -> None:
    found = _codes(search_countries("south"))
    assert found[0] == 31
    assert set(found) >= {31, 177, 190}
    assert country_by_code(31) in search_countries("  SOUTH  ")


def test_search_friendly_name() -> None:
    assert 16 in _codes(search_countries("kingdom"))
    assert _codes(search_countries("south africa")) == [31]
    assert _codes(search_countries("cote")) == [27]
    assert 178 in _codes(search_countries("sao tome"))


def test_search_us_prefix_first() -> None:
    found = _codes(search_countries("us"))
    # "us" is the ISO code of both USA entries, the popular one first; the rest merely contain
    # it, so Russia comes after them although it is first in the list.
    assert found[:2] == [187, 12]
    assert {0, 50, 51, 77, 175} <= set(found[2:])
    assert len(found) == len(set(found))


def test_search_iso_exact() -> None:
    found = _codes(search_countries("DE"))
    assert found[0] == 43
    assert 95 in _codes(search_countries("ae"))


@pytest.mark.parametrize("query", ["zzz", "", "   "])
def test_search_nothing(query: str) -> None:
    assert search_countries(query) == []


def test_popular_codes_exist() -> None:
    popular = _meta_file()["popular"]
    assert isinstance(popular, list)
    assert tuple(popular) == EXPECTED_POPULAR
    assert all(country_by_code(code) is not None for code in popular)
    assert _codes(popular_countries()) == [AUTO_SELECT, *EXPECTED_POPULAR]


def test_picker_order() -> None:
    order = picker_order()
    codes = _codes(order)
    assert codes[0] == AUTO_SELECT
    assert codes[1 : 1 + len(EXPECTED_POPULAR)] == list(EXPECTED_POPULAR)
    assert sorted(codes) == sorted(_codes(all_countries()))
    assert len(codes) == len(set(codes))
    rest = [label(country).split(" ", 1)[1].casefold() for country in order[13:]]
    assert rest == sorted(rest)
    assert label(order[13]).endswith("Afghanistan")


# -- display names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        # The names users reported, as sms4sats spells them.
        ("Furkinafaso", "Burkina Faso"),
        ("Caf", "Central African Republic"),
        ("Uae", "United Arab Emirates"),
        ("Ivory", "Côte d’Ivoire"),
        ("Saintvincentgrenadines", "St. Vincent & Grenadines"),
        # More of the same kind.
        ("Southafrica", "South Africa"),
        ("Saudiarabia", "Saudi Arabia"),
        ("Libyan", "Libya"),
        ("Papua", "Papua New Guinea"),
        ("DCongo", "DR Congo"),
        ("Congo", "Republic of the Congo"),
        ("HongKong", "Hong Kong"),
        ("Macao", "Macao"),
        ("Swaziland", "Eswatini"),
        ("Salvador", "El Salvador"),
        ("Czech", "Czechia"),
        ("Turkey", "Turkey"),
        ("Myanmar", "Myanmar"),
        ("England", "United Kingdom"),
        ("USA", "United States"),
        ("USA (virtual)", "United States (virtual)"),
        ("Auto-Select", "Auto-Select"),
    ],
)
def test_display_name_of_sms4sats_spelling(spelling: str, name: str) -> None:
    country = resolve_country(spelling)
    assert country is not None, spelling
    assert display_name(country) == name
    assert display_name(country, "en") == name


@pytest.mark.parametrize(
    ("code", "locale", "name"),
    [
        (43, "ru", "Германия"),
        (43, "de", "Deutschland"),
        (43, "es", "Alemania"),
        (152, "ru", "Буркина-Фасо"),
        (152, "de", "Burkina Faso"),
        (95, "ru", "ОАЭ"),
        (95, "de", "Vereinigte Arabische Emirate"),
        (16, "ru", "Великобритания"),
        (16, "de", "Vereinigtes Königreich"),
        # Curated where CLDR's name is not what people say.
        (187, "ru", "США"),
        (187, "de", "Vereinigte Staaten"),
        (14, "ru", "Гонконг"),
        (14, "de", "Hongkong"),
        (12, "ru", "США (виртуальные)"),
        (12, "de", "Vereinigte Staaten (virtuell)"),
        (AUTO_SELECT, "ru", "Автовыбор"),
        # Region subtags and either separator; a region CLDR has its own names for.
        (43, "de-AT", "Deutschland"),
        (43, "pt_BR", "Alemanha"),
        (166, "en-GB", "St Vincent & the Grenadines"),
        (43, "DE", "Deutschland"),
        # A locale without curated entries falls back to English ones, then to CLDR.
        (AUTO_SELECT, "fr", "Auto-Select"),
        (12, "fr", "États-Unis (virtual)"),
        # Unknown locales fall back to their language, then to English.
        (43, "de-XX", "Deutschland"),
        (43, "xx", "Germany"),
        (43, "", "Germany"),
        (43, "not a locale", "Germany"),
    ],
)
def test_display_name_locales(code: int, locale: str, name: str) -> None:
    assert display_name(_country(code), locale) == name


def test_every_country_has_a_cldr_name_in_each_locale() -> None:
    # No display name falls back to the sms4sats spelling: CLDR (or an override) knows them all.
    for locale in ("en", "ru", "de", "es"):
        for country in all_countries():
            if country.iso is None:
                continue
            name = territory_name(country.iso, locale)
            assert name, (locale, country)
            assert name in display_name(country, locale), (locale, country)


def test_english_names_are_cldr_unless_curated() -> None:
    english = Locale.parse("en").territories
    overrides = _names_file()["overrides"]["en"]
    assert isinstance(overrides, dict)
    for country in all_countries():
        if country.iso is None or country.code == 12:
            continue
        expected = overrides.get(country.iso, english[country.iso])
        assert country.display_name == expected, country


def test_territory_name() -> None:
    assert territory_name("us") == "United States"
    assert territory_name("GB") == "United Kingdom"
    assert territory_name("HK") == "Hong Kong"
    assert territory_name("HK", "ru") == "Гонконг"
    assert territory_name("DE", "ru") == "Германия"
    assert territory_name("ZZZ") is None


def test_display_name_of_countries_built_by_hand() -> None:
    # English prefers the Country's own display name; other locales ask CLDR; else the spelling.
    assert display_name(Country(1, "UKRAINE", iso="UA", display_name="Ukraine!")) == "Ukraine!"
    assert display_name(Country(1, "UKRAINE", iso="UA")) == "Ukraine"
    assert display_name(Country(1, "UKRAINE", iso="UA", display_name="Ukraine!"), "de") == "Ukraine"
    assert display_name(Country(1234, "Nowhere")) == "Nowhere"
    assert display_name(Country(1235, "Broken", iso="X1"), "ru") == "Broken"


def test_curated_names_file_is_consistent() -> None:
    names = _names_file()
    isos = {country.iso for country in all_countries() if country.iso}
    for locale, table in names["overrides"].items():
        assert str(Locale.parse(locale)) == locale
        assert isinstance(table, dict)
        assert set(table) <= isos, locale
    assert {int(code) for code in names["by_code"]} <= {c.code for c in all_countries()}
    assert set(names["aliases"]) <= isos


def test_every_curated_alias_finds_its_country_first() -> None:
    aliases = _names_file()["aliases"]
    for iso, terms in aliases.items():
        assert isinstance(terms, list)
        for term in terms:
            found = search_countries(term)
            assert found and found[0].iso == iso, (term, found[:3])


# -- labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [
        (31, "en", "🇿🇦 South Africa"),
        (27, "en", "🇨🇮 Côte d’Ivoire"),
        (16, "en", "🇬🇧 United Kingdom"),
        (187, "en", "🇺🇸 United States"),
        (12, "en", "🇺🇸 United States (virtual)"),
        (152, "en", "🇧🇫 Burkina Faso"),
        (125, "en", "🇨🇫 Central African Republic"),
        (95, "en", "🇦🇪 United Arab Emirates"),
        (14, "en", "🇭🇰 Hong Kong"),
        (AUTO_SELECT, "en", "🌐 Auto-Select"),
        (43, "ru", "🇩🇪 Германия"),
        (43, "es", "🇩🇪 Alemania"),
        (AUTO_SELECT, "de", "🌐 Automatische Auswahl"),
    ],
)
def test_country_label(code: int, locale: str, expected: str) -> None:
    assert country_label(_country(code), locale) == expected


def test_country_label_defaults_to_english() -> None:
    assert country_label(_country(43)) == "🇩🇪 Germany"


@pytest.mark.parametrize("locale", ["en", "ru", "de"])
def test_picker_order_by_display_name(locale: str) -> None:
    order = picker_order(locale)
    codes = _codes(order)
    assert codes[: 1 + len(EXPECTED_POPULAR)] == [AUTO_SELECT, *EXPECTED_POPULAR]
    assert sorted(codes) == sorted(_codes(all_countries()))
    rest = [fold(display_name(country, locale)) for country in order[13:]]
    assert rest == sorted(rest)


def test_picker_order_english_names() -> None:
    names = [display_name(country) for country in picker_order("en")[13:]]
    # "Burkina Faso" sorts under B now, not under F as "Furkinafaso (Burkina Faso)" did.
    assert names.index("Burkina Faso") < names.index("Burundi") < names.index("Cambodia")
    assert names[0] == "Afghanistan"
    assert picker_order("ru")[13].iso == "AU"  # Австралия


# -- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "locale", "first"),
    [
        # Exact alias or ISO code first, then prefixes, then substrings.
        ("us", "en", [187, 12]),
        ("US", "en", [187, 12]),
        ("usa", "en", [187, 12]),
        ("america", "en", [187, 12]),
        ("United States", "en", [187]),
        ("uk", "en", [16, 1]),
        ("UK", "en", [16, 1]),
        ("gb", "en", [16]),
        ("gbr", "en", [16]),
        ("britain", "en", [16]),
        ("great britain", "en", [16]),
        ("england", "en", [16]),
        ("emirates", "en", [95]),
        ("uae", "en", [95]),
        ("ae", "en", [95]),
        ("holland", "en", [48]),
        ("ger", "en", [43]),
        ("deu", "en", [43]),
        ("de", "en", [43]),
        # sms4sats spellings are aliases.
        ("furkinafaso", "en", [152]),
        ("caf", "en", [125]),
        ("ivory", "en", [27]),
        ("saintvincentgrenadines", "en", [166]),
        # CLDR's "&" and "St." spelled out, and the other way round.
        ("saint vincent and the grenadines", "en", [166]),
        ("st vincent", "en", [166]),
        ("St. Vincent", "en", [166]),
        ("trinidad and tobago", "en", [104]),
        ("bosnia & herzegovina", "en", [108]),
        # Accents and apostrophes do not count.
        ("cote d'ivoire", "en", [27]),
        ("CÔTE D’IVOIRE", "en", [27]),
        ("ivory coast", "en", [27]),
        ("sao tome", "en", [178]),
        # Names CLDR or people use besides the display name.
        ("türkiye", "en", [62]),
        ("czech republic", "en", [63]),
        ("burma", "en", [5]),
        ("korea", "en", [190]),
        # An exact name beats a longer one that starts with it.
        ("guinea", "en", [68]),
        ("niger", "en", [139, 19]),
        ("congo", "en", [150, 18]),
        # Ties: popular countries first, then by name.
        ("united", "en", [187, 16, 95, 12]),
        ("south", "en", [31, 190, 177]),
        # Other locales: their names, and the English ones still.
        ("герм", "ru", [43]),
        ("сша", "ru", [187, 12]),
        ("germany", "ru", [43]),
        ("us", "ru", [187, 12]),
        ("deu", "de", [43]),
        ("deutsch", "de", [43]),
        ("alemania", "es", [43]),
        ("vereinigte", "de", [187, 16, 95, 12]),
    ],
)
def test_search_ranking(query: str, locale: str, first: list[int]) -> None:
    found = _codes(search_countries(query, locale))
    assert found[: len(first)] == first, found[:8]
    assert len(found) == len(set(found))


@pytest.mark.parametrize(
    ("query", "also"),
    [
        ("uk", {1}),  # Ukraine follows the United Kingdom.
        ("ger", {19, 58, 139}),  # Nigeria, Algeria and Niger contain it.
        ("us", {0, 50, 51, 77, 175}),
    ],
)
def test_search_keeps_weaker_matches(query: str, also: set[int]) -> None:
    assert also <= set(_codes(search_countries(query))[1:])


def test_search_default_locale_is_english() -> None:
    assert search_countries("germany") == search_countries("germany", "en")


def test_search_finds_names_of_every_language_for_everyone() -> None:
    # A Russian name typed by someone whose Telegram is in English, and the other way round.
    assert _codes(search_countries("герм"))[:1] == [43]
    assert _codes(search_countries("Deutschland", "en")) == [43]
    assert _codes(search_countries("Alemanha", "ru"))[:1] == [43]


def test_search_unknown_locale_is_english() -> None:
    assert _codes(search_countries("germany", "xx")) == [43]


@pytest.mark.parametrize(
    ("query", "texts", "codes", "tier"),
    [
        ("Germany", ["Germany"], [], EXACT),
        ("de", ["Germany"], ["DE"], EXACT),
        ("ger", ["Germany"], [], PREFIX),
        ("arab", ["United Arab Emirates"], [], PREFIX),
        ("arab emirates", ["United Arab Emirates"], [], PREFIX),
        ("rman", ["Germany"], [], SUBSTRING),
        ("côte", ["Cote d'Ivoire"], [], PREFIX),
        ("d", ["Germany"], ["DE"], None),
        ("", ["Germany"], [], None),
        ("  ", ["Germany"], [], None),
    ],
)
def test_match_tier(query: str, texts: list[str], codes: list[str], tier: int | None) -> None:
    assert match_tier(query, texts, codes) == tier


def test_fold() -> None:
    assert fold("  São   Tomé ") == "sao tome"
    assert fold("Côte d’Ivoire") == fold("COTE D'IVOIRE") == "cote d'ivoire"
    assert fold("Straße") == "strasse"
