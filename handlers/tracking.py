"""Remembers who talks to the bot, and whether the bot can still write to each chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import get_services


async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    services = get_services(context)
    await services.chats.seen_user(user.id, user.first_name, user.username, user.language_code)
    if chat.type == chat.PRIVATE and update.my_chat_member is None:
        # Someone who writes to the bot can be written to again (an unblock comes this way too).
        await services.chats.set_chat_status(chat.id, chat.type, "member")
