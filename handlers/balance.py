"""/balance and /fund: the operator's prepaid sms4sats balance, for admins only."""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.core.funding import Barred, FundingDesk, Unavailable
from bot.core.placement import Confirmation
from bot.domain.menus import MenuKind
from handlers import menus
from handlers.common import answer, show
from handlers.context import funding_desk, in_private, order_desk
from handlers.placing import tell_outcome
from handlers.ui import texts
from handlers.ui.callbacks import FundAmount, FundClose, FundMenu
from handlers.ui.keyboards import button

HISTORY_SHOWN = 5


async def _refuse(update: Update, barred: Barred, command: str) -> None:
    """Tell the person why they may not (an alert on a press, a reply to a command)."""
    refusal = texts.admins_only(command) if barred is Barred.ADMINS_ONLY else texts.no_api_key()
    if update.callback_query is not None:
        await answer(update.callback_query, refusal, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)


async def _admin_with_key(update: Update, desk: FundingDesk, command: str) -> bool:
    """Whether the user is an admin and a key is configured; if not, they are told why."""
    user = update.effective_user
    barred = await desk.barred(None if user is None else user.id)
    if barred is None:
        return True
    await _refuse(update, barred, command)
    return False


async def balance_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    report = await funding_desk(context).report(None if user is None else user.id, HISTORY_SHOWN)
    if isinstance(report, Barred):
        await _refuse(update, report, "/balance")
        return
    if isinstance(report, Unavailable):
        await message.reply_text(f"❌ {texts.sms4sats_problem(report.error)}")
        return
    assert user is not None
    recent = [(r.created_at, r.amount, r.description) for r in report.recent]
    keyboard = InlineKeyboardMarkup([[button(texts.button_top_up(), FundMenu(user.id))]])
    await message.reply_text(
        texts.balance_report(report.balance, recent, report.total_funded), reply_markup=keyboard
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
    message, user = update.effective_message, update.effective_user
    desk = funding_desk(context)
    if message is None or user is None or not await _admin_with_key(update, desk, "/fund"):
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
    await _create_fund(update, context, amount, user.id, origin=None)


async def fund_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: FundMenu) -> None:
    if not await _admin_with_key(update, funding_desk(context), "/fund"):
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
    if not await _admin_with_key(update, funding_desk(context), "/fund"):
        return
    query = update.callback_query
    assert query is not None
    await answer(query)
    menu = query.message if isinstance(query.message, Message) else None
    await _create_fund(update, context, callback.amount, callback.owner, origin=menu)
    await menus.done(update, context)


async def fund_close(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: FundClose
) -> None:
    await menus.done(update, context)
    await show(update, texts.fund_closed())


async def _create_fund(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    amount: int,
    owner: int,
    origin: Message | None,
) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    where = Confirmation(chat.id, owner, origin.message_id if origin else None, in_private(update))
    outcome = await funding_desk(context).top_up(user.id, where, amount)
    if isinstance(outcome, Barred):
        # Lost the rights (or the key) between the menu and the press.
        await _refuse(update, outcome, "/fund")
        return
    # A /fund command has no menu to edit: its outcome comes as a new message.
    created = texts.fund_created if origin is not None else None
    await tell_outcome(update, order_desk(context), outcome, created=created, retry=None)
