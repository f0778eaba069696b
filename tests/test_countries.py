"""The shipped country list, its ISO/friendly-name meta and the picker helpers built on them."""

from __future__ import annotations

import json
from importlib import resources

import phonenumbers
import pytest

from bot.domain.countries import (
    AUTO_SELECT,
    GLOBE,
    Country,
    all_countries,
    country_by_code,
    flag,
    label,
    picker_order,
    popular_countries,
    resolve_country,
    search_countries,
)

# Kosovo has no official ISO 3166-1 code, but XK is the one everyone (phonenumbers included) uses.
VALID_ISO: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"XK"}

EXPECTED_POPULAR = (187, 16, 43, 78, 48, 36, 15, 56, 6, 4, 22, 73)


def _meta_file() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        resources.files("bot").joinpath("data/country_meta.json").read_text("utf-8")
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
        assert country.display_name.strip(), country


@pytest.mark.parametrize(
    ("code", "iso", "display_name"),
    [
        (0, "RU", "Russia"),
        (12, "US", "USA (virtual)"),
        (16, "GB", "United Kingdom"),
        (18, "CD", "DR Congo"),
        (27, "CI", "Côte d'Ivoire"),
        (31, "ZA", "South Africa"),
        (95, "AE", "United Arab Emirates"),
        (125, "CF", "Central African Republic"),
        (150, "CG", "Republic of the Congo"),
        (152, "BF", "Burkina Faso"),
        (187, "US", "United States"),
    ],
)
def test_known_meta(code: int, iso: str, display_name: str) -> None:
    country = _country(code)
    assert country.iso == iso
    assert country.display_name == display_name


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
    # USA (virtual) and USA start with "us" (and are ISO US); the rest merely contain it, so
    # Russia comes after them although it is first in the list.
    assert found[:2] == [12, 187]
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
