"""The language the bot picks, plurals and numbers per locale, and every card in every language.

Fast: no sandbox. The end-to-end language tests are in test_languages.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.core.operator import ErrorReport
from bot.domain.orders import Order, OrderKind, OrderState
from handlers.ui import cards, i18n, texts
from handlers.ui.command_menus import ADMIN_GROUP_COMMANDS, PRIVATE_COMMANDS, commands
from sandbox.telegram.text_entities import parse_html

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
INVOICE = "lnbc37u1p4sy6zepp5w9paekvx9csppy70rqurlafun8z60lxcwlzgxzgeqjdwsd5qk8ps" + "q" * 200


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("es-419", "es"),
        ("es", "es"),
        ("de-AT", "de"),
        ("en-GB", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_map_to_shipped_locales(
    tag: str | None, locale: str | None
) -> None:
    assert i18n.supported(tag) == locale


def test_a_choice_wins_over_the_app_language_which_wins_over_english() -> None:
    assert i18n.choose("es", "ru") == "es"
    assert i18n.choose(None, "ru-RU") == "ru"
    assert i18n.choose(None, "fr") == "en"
    assert i18n.choose(None, None) == "en"


def test_the_locale_is_scoped_to_the_block() -> None:
    assert i18n.current() == "en"
    with i18n.use_locale("de"):
        assert texts.button_buy() == "🛒 Nummer kaufen"
        with i18n.use_locale("ru"):
            assert texts.button_buy() == "🛒 Купить номер"
        assert i18n.current() == "de"
    assert texts.button_buy() == "🛒 Buy a number"


def test_russian_counts_have_three_forms() -> None:
    with i18n.use_locale("ru"):
        assert "3 заказа " in texts.too_many_per_hour(3)
        assert "5 заказов " in texts.too_many_per_hour(5)
        assert "21 заказ " in texts.too_many_per_hour(21)
        assert "1 неоплаченный инвойс" in texts.too_many_unpaid(1)
    with i18n.use_locale("en"):
        assert "1 order in" in texts.too_many_per_hour(1)
        assert "20 orders in" in texts.too_many_per_hour(20)


def test_sats_are_grouped_the_way_the_locale_groups() -> None:
    expected = {"en": "12,345 sats", "ru": "12\xa0345 сат", "de": "12.345 Sats",
                "es": "12.345 sats", "pt_BR": "12.345 sats"}  # fmt: skip
    for locale, text in expected.items():
        with i18n.use_locale(locale):
            assert texts.sats(12_345) == text


def test_a_missing_or_fuzzy_translation_falls_back_to_english() -> None:
    with i18n.use_locale("ru"):
        assert i18n._("A sentence no catalog has") == "A sentence no catalog has"
        assert i18n.ngettext("%(count)s thing", "%(count)s things", 2) == "2 things"


def test_command_menus_are_translated_and_fit_telegram() -> None:
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            for menu in (PRIVATE_COMMANDS, ADMIN_GROUP_COMMANDS):
                for command in commands(menu):
                    assert 1 <= len(command.description) <= 256
            assert len(texts.bot_description()) <= 512
            assert len(texts.bot_short_description()) <= 120
    with i18n.use_locale("es"):
        assert commands(("language",))[0].description == "Cambiar el idioma"


def _order(kind: OrderKind, state: OrderState) -> Order:
    return Order(
        id=12,
        remote_id="r-12",
        kind=kind,
        user_id=1,
        chat_id=1,
        card_message_id=5,
        origin_message_id=None,
        country_code=43,
        country_name="Germany",
        service_code="tg",
        service_name="Telegram",
        phone="+4915112345678",
        message="Hello <there> & bye",
        amount_sats=3_700,
        invoice=INVOICE if state is OrderState.AWAITING_PAYMENT else None,
        invoice_expires_at=NOW.timestamp() + 600,
        paid_from_balance=False,
        state=state,
        number="4915112345678",
        code="986128",
        error=None,
        paid_at=NOW.timestamp() - 30,
        number_at=NOW.timestamp() - 20,
        shown_state=None,
        shown_number=None,
        code_message_id=None,
        poll_failures=0,
        next_poll_at=None,
        created_at=NOW.timestamp() - 60,
        updated_at=NOW.timestamp(),
        closed_at=None,
    )


@pytest.mark.parametrize("locale", i18n.LOCALES)
@pytest.mark.parametrize("kind", list(OrderKind))
def test_every_card_in_every_language_is_telegram_html(locale: str, kind: OrderKind) -> None:
    with i18n.use_locale(locale):
        for state in OrderState:
            order = _order(kind, state)
            for inline in (True, False):
                card = cards.render(order, NOW, balance=50_000, code_inline=inline)
                limit = 1024 if card.photo is not None else 4096
                assert len(card.text) <= limit
                parse_html(card.text, lambda _user: None)
            paid_from_balance = dataclasses.replace(order, paid_from_balance=True)
            parse_html(cards.render(paid_from_balance, NOW).text, lambda _user: None)
        parse_html(texts.code_message("986128", "+49 151 12345678", cards.subject(order)),
                   lambda _user: None)  # fmt: skip


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_operator_notes_in_every_language_are_telegram_html(locale: str) -> None:
    start = NOW.timestamp()
    reports = [
        ErrorReport("ValueError", "bad <thing>", "command", "/buy", (), 1, start, start),
        ErrorReport("KeyError", "", "button", None, (4, 5), 7, start, start + 10),
        ErrorReport("OSError", "disk", "background", "poller", (9,), 3, start, start + 600),
    ]
    with i18n.use_locale(locale):
        for report in reports:
            parse_html(texts.error_report(report), lambda _user: None)
        parse_html(texts.balance_low(900, 5_000), lambda _user: None)
        for period in ("24h", "7d", "30d", "all"):
            assert texts.stats_period_button(period, True).startswith("• ")
            parse_html(texts.stats_csv_caption(12, period), lambda _user: None)
