"""The language the bot speaks: GNU gettext catalogs read with Babel, and the current locale.

Catalogs: `handlers/ui/locales/<locale>/LC_MESSAGES/messages.po`, one per shipped language, the
English sentence as the msgid, named `%(placeholders)s`. They live beside `texts.py` because the
Telegram layer owns every sentence (the core and storage know no words), and inside the package so
an installed bot finds them. The `.po` files are read with Babel on first use and turned into
`gettext` translations in memory: no compiled `.mo` files in the repository and no build step. A
fuzzy or empty translation is left out, so that sentence falls back to English, never to nothing.
`make messages` extracts `_()`, `ngettext()`, `N_()` and `N_plural()` from handlers/ (babel.cfg).

The current locale is a ContextVar, not an argument. A sentence is built deep inside texts, cards
and keyboards, called from every handler; threading a `locale` through every one of them would
change every signature for a value that is the same for a whole update. PTB runs each update in
its own task (PersonSequencer), and a task copies the context when it starts, so the locale set at
the start of an update (a handler in group -3, `handlers/language.py`) is seen by everything that
update does and by nothing else, as aiogram's I18n middleware does. The bot's own messages (the
teller, jobs) have no update: they set the chat's locale around their work with `use_locale`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

DEFAULT_LOCALE = "en"
# The shipped languages, by Babel's (and gettext's) locale id, in the order /language shows them.
LOCALES: tuple[str, ...] = ("en", "ru", "es", "pt_BR", "de")
# Each language by its own name: a person who cannot read the current one still finds theirs.
NATIVE_NAMES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "de": "Deutsch",
}
LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(locale: str) -> Translations | None:
    """The locale's catalog as gettext translations; None for English (the msgids are English)."""
    if locale == DEFAULT_LOCALE:
        return None
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def load_all() -> None:
    """Read every catalog now (at start), so a broken file stops the bot before it answers."""
    for locale in LOCALES:
        _translations(locale)


# --- choosing the locale --------------------------------------------------------------------


def supported(tag: str | None) -> str | None:
    """The shipped locale for a language tag ("ru-RU" → ru, "pt-br" → pt_BR, "es-419" → es), or
    None when none fits. Portuguese from anywhere gets Brazilian: closer than English."""
    if not tag:
        return None
    language, *_region = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)
    if language == "pt":
        return "pt_BR"
    return language if language in LOCALES else None


def choose(chosen: str | None, telegram_language: str | None) -> str:
    """The person's own choice, else their Telegram app's language, else English."""
    return supported(chosen) or supported(telegram_language) or DEFAULT_LOCALE


def telegram_code(locale: str) -> str:
    """The two-letter ISO 639-1 code Telegram takes as `language_code` (pt_BR → pt)."""
    return locale.split("_")[0]


def current() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    """For the rest of this update (its task and what it awaits)."""
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Within the block: for the bot's own messages to a chat, and for rendering in tests."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


# --- translating ----------------------------------------------------------------------------


def _(message: str, /, **values: object) -> str:
    """`message` (an English msgid) in the current locale, its `%(name)s` placeholders filled."""
    translations = _translations(current())
    text = translations.gettext(message) if translations is not None else message
    return text % values if values else text


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form for `count` in the current locale (Russian has three); `%(count)s` is filled
    with the number formatted for the locale."""
    translations = _translations(current())
    if translations is not None:
        text = translations.ngettext(singular, plural, count)
    else:
        text = singular if count == 1 else plural
    return text % {"count": number(count), **values}


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is defined; `_()` translates it where it is used."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural msgid pair where it is defined; `ngettext(*pair, count)` translates it."""
    return singular, plural


def number(value: int) -> str:
    """1 234 (ru), 1.234 (de), 1,234 (en): grouped the way the locale groups."""
    return format_decimal(value, locale=current())
