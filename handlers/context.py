"""How a handler reaches the shared services, and who "the person" behind an update is."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.core.services import Services

SERVICES_KEY = "services"

# The Application's type parameters (bot, context, data, job queue) add nothing here.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def get_services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services_from(context.application)


def get_services_from(application: AnyApplication) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("the bot's services are not set up (post_init has not run)")
    return services


def person_of(update: object) -> tuple[int, int] | None:
    """(chat, user) of an update: the unit whose updates are handled one after another."""
    if not isinstance(update, Update):
        return None
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    return chat.id, user.id


def in_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == chat.PRIVATE
