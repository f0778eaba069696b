"""Every shipped language has every sentence, translated, with the English placeholders, the
right plural forms, and Telegram HTML the Bot API accepts.

The sentences are extracted from the code itself (as `make messages` does), so a sentence added
to texts.py fails here until `make messages` has put it in the catalogs and it is translated.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from handlers.ui import i18n
from sandbox.telegram.errors import ApiError
from sandbox.telegram.text_entities import parse_html

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [locale for locale in i18n.LOCALES if locale != i18n.DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
MessageId = str | tuple[str, str]


@cache
def extracted() -> dict[MessageId, str]:
    """Every msgid in the code, with where it is: what `make messages` extracts."""
    keywords: dict[str, Any] = {**DEFAULT_KEYWORDS, "N_": None, "N_plural": (1, 2)}
    found: dict[MessageId, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "handlers"), [("**.py", "python")], keywords=keywords
    ):
        key: MessageId = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(key, f"handlers/{filename}:{lineno}")
    return found


@cache
def catalog(locale: str) -> Catalog:
    with i18n.catalog_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def key_of(message: Message) -> MessageId:
    if isinstance(message.id, tuple):
        return (message.id[0], message.id[1])
    return str(message.id)


def forms(message: Message) -> list[str]:
    string = message.string
    if isinstance(string, tuple | list):
        return [str(s) for s in string]
    return [str(string or "")]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def english_placeholders(key: MessageId) -> set[str]:
    if isinstance(key, tuple):
        return placeholders(key[0]) | placeholders(key[1]) | {"count"}
    return placeholders(key)


def render(text: str, key: MessageId) -> str:
    """The text as `_()`/`ngettext()` fill it, with sample values of every placeholder."""
    if not isinstance(key, tuple) and not placeholders(key):
        return text
    return text % {
        name: "3" if name == "count" else f"[{name}]" for name in english_placeholders(key)
    }


def check_html(text: str) -> str | None:
    """Why Telegram would refuse `text` in HTML parse mode, or None."""
    try:
        parse_html(text, lambda _user: None)
    except ApiError as error:
        return error.description
    return None


def test_the_code_has_sentences_to_translate() -> None:
    assert len(extracted()) > 100


def test_the_template_is_up_to_date() -> None:
    """`make messages` has run since the last sentence changed."""
    template_path = i18n.LOCALES_DIR / "messages.pot"
    with template_path.open("rb") as pot:
        template = {key_of(m) for m in read_po(pot) if m.id}
    missing = sorted(map(str, set(extracted()) - template))
    stale = sorted(map(str, template - set(extracted())))
    assert not missing and not stale, f"run `make messages`: new {missing}, gone {stale}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_sentence_is_translated(locale: str) -> None:
    messages = {key_of(m): m for m in catalog(locale) if m.id}
    untranslated = [
        f"{where}: {key!r}"
        for key, where in extracted().items()
        if key not in messages or not all(forms(messages[key]))
    ]
    fuzzy = [str(key) for key, message in messages.items() if message.fuzzy]
    stale = [str(key) for key in messages if key not in extracted()]
    assert not untranslated, f"{locale}: not translated:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{locale}: fuzzy (check, then remove the fuzzy flag): {fuzzy}"
    assert not stale, f"{locale}: no longer in the code (run `make messages`): {stale}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_plurals_have_the_languages_forms(locale: str) -> None:
    expected = get_plural(locale).num_plurals
    assert catalog(locale).num_plurals == expected
    wrong = [
        f"{key!r}: {len(forms(message))} forms"
        for message in catalog(locale)
        if message.id and isinstance((key := key_of(message)), tuple)
        and len(forms(message)) != expected
    ]  # fmt: skip
    assert not wrong, f"{locale} has {expected} plural forms:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders(locale: str) -> None:
    wrong = []
    for message in catalog(locale):
        if not message.id:
            continue
        key = key_of(message)
        english = english_placeholders(key)
        for text in forms(message):
            used = placeholders(text) | ({"count"} if isinstance(key, tuple) else set())
            if text and used != english:
                wrong.append(f"{key!r}: {sorted(used)} instead of {sorted(english)}")
    assert not wrong, f"{locale}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_sentence_is_telegram_html(locale: str) -> None:
    """Rendered with sample values, each text of the language parses as the Bot API parses it."""
    if locale == i18n.DEFAULT_LOCALE:
        texts = [(key, text) for key in extracted() for text in _english_forms(key)]
    else:
        texts = [(key_of(m), t) for m in catalog(locale) if m.id for t in forms(m) if t]
    refused = []
    for key, text in texts:
        try:
            rendered = render(text, key)
        except (KeyError, ValueError, TypeError) as error:
            refused.append(f"{key!r}: cannot be filled in ({error!r})")
            continue
        problem = check_html(rendered)
        if problem is not None:
            refused.append(f"{key!r}: {problem}")
    assert not refused, f"{locale}:\n" + "\n".join(refused)


def _english_forms(key: MessageId) -> list[str]:
    return list(key) if isinstance(key, tuple) else [key]


def test_the_html_check_catches_broken_markup() -> None:
    assert check_html("<b>fine</b> &amp; <code>x</code>") is None
    assert check_html("<b>unclosed") is not None
    assert check_html("a < b") is not None
