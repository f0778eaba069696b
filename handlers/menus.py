"""Which menus (pickers, confirmations) a person has open: recorded as they are shown.

The use cases are `bot.core.menus.MenuDesk`'s; these are the Telegram side of them.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.domain.menus import MenuKind
from handlers.context import menu_desk


async def opened(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message | None,
    kind: MenuKind,
    country_code: int | None = None,
) -> None:
    """`message` now shows the person a menu of `kind`; it becomes their newest."""
    user = update.effective_user
    if message is None or user is None:
        return
    await menu_desk(context).opened(
        message.chat.id, user.id, message.message_id, kind, country_code
    )


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The pressed menu became something that is not a menu (an order, a discarded draft)."""
    query = update.callback_query
    message = query.message if query else None
    if isinstance(message, Message):
        await menu_desk(context).done(message.chat.id, message.message_id)


async def is_left(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the pressed button belongs to a menu the person closed with /cancel."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return False
    return await menu_desk(context).is_left(message.chat.id, message.message_id)


async def end_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command starts something else: typed text is no longer a picker search."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and user is not None:
        await menu_desk(context).end_search(chat.id, user.id)
