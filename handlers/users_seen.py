"""Remembers who talks to the bot, and whether the bot can still write to each chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.services import Services
from handlers.context import get_services

REACHABLE = frozenset({"member", "administrator", "creator"})


async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    services = get_services(context)
    await services.chats.seen_user(user.id, user.first_name, user.username, user.language_code)
    if chat.type == chat.PRIVATE and update.my_chat_member is None:
        # Someone who writes to the bot can be written to again (an unblock comes this way too).
        before = await services.chats.chat_status(chat.id)
        await services.chats.set_chat_status(chat.id, chat.type, "member")
        if before is not None and before not in REACHABLE:
            await tell_what_was_missed(services, chat.id)


async def tell_what_was_missed(services: Services, chat_id: int) -> None:
    """After a block is lifted: send the user what their orders did meanwhile (a code, a
    refund), through the same outbox as everything else."""
    for order in await services.orders.untold(chat_id):
        await services.outbox.add(order)
