"""Command menus per scope: everyone sees the buying commands, admins also the admin ones."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
)
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.config import Settings
from handlers.ui import texts

log = logging.getLogger(__name__)


def _commands(*names: str) -> tuple[BotCommand, ...]:
    descriptions = {
        "buy": texts.COMMAND_BUY,
        "orders": texts.COMMAND_ORDERS,
        "send": texts.COMMAND_SEND,
        "balance": texts.COMMAND_BALANCE,
        "fund": texts.COMMAND_FUND,
        "stats": texts.COMMAND_STATS,
        "help": texts.COMMAND_HELP,
        "cancel": texts.COMMAND_CANCEL,
        "start": texts.COMMAND_START,
    }
    return tuple(BotCommand(name, descriptions[name]) for name in names)


PRIVATE_COMMANDS = _commands("buy", "orders", "send", "help", "cancel", "start")
GROUP_COMMANDS = _commands("buy", "orders", "help")
ADMIN_PRIVATE_COMMANDS = _commands(
    "buy", "orders", "send", "balance", "fund", "stats", "help", "cancel"
)
ADMIN_GROUP_COMMANDS = _commands(
    "buy", "orders", "send", "balance", "fund", "stats", "help", "cancel"
)


def command_scopes(settings: Settings) -> list[tuple[BotCommandScope, tuple[BotCommand, ...]]]:
    """Everyone sees the buying commands; admins also /balance, /fund, /stats (and /send in
    groups)."""
    scopes: list[tuple[BotCommandScope, tuple[BotCommand, ...]]] = [
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    ]
    scopes += [(BotCommandScopeChat(i), ADMIN_PRIVATE_COMMANDS) for i in sorted(settings.admin_ids)]
    if settings.admin_chat_id is not None:
        scopes.append(
            (BotCommandScopeChatAdministrators(settings.admin_chat_id), ADMIN_GROUP_COMMANDS)
        )
    return scopes


async def publish_commands(bot: ExtBot[None], settings: Settings) -> None:
    await bot.set_my_commands(PRIVATE_COMMANDS)
    for scope, commands in command_scopes(settings):
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as error:
            # An admin who never opened the bot has no chat yet; their menu is set when they do.
            log.info("Could not set the commands for %s: %s", scope.type, error)


async def publish_admin_commands(bot: ExtBot[None], user_id: int) -> None:
    try:
        await bot.set_my_commands(ADMIN_PRIVATE_COMMANDS, scope=BotCommandScopeChat(user_id))
    except TelegramError as error:
        log.info("Could not set the admin commands for %d: %s", user_id, error)


async def publish_admin_group_commands(bot: ExtBot[None], chat_id: int) -> None:
    try:
        scope = BotCommandScopeChatAdministrators(chat_id)
        await bot.set_my_commands(ADMIN_GROUP_COMMANDS, scope=scope)
    except TelegramError as error:
        log.info("Could not set the admin commands for chat %d: %s", chat_id, error)
