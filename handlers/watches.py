"""The bell: "🔔 Tell me when it's back" on a service with no numbers (in a country, or anywhere).

The watch itself lives in the core (bot.core.watches); here it is set and the person is told
what was set, for how long, or that they watch the most they may already.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.watches import WatchSet
from bot.domain.countries import country_by_code
from handlers.common import answer, show
from handlers.context import watches
from handlers.ui import names, texts
from handlers.ui.callbacks import WatchStock
from handlers.ui.texts import finding as finding_texts


async def watch_stock(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: WatchStock
) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None
    message = query.message
    known = country_by_code(callback.country) is not None
    if not isinstance(message, Message) or user is None or not known:
        await answer(query, texts.old_button(), alert=True)
        return
    outcome, raw = await watches(context).watch_listed(
        user.id, message.chat.id, callback.country, callback.service
    )
    if outcome is WatchSet.TOO_MANY:
        await answer(query, finding_texts.watch_too_many(), alert=True)
        return
    await answer(query)
    name = names.service(callback.service, raw)
    # A new message: the menu or card the bell was on stays as it was.
    await show(update, finding_texts.watch_set(name, names.place(callback.country)), edit=False)


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: watches that ran out end, those whose service is back are told."""
    await watches(context).tick()
