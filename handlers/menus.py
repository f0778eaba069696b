"""Which menus (pickers, confirmations) a person has open: recorded as they are shown.

`/cancel` closes them (handlers.cancel), a closed menu's buttons no longer act, and typed text
searches only the person's newest picker, for a few minutes and until they do something else.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.domain.menus import MenuKind
from handlers.context import get_services

# Typed text searches a picker for this long after it was last shown or used: long enough to
# read a page of countries, short enough that "Hello" an hour later is not a country search.
SEARCH_WINDOW = 5 * 60.0


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
    await get_services(context).menus.opened(
        message.chat.id,
        user.id,
        message.message_id,
        kind,
        country_code=country_code,
        search_for=SEARCH_WINDOW,
    )


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The pressed menu became something that is not a menu (an order, a discarded draft)."""
    query = update.callback_query
    message = query.message if query else None
    if isinstance(message, Message):
        await get_services(context).menus.done(message.chat.id, message.message_id)


async def is_left(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the pressed button belongs to a menu the person closed with /cancel."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return False
    return await get_services(context).menus.is_left(message.chat.id, message.message_id)


async def end_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command starts something else: typed text is no longer a picker search."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and user is not None:
        await get_services(context).menus.stop_search(chat.id, user.id)
