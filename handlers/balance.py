"""/balance and /fund: the operator's prepaid sms4sats balance, for admins only."""

from __future__ import annotations

import asyncio
import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.core.placement import Confirmation, FundRequest
from bot.core.services import Services
from bot.domain.menus import MenuKind
from bot.domain.sms4sats_terms import Sms4SatsError
from handlers import menus
from handlers.common import answer, show
from handlers.context import get_services, in_private
from handlers.placing import tell_outcome
from handlers.ui import texts
from handlers.ui.callbacks import FundAmount, FundClose, FundMenu
from handlers.ui.keyboards import button

HISTORY_SHOWN = 5


async def _admin_with_key(update: Update, services: Services, command: str) -> bool:
    """Whether the user is an admin and a key is configured; if not, they are told why."""
    user = update.effective_user
    query = update.callback_query
    refusal = None
    if user is None or not await services.admins.is_admin(user.id):
        refusal = texts.admins_only(command)
    elif not services.sms4sats.has_api_key:
        refusal = texts.no_api_key()
    if refusal is None:
        return True
    if query is not None:
        await answer(query, refusal, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return False


async def balance_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    message = update.effective_message
    if message is None or not await _admin_with_key(update, services, "/balance"):
        return
    try:
        balance, history = await asyncio.gather(
            services.sms4sats.balance(), services.sms4sats.history()
        )
    except Sms4SatsError as error:
        await message.reply_text(f"❌ {texts.sms4sats_problem(error)}")
        return
    recent = [(r.created_at, r.amount, r.description) for r in history.records[:HISTORY_SHOWN]]
    assert update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [[button(texts.button_top_up(), FundMenu(update.effective_user.id))]]
    )
    await message.reply_text(
        texts.balance_report(balance, recent, history.total_amount), reply_markup=keyboard
    )


def _amounts_keyboard(owner: int) -> InlineKeyboardMarkup:
    presets = [button(texts.fund_button(a), FundAmount(owner, a)) for a in texts.FUND_PRESETS]
    close = [button(texts.button_discard(), FundClose(owner))]
    return InlineKeyboardMarkup([presets[:2], presets[2:], close])


def parse_amount(text: str) -> int | None:
    cleaned = re.sub(r"[\s,_']", "", text).lower()
    if not re.fullmatch(r"\d{1,9}k?", cleaned):
        return None
    amount = int(cleaned.rstrip("k")) * (1000 if cleaned.endswith("k") else 1)
    return amount if texts.FUND_MIN <= amount <= texts.FUND_MAX else None


async def fund_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await _admin_with_key(update, services, "/fund"):
        return
    if not context.args:
        menu = await message.reply_text(texts.fund_ask(), reply_markup=_amounts_keyboard(user.id))
        await menus.opened(update, context, menu, MenuKind.TOP_UP)
        return
    raw = " ".join(context.args)
    amount = parse_amount(raw)
    if amount is None:
        await message.reply_text(texts.fund_bad_amount(raw))
        return
    await _create_fund(update, services, amount, user.id, origin=None)


async def fund_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: FundMenu) -> None:
    services = get_services(context)
    if not await _admin_with_key(update, services, "/fund"):
        return
    assert update.callback_query is not None
    await answer(update.callback_query)
    chat = update.effective_chat
    if chat is not None:
        menu = await chat.send_message(
            texts.fund_ask(), reply_markup=_amounts_keyboard(callback.owner)
        )
        await menus.opened(update, context, menu, MenuKind.TOP_UP)


async def fund_amount(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: FundAmount
) -> None:
    services = get_services(context)
    if not await _admin_with_key(update, services, "/fund"):
        return
    query = update.callback_query
    assert query is not None
    await answer(query)
    menu = query.message if isinstance(query.message, Message) else None
    await _create_fund(update, services, callback.amount, callback.owner, origin=menu)
    await menus.done(update, context)


async def fund_close(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: FundClose
) -> None:
    await menus.done(update, context)
    await show(update, texts.fund_closed())


async def _create_fund(
    update: Update, services: Services, amount: int, owner: int, origin: Message | None
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    where = Confirmation(chat.id, owner, origin.message_id if origin else None, in_private(update))
    outcome = await services.placement.place(where, FundRequest(amount=amount))
    # A /fund command has no menu to edit: its outcome comes as a new message.
    created = texts.fund_created if origin is not None else None
    await tell_outcome(update, services, outcome, created=created, retry=None)
