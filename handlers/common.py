"""Small helpers the handlers share."""

from __future__ import annotations

import asyncio
import logging
import weakref

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

log = logging.getLogger(__name__)


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press; an answer that comes too late is not worth an error."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        log.debug("Callback answer failed: %s", error)


async def show(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Edit the menu a button belongs to, or send a new message for a command.

    Menus are edited in place so a chat does not fill up with old pickers; a photo (an invoice)
    cannot become a text menu, so a new message is sent then.
    """
    query = update.callback_query
    message = query.message if query else None
    if isinstance(message, Message) and message.text is not None:
        try:
            edited = await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return message
            log.info("Could not edit menu message: %s", error)
        else:
            return edited if isinstance(edited, Message) else message
    chat = update.effective_chat
    if chat is None:
        return None
    try:
        return await chat.send_message(text, reply_markup=keyboard)
    except TelegramError as error:
        log.warning("Could not send to chat %d: %s", chat.id, error)
        return None


# Double taps on a confirmation's button arrive as two concurrent updates; one lock per menu
# message makes the second wait and then find what the first one created.
_menu_locks: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = (
    weakref.WeakValueDictionary()
)


def menu_lock(message: Message) -> asyncio.Lock:
    key = (message.chat.id, message.message_id)
    lock = _menu_locks.get(key)
    if lock is None:
        lock = _menu_locks[key] = asyncio.Lock()
    return lock
