"""Search in people's own words: every language, aliases, flags, transliteration, small typos."""

from __future__ import annotations

import pytest

from bot.domain.countries import search_countries
from bot.domain.service_names import service_match_tier
from bot.domain.text_search import (
    EXACT,
    FUZZY,
    PREFIX,
    SUBSTRING,
    flag_iso,
    latin,
    match_tier,
)
from sandbox.sms4sats.catalog import SERVICES


def _first(query: str, locale: str = "en") -> str:
    found = search_countries(query, locale)
    assert found, query
    return found[0].display_name


@pytest.mark.parametrize(
    ("query", "locale", "country"),
    [
        ("Deutschland", "en", "Germany"),
        ("🇩🇪", "en", "Germany"),
        ("germny", "en", "Germany"),
        ("Germaniya", "en", "Germany"),
        ("Германия", "es", "Germany"),
        ("England", "ru", "United Kingdom"),
        ("Britain", "de", "United Kingdom"),
        ("Англия", "ru", "United Kingdom"),
        ("Holland", "pt_BR", "Netherlands"),
        ("Голландия", "ru", "Netherlands"),
        ("белоруссия", "ru", "Belarus"),
        ("Weißrussland", "en", "Belarus"),
        ("🇺🇸", "ru", "United States"),
        ("Estados Unidos", "de", "United States"),
        ("frnace", "en", "France"),
    ],
)
def test_a_country_in_the_words_people_use(query: str, locale: str, country: str) -> None:
    assert _first(query, locale) == country


def test_a_typed_flag_is_that_country_only() -> None:
    assert [c.code for c in search_countries("🇩🇪")] == [43]
    assert [c.code for c in search_countries("🇺🇸")] == [187, 12]  # and its virtual numbers
    assert search_countries("🇦🇦") == []  # spells no country


def test_exact_comes_before_prefix_before_near_spellings() -> None:
    found = [c.display_name for c in search_countries("niger")]
    assert found[0] == "Niger"  # exact
    assert "Nigeria" in found[1:]  # prefix, after


@pytest.mark.parametrize(
    ("query", "code", "raw"),
    [
        ("телеграм", "tg", "Telegram"),
        ("Телеграмм", "tg", "Telegram"),
        ("вотсап", "wa", "WhatsApp"),
        ("ватсап", "wa", "WhatsApp"),
        ("гугл", "go", "Google,youtube,Gmail"),
        ("инстаграм", "ig", "Instagram+Threads"),
        ("яндекс", "ya", "Yandex"),
        ("Любой другой сервис", "ot", "Any other"),
        ("Anderer Dienst", "ot", "Any other"),
    ],
)
def test_a_service_by_its_name_in_any_language(query: str, code: str, raw: str) -> None:
    assert service_match_tier(query, code, raw) == EXACT


@pytest.mark.parametrize(
    ("query", "code", "raw", "tier"),
    [
        ("телег", "tg", "Telegram", PREFIX),  # Cyrillic prefix of a Latin name
        ("whats", "wa", "WhatsApp", PREFIX),
        ("telegarm", "tg", "Telegram", FUZZY),
        ("whatsa", "wa", "WhatsApp", PREFIX),
        ("instagarm", "ig", "Instagram+Threads", FUZZY),
        ("tube", "go", "Google,youtube,Gmail", SUBSTRING),
    ],
)
def test_service_tiers(query: str, code: str, raw: str, tier: int) -> None:
    assert service_match_tier(query, code, raw) == tier


def test_typos_need_a_long_enough_query() -> None:
    # Three letters are a prefix being typed, not a misspelling of a longer word.
    assert match_tier("grm", ["Germany"]) is None
    assert match_tier("germny", ["Germany"]) == FUZZY


def test_unrelated_words_do_not_match_by_typo() -> None:
    for service in SERVICES:
        if service.code != "tg":
            assert service_match_tier("telegram", service.code, service.name) is None, service


def test_transliteration_and_flags() -> None:
    assert latin("Германия") == "germaniya"
    assert latin("Côte d’Ivoire") == "cote d ivoire"
    assert flag_iso("🇩🇪") == "DE"
    assert flag_iso("DE") is None
