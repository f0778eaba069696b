"""Display names and search terms of sms4sats services."""

from __future__ import annotations

import re

import pytest

from bot.domain.countries import fold
from bot.domain.service_names import (
    EXACT,
    PREFIX,
    SUBSTRING,
    curated_services,
    service_display_name,
    service_match_tier,
    service_search_terms,
    tidy_service_name,
)
from sandbox.sms4sats.catalog import RENTAL_ALL_SERVICES, SERVICES


@pytest.mark.parametrize(
    ("code", "raw", "name"),
    [
        # As sms4sats spells them (the sandbox catalog copies the real spellings).
        ("go", "Google,youtube,Gmail", "Google (YouTube, Gmail)"),
        ("fb", "facebook", "Facebook"),
        ("ig", "Instagram+Threads", "Instagram + Threads"),
        ("tg", "Telegram", "Telegram"),
        ("wa", "WhatsApp", "WhatsApp"),
        ("tw", "Twitter", "X (Twitter)"),
        ("dr", "OpenAI", "OpenAI (ChatGPT)"),
        ("lf", "TikTok/Douyin", "TikTok / Douyin"),
        ("vk", "VKontakte", "VK (VKontakte)"),
        ("ot", "Any other", "Any other service"),
        ("full", "Full rent", "All services (full rental)"),
        # The raw name is matched ignoring case, accents and spacing.
        ("wa", "Whatsapp", "WhatsApp"),
        ("fb", "FACEBOOK", "Facebook"),
        ("go", "google, youtube, gmail", "Google (YouTube, Gmail)"),
        ("fb", "  facebook ", "Facebook"),
        # A known raw name under another code (an upstream suffix, say) is still known.
        ("tg_0", "Telegram", "Telegram"),
        # The code alone names it when the raw name says nothing more.
        ("tg", "", "Telegram"),
        ("go", "   ", "Google (YouTube, Gmail)"),
        ("go", "go", "Google (YouTube, Gmail)"),
        ("TG", "tg", "Telegram"),
        # A raw name the table does not know is tidied, never replaced by the code's old name.
        ("go", "Google,youtube,Gmail,Play", "Google (Youtube, Gmail, Play)"),
        ("fb", "facebook messenger", "Facebook messenger"),
        ("zz", "someapp", "Someapp"),
        ("zz", "", "zz"),
    ],
)
def test_service_display_name(code: str, raw: str, name: str) -> None:
    assert service_display_name(code, raw) == name


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("facebook", "Facebook"),
        ("google,youtube,gmail", "Google (Youtube, Gmail)"),
        ("a,b,c", "A (B, C)"),
        ("Alpha, beta ,Gamma", "Alpha (Beta, Gamma)"),
        ("instagram+threads", "Instagram + Threads"),
        ("tiktok/douyin", "Tiktok / Douyin"),
        ("any other", "Any other"),
        ("mail.ru", "Mail.ru"),
        # Mixed case is a brand's own spelling and stays.
        ("iCloud", "iCloud"),
        ("eBay,paypal", "eBay (Paypal)"),
        ("1688", "1688"),
        # Empty parts and extra spaces go; nothing else does.
        ("  foo ,, bar ", "Foo (Bar)"),
        ("a  b", "A b"),
        ("", ""),
        (" , ", ""),
    ],
)
def test_tidy_service_name(raw: str, tidy: str) -> None:
    assert tidy_service_name(raw) == tidy


@pytest.mark.parametrize(
    "raw",
    [
        "Google,youtube,Gmail",
        "a,b,c",
        "x+y/z",
        "Some Service, Another One",
        "Mail.ru",
        "name (with brackets), other",
    ],
)
def test_tidy_keeps_every_part(raw: str) -> None:
    tidy = fold(tidy_service_name(raw))
    for part in re.split(r"[,+/]", raw):
        assert fold(part) in tidy, part


def test_every_sandbox_service_has_a_curated_name() -> None:
    for service in (*SERVICES, RENTAL_ALL_SERVICES):
        curated = [entry for entry in curated_services() if entry.code == service.code]
        assert len(curated) == 1, service
        assert service_display_name(service.code, service.name) == curated[0].name


