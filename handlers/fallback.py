"""What the bot says to everything no other handler took: never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers import rent
from handlers.buy import search
from handlers.ui import texts

# Longer than any country or service name: not a search, and not worth echoing back.
SEARCH_LIMIT = 100


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = message.text.strip()
    if len(text) > SEARCH_LIMIT:
        await message.reply_text(texts.long_text_hint())
        return
    if text and (await rent.search(update, context, text) or await search(update, context, text)):
        return
    await message.reply_text(texts.text_hint())


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.unknown_command())


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes...: the same hint as for text."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.text_hint())
