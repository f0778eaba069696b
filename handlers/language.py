"""Which language each update is answered in, and /language to change it.

A private chat speaks its person's choice, else their Telegram app's language, else English. A
group speaks the language one of its admins chose for it, whoever writes or presses (else
English): a group's messages are read by everyone in it.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core.people import Languages
from handlers.common import answer, show
from handlers.context import admins, arrival_of, features, in_private, people
from handlers.ui import keyboards, texts
from handlers.ui.callbacks import LanguageChosen
from handlers.ui.command_menus import publish_private_commands
from handlers.ui.i18n import LOCALES, choose, current, set_locale

_GROUP_ADMINS = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def locale_of(languages: Languages) -> str:
    return choose(languages.chosen, languages.app_language)


async def apply_locale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -3: runs before any other handler of the update (see i18n for why a ContextVar).
    It also records who wrote, in the same transaction as the language is read (`arrived`)."""
    set_locale(locale_of(await people(context).arrived(arrival_of(update))))


async def _group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in _GROUP_ADMINS


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    private = in_private(update)
    if not private and not await _group_admin(update, context):
        await show(update, texts.language_admins_only())
        return
    await show(
        update,
        texts.language_menu(current(), in_group=not private),
        keyboards.language_menu(user.id, current()),
    )


async def language_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: LanguageChosen
) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or callback.locale not in LOCALES:
        return
    private = in_private(update)
    if private:
        await people(context).choose_language(query.from_user.id, callback.locale)
    elif await _group_admin(update, context):
        # Checked again on the press: whoever opened the menu may have lost their rights since.
        await people(context).choose_group_language(chat.id, chat.type, callback.locale)
    else:
        await answer(query, texts.language_admins_only(), alert=True)
        return
    set_locale(callback.locale)
    await answer(query)
    await show(update, texts.language_set(callback.locale, in_group=not private))
    if private:
        admin = await admins(context).is_admin(query.from_user.id)
        await publish_private_commands(
            context.bot,
            query.from_user.id,
            admin=admin,
            rentals=features(context).rentals,
        )
