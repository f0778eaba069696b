"""How a handler reaches its feature's use cases (one small typed accessor per feature), and
who "the person" behind an update is."""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.core.admins import AdminDirectory
from bot.core.buying import BuyDesk
from bot.core.catalog import Catalog
from bot.core.features import Features
from bot.core.figures import StatsDesk
from bot.core.funding import FundingDesk
from bot.core.menus import MenuDesk
from bot.core.ordering import OrderDesk
from bot.core.people import People
from bot.core.sending import SendDesk
from bot.core.watches import Watches
from bot.domain.people import Arrival, Visitor

# The Application's type parameters (bot, context, data, job queue) add nothing here.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


_Desk = TypeVar("_Desk")


def _key(kind: type[object]) -> str:
    return f"desk:{kind.__module__}.{kind.__qualname__}"


def install(application: AnyApplication, *desks: object) -> None:
    """Puts each feature's entry point where its accessor below finds it (the wiring, once),
    under its class and the classes it extends (the wiring may hand in a subclass)."""
    for desk in desks:
        for kind in type(desk).__mro__[:-1]:
            application.bot_data[_key(kind)] = desk


def _desk(application: AnyApplication, kind: type[_Desk]) -> _Desk:
    desk = application.bot_data.get(_key(kind))
    if not isinstance(desk, kind):
        raise RuntimeError(f"{kind.__name__} is not set up (post_init has not run)")
    return desk


def order_desk(context: ContextTypes.DEFAULT_TYPE) -> OrderDesk:
    return _desk(context.application, OrderDesk)


def admins(context: ContextTypes.DEFAULT_TYPE) -> AdminDirectory:
    return _desk(context.application, AdminDirectory)


def buy_desk(context: ContextTypes.DEFAULT_TYPE) -> BuyDesk:
    return _desk(context.application, BuyDesk)


def catalog(context: ContextTypes.DEFAULT_TYPE) -> Catalog:
    return _desk(context.application, Catalog)


def features(context: ContextTypes.DEFAULT_TYPE) -> Features:
    return _desk(context.application, Features)


def watches(context: ContextTypes.DEFAULT_TYPE) -> Watches:
    return _desk(context.application, Watches)


def funding_desk(context: ContextTypes.DEFAULT_TYPE) -> FundingDesk:
    return _desk(context.application, FundingDesk)


def menu_desk(context: ContextTypes.DEFAULT_TYPE) -> MenuDesk:
    return _desk(context.application, MenuDesk)


def send_desk(context: ContextTypes.DEFAULT_TYPE) -> SendDesk:
    return _desk(context.application, SendDesk)


def stats_desk(context: ContextTypes.DEFAULT_TYPE) -> StatsDesk:
    return _desk(context.application, StatsDesk)


def people(context: ContextTypes.DEFAULT_TYPE) -> People:
    return people_of(context.application)


def people_of(application: AnyApplication) -> People:
    return _desk(application, People)


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


def arrival_of(update: object) -> Arrival:
    """What the update says about who is where, for the bookkeeping before every handler."""
    if not isinstance(update, Update):
        return Arrival(None, None, private=False, visitor=None, membership_change=False)
    chat, user = update.effective_chat, update.effective_user
    visitor = None
    if user is not None:
        visitor = Visitor(user.id, user.first_name, user.username, user.language_code, user.is_bot)
    return Arrival(
        None if chat is None else chat.id,
        None if chat is None else chat.type,
        private=chat is not None and chat.type == chat.PRIVATE,
        visitor=visitor,
        membership_change=update.my_chat_member is not None,
    )
