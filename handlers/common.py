"""Small helpers the handlers share."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

DEEP_LINK_BUY = "buy"
DEEP_LINK_ORDERS = "orders"


async def answer(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False, url: str | None = None
) -> None:
    """Answer a button press; an answer that comes too late is not worth an error."""
    try:
        await query.answer(text, show_alert=alert, url=url)
    except BadRequest as error:
        # Given up: Telegram refuses answers to presses older than a few seconds; the work the
        # press asked for still happens, and says so in the chat.
        log.debug("Callback answer failed: %s", error)


def private_link(context: ContextTypes.DEFAULT_TYPE, payload: str) -> str:
    """t.me/<bot>?start=<payload>: opens the private chat with the bot, then /start payload."""
    return f"https://t.me/{context.bot.username}?start={payload}"


async def show(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None, *, edit: bool = True
) -> Message | None:
    """Edit the menu a button belongs to, or send a new message for a command.

    Menus are edited in place so a chat does not fill up with old pickers; a photo (an invoice)
    cannot become a text menu, so a new message is sent then, as it is for `edit=False` (a
    button on an order's card, which must stay as it is).
    """
    query = update.callback_query if edit else None
    message = query.message if query else None
    if isinstance(message, Message) and message.text is not None:
        try:
            edited = await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return message
            # The menu is gone or too old to edit: a new message says it instead (below).
            log.info("Could not edit menu message: %s", error)
        else:
            return edited if isinstance(edited, Message) else message
    chat = update.effective_chat
    if chat is None:
        return None
    try:
        return await chat.send_message(text, reply_markup=keyboard)
    except TelegramError as error:
        # Given up after the rate limiter's minute of retries (Telegram down that long), or at
        # once when the answer may have arrived (a timeout) or was refused: the person sees no
        # answer and can ask again; nothing they ordered depends on this message.
        log.warning("Could not send to chat %d: %s", chat.id, error)
        return None
