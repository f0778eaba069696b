"""The bot in groups: buying moves to a private chat; membership changes are noted."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from handlers.common import DEEP_LINK_BUY, DEEP_LINK_ORDERS, private_link
from handlers.context import admins, people
from handlers.ui import keyboards, texts
from handlers.ui.command_menus import publish_admin_group_commands

log = logging.getLogger(__name__)

_PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


async def _reply_with_link(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                           payload: str) -> None:  # fmt: skip
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text, reply_markup=keyboards.private_link_button(private_link(context, payload))
        )


async def buy_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_with_link(update, context, texts.group_buy(), DEEP_LINK_BUY)


async def orders_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_with_link(update, context, texts.group_orders(), DEEP_LINK_ORDERS)


async def start_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_with_link(update, context, texts.group_start(), DEEP_LINK_BUY)


async def my_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to or removed from a chat, or a user blocked or unblocked it."""
    change = update.my_chat_member
    if change is None:
        return
    directory = admins(context)
    chat, status = change.chat, change.new_chat_member.status
    joined = status in _PRESENT and change.old_chat_member.status not in _PRESENT
    # Stored per chat: the bot stops writing to chats it was removed from or blocked in; an
    # unblock tells the person whatever happened to their orders meanwhile.
    await people(context).membership_changed(chat.id, chat.type, status, chat.title,
                                             rejoined=joined)  # fmt: skip
    log.info("Bot is now %s in chat %d (%s)", status, chat.id, chat.type)
    if chat.id == directory.admin_chat_id:
        directory.forget()
        if joined:
            await publish_admin_group_commands(context.bot, chat.id)
    if joined and chat.type != chat.PRIVATE:
        await context.bot.send_message(chat.id, texts.group_welcome())


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone's rights changed in a group; in the admin group that may change who is admin."""
    change = update.chat_member
    directory = admins(context)
    if change is not None and change.chat.id == directory.admin_chat_id:
        directory.forget()