def test_curated_table_is_consistent() -> None:
    entries = curated_services()
    codes = [entry.code for entry in entries]
    assert len(codes) == len(set(codes))
    raws = [fold(raw).replace(" ", "") for entry in entries for raw in entry.raw]
    assert len(raws) == len(set(raws))
    for entry in entries:
        assert entry.name.strip() == entry.name != "", entry
        assert entry.raw, entry
        for raw in entry.raw:
            # A curated name keeps everything the raw name says.
            for part in re.split(r"[,+/]", raw):
                assert fold(part) in fold(entry.name), (entry, part)
            assert service_display_name(entry.code, raw) == entry.name
        assert service_display_name(entry.code, "") == entry.name


@pytest.mark.parametrize(
    ("code", "raw", "terms"),
    [
        (
            "go",
            "Google,youtube,Gmail",
            ("Google (YouTube, Gmail)", "Google,youtube,Gmail", "Google", "youtube", "Gmail", "go"),
        ),
        ("fb", "facebook", ("Facebook", "fb")),
        (
            "ig",
            "Instagram+Threads",
            ("Instagram + Threads", "Instagram+Threads", "Instagram", "Threads", "ig"),
        ),
        ("tw", "Twitter", ("X (Twitter)", "Twitter", "X", "tw")),
        ("dr", "OpenAI", ("OpenAI (ChatGPT)", "OpenAI", "ChatGPT", "GPT", "dr")),
        ("zz", "foo,bar", ("Foo (Bar)", "foo,bar", "foo", "bar", "zz")),
        ("zz", "", ("zz",)),
    ],
)
def test_service_search_terms(code: str, raw: str, terms: tuple[str, ...]) -> None:
    assert service_search_terms(code, raw) == terms


def test_search_terms_always_hold_raw_name_and_code() -> None:
    for service in (*SERVICES, RENTAL_ALL_SERVICES):
        terms = {fold(term) for term in service_search_terms(service.code, service.name)}
        assert fold(service.name) in terms and service.code in terms, service


@pytest.mark.parametrize(
    ("query", "code", "raw", "tier"),
    [
        ("youtube", "go", "Google,youtube,Gmail", EXACT),
        ("go", "go", "Google,youtube,Gmail", EXACT),
        ("GO", "go", "Google,youtube,Gmail", EXACT),
        ("goo", "go", "Google,youtube,Gmail", PREFIX),
        ("you", "go", "Google,youtube,Gmail", PREFIX),
        ("mail", "go", "Google,youtube,Gmail", SUBSTRING),
        ("twitter", "tw", "Twitter", EXACT),
        ("x", "tw", "Twitter", EXACT),
        ("chatgpt", "dr", "OpenAI", EXACT),
        ("threads", "ig", "Instagram+Threads", EXACT),
        ("face", "fb", "facebook", PREFIX),
        # The code counts only in full: "g" must not find every code with a g.
        ("w", "bw", "Signal", None),
        ("t", "tg", "Telegram", PREFIX),
        ("zz", "zz", "", EXACT),
        ("z", "zz", "", None),
        ("", "tg", "Telegram", None),
        ("signal", "tg", "Telegram", None),
    ],
)
def test_service_match_tier(query: str, code: str, raw: str, tier: int | None) -> None:
    assert service_match_tier(query, code, raw) == tier


def test_service_search_ranks_exact_then_prefix() -> None:
    def search(query: str) -> list[str]:
        tiers = [
            (tier, service_display_name(s.code, s.name))
            for s in SERVICES
            if (tier := service_match_tier(query, s.code, s.name)) is not None
        ]
        return [name for _, name in sorted(tiers)]

    assert search("x")[0] == "X (Twitter)"
    assert search("tele") == ["Telegram"]
    assert search("chat")[0] == "OpenAI (ChatGPT)"
    assert search("youtube") == ["Google (YouTube, Gmail)"]
