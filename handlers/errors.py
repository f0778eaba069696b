"""The last line of defence: log the error (secrets redacted by the log filter), tell the user in
plain words, never show a traceback in a chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from handlers.ui import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("Blocked or removed from a chat: %s", error)
        return
    log.error("Unhandled error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.internal_error(), show_alert=True)
            return
        except TelegramError:
            # Most buttons are answered before their work starts; then only a message can tell.
            pass
    if update.effective_chat is None:
        return
    try:
        await update.effective_chat.send_message(texts.internal_error())
    except TelegramError as reply_error:
        log.warning("Could not tell the user about the error: %s", reply_error)
