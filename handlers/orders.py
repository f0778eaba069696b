"""/orders, and the buttons of an order card: show, check now, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.ordering import (
    Cancelled,
    CancelOutcome,
    CancelRefused,
    Looked,
    Refusal,
    Reposted,
    TooEarly,
    Withdrawn,
)
from handlers.common import answer, show
from handlers.context import order_desk
from handlers.ui import cards, keyboards, texts
from handlers.ui.callbacks import CancelOrder, OrdersPage, RefreshOrder, ShowOrder
from handlers.ui.texts import finding as finding_texts


async def show_orders(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0) -> None:
    user = update.effective_user
    if user is None:
        return
    shown = await order_desk(context).page(user.id, page, keyboards.ORDERS_PER_PAGE)
    if shown.total == 0:
        await show(update, texts.no_orders(), keyboards.no_orders())
        return
    labels = [cards.order_line(order) for order in shown.orders]
    await show(
        update,
        texts.orders_header(shown.total),
        keyboards.orders_page(shown.orders, labels, shown.page, shown.total),
    )


async def orders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_orders(update, context)


async def orders_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: OrdersPage
) -> None:
    await show_orders(update, context, callback.page)


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


async def show_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ShowOrder
) -> None:
    query = update.callback_query
    assert query is not None
    shown = await order_desk(context).show(query.from_user.id, callback.order)
    if isinstance(shown, Refusal):
        await answer(query, texts.not_your_order(), alert=True)
        return
    await answer(query)
    if isinstance(shown, Reposted):
        return
    card = cards.render(shown.order, _at(shown.now))
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(card.text, reply_markup=card.keyboard)


async def refresh_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RefreshOrder
) -> None:
    query = update.callback_query
    assert query is not None
    looked = await order_desk(context).look_now(query.from_user.id, callback.order)
    if not isinstance(looked, Looked):
        await answer(query, texts.not_your_order(), alert=True)
    elif looked.trouble:
        await answer(query, texts.sms4sats_trouble(), alert=True)
    else:
        await answer(query, texts.status_answer(cards.state_label(looked.order)))


async def cancel_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CancelOrder
) -> None:
    query = update.callback_query
    assert query is not None
    outcome = await order_desk(context).cancel(query.from_user.id, callback.order)
    await answer(query, _cancel_answer(outcome), alert=True)


def _cancel_answer(outcome: CancelOutcome) -> str:
    match outcome:
        case Refusal.NOT_YOURS:
            return texts.not_your_order()
        case Refusal.ALREADY_CANCELLED:
            return finding_texts.cancel_already()
        case Refusal.NOT_POSSIBLE:
            return texts.cancel_not_possible()
        case Withdrawn():
            return texts.invoice_withdrawn_alert()
        case TooEarly(cancel_from=cancel_from, now=now):
            return texts.cancel_too_early(_at(cancel_from), _at(now))
        case CancelRefused(error=error):
            reason = error.reason
            return texts.cancel_refused(reason) if reason else texts.sms4sats_problem(error)
        case Cancelled(paid=paid):
            return texts.cancel_done() if paid else texts.cancel_done_unpaid()
