"""Command menus per scope and language, and the bot's description in every shipped language.

Everyone sees the buying commands, admins also the admin ones. Telegram picks a menu by the
user's app language (`language_code`, two letters): each scope gets one menu per shipped language
and English as the scope's default, for languages the bot does not speak.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.config import Settings
from handlers.ui import texts
from handlers.ui.i18n import DEFAULT_LOCALE, LOCALES, current, telegram_code, use_locale
from handlers.ui.texts import rental as rental_texts

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = ("buy", "orders", "send", "language", "help", "cancel", "start")
GROUP_COMMANDS = ("buy", "orders", "help")
# Any group's admins may set the group's language.
GROUP_ADMIN_COMMANDS = ("buy", "orders", "language", "help")
ADMIN_PRIVATE_COMMANDS = (
    "buy", "orders", "send", "balance", "fund", "stats", "language", "help", "cancel",
)  # fmt: skip
ADMIN_GROUP_COMMANDS = (
    "buy", "orders", "send", "balance", "fund", "stats", "language", "help", "cancel",
)  # fmt: skip

Menu = tuple[str, ...]


def commands(names: Menu) -> tuple[BotCommand, ...]:
    """The menu in the current locale."""
    return tuple(BotCommand(name, _description(name)) for name in names)


def _description(name: str) -> str:
    return rental_texts.command_description() if name == "rent" else texts.command_description(name)


def with_rent(menu: Menu, rentals: bool) -> Menu:
    """With RENTALS on, /rent follows /buy in a private menu."""
    if not rentals or "buy" not in menu:
        return menu
    at = menu.index("buy") + 1
    return (*menu[:at], "rent", *menu[at:])


def command_scopes(settings: Settings) -> list[tuple[BotCommandScope, Menu]]:
    """Everyone sees the buying commands; admins also /balance, /fund, /stats (and /send in
    groups); group admins /language."""
    private = with_rent(PRIVATE_COMMANDS, settings.rentals)
    admin_private = with_rent(ADMIN_PRIVATE_COMMANDS, settings.rentals)
    scopes: list[tuple[BotCommandScope, Menu]] = [
        (BotCommandScopeDefault(), private),
        (BotCommandScopeAllPrivateChats(), private),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN_COMMANDS),
    ]
    scopes += [(BotCommandScopeChat(i), admin_private) for i in sorted(settings.admin_ids)]
    if settings.admin_chat_id is not None:
        scopes.append(
            (BotCommandScopeChatAdministrators(settings.admin_chat_id), ADMIN_GROUP_COMMANDS)
        )
    return scopes


def _language_code(locale: str) -> str | None:
    """Telegram's `language_code` for a locale's menu; English is every scope's default."""
    return None if locale == DEFAULT_LOCALE else telegram_code(locale)


async def _set(bot: ExtBot[None], menu: Menu, scope: BotCommandScope, locale: str) -> None:
    with use_locale(locale):
        listed = commands(menu)
    try:
        await bot.set_my_commands(listed, scope=scope, language_code=_language_code(locale))
    except TelegramError as error:
        # An admin who never opened the bot has no chat yet; their menu is set when they do.
        log.info("Could not set the %s commands for %s: %s", locale, scope.type, error)


async def _set_everywhere(bot: ExtBot[None], menu: Menu, scope: BotCommandScope) -> None:
    await asyncio.gather(*(_set(bot, menu, scope, locale) for locale in LOCALES))


async def publish_commands(bot: ExtBot[None], settings: Settings) -> None:
    for scope, menu in command_scopes(settings):
        await _set_everywhere(bot, menu, scope)


async def publish_admin_group_commands(bot: ExtBot[None], chat_id: int) -> None:
    await _set_everywhere(bot, ADMIN_GROUP_COMMANDS, BotCommandScopeChatAdministrators(chat_id))


async def publish_private_commands(
    bot: ExtBot[None], user_id: int, *, admin: bool, rentals: bool = False
) -> None:
    """One person's private menu in the current locale (their choice, else their app's), for
    whatever language their app is set to: an admin's menu has the admin commands, and a person
    who picked a language with /language sees the menu in it."""
    menu = commands(with_rent(ADMIN_PRIVATE_COMMANDS if admin else PRIVATE_COMMANDS, rentals))
    scope = BotCommandScopeChat(user_id)
    try:
        await asyncio.gather(
            *(
                bot.set_my_commands(menu, scope=scope, language_code=_language_code(locale))
                for locale in LOCALES
            )
        )
    except TelegramError as error:
        log.info("Could not set the %s commands for %d: %s", current(), user_id, error)


async def publish_admin_commands(bot: ExtBot[None], user_id: int, *, rentals: bool = False) -> None:
    await publish_private_commands(bot, user_id, admin=True, rentals=rentals)


async def publish_descriptions(bot: ExtBot[None]) -> None:
    """The empty chat's "What can this bot do?" and the profile's short description, per
    language. Telegram limits how often these may change, so only what differs is set."""
    await asyncio.gather(*(_publish_description(bot, locale) for locale in LOCALES))


async def _publish_description(bot: ExtBot[None], locale: str) -> None:
    code = _language_code(locale)
    with use_locale(locale):
        description, short = texts.bot_description(), texts.bot_short_description()
    try:
        if (await bot.get_my_description(code)).description != description:
            await bot.set_my_description(description, language_code=code)
        if (await bot.get_my_short_description(code)).short_description != short:
            await bot.set_my_short_description(short, language_code=code)
    except TelegramError as error:
        log.info("Could not set the %s description: %s", locale, error)
