"""The bot in groups: buying moves to a private chat; membership changes are noted."""

from __future__ import annotations

import logging

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.services import get_services
from handlers import texts
from handlers.commands import publish_admin_group_commands
from handlers.start import DEEP_LINK_BUY, DEEP_LINK_ORDERS

log = logging.getLogger(__name__)

_PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def _private_link(context: ContextTypes.DEFAULT_TYPE, payload: str) -> InlineKeyboardMarkup:
    url = f"https://t.me/{context.bot.username}?start={payload}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_CONTINUE_PRIVATELY, url=url)]])


async def buy_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.GROUP_BUY, reply_markup=_private_link(context, DEEP_LINK_BUY)
        )


async def orders_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.GROUP_ORDERS, reply_markup=_private_link(context, DEEP_LINK_ORDERS)
        )


async def start_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.GROUP_START, reply_markup=_private_link(context, DEEP_LINK_BUY)
        )


async def my_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to or removed from a chat, or a user blocked or unblocked it."""
    change = update.my_chat_member
    if change is None:
        return
    services = get_services(context)
    chat, status = change.chat, change.new_chat_member.status
    # Stored per chat: the poller stops writing to chats the bot was removed from or blocked in.
    await services.chats.set_chat_status(chat.id, chat.type, status, chat.title)
    log.info("Bot is now %s in chat %d (%s)", status, chat.id, chat.type)
    joined = status in _PRESENT and change.old_chat_member.status not in _PRESENT
    if chat.id == services.admins.admin_chat_id:
        services.admins.forget()
        if joined:
            await publish_admin_group_commands(context.bot, chat.id)
    if joined and chat.type != chat.PRIVATE:
        await context.bot.send_message(chat.id, texts.GROUP_WELCOME)


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone's rights changed in a group; in the admin group that may change who is admin."""
    change = update.chat_member
    services = get_services(context)
    if change is not None and change.chat.id == services.admins.admin_chat_id:
        services.admins.forget()
