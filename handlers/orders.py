"""/orders, and the buttons of an order card: show, check now, cancel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.core.services import Services
from bot.domain.kinds import rules_for
from bot.domain.kinds.receive import cancel_possible_from
from bot.domain.orders import Order, OrderState
from bot.sms4sats import Sms4SatsError
from handlers.common import answer, show
from handlers.context import get_services
from handlers.ui import cards, keyboards, texts
from handlers.ui.callbacks import CancelOrder, OrdersPage, RefreshOrder, ShowOrder
from handlers.ui.texts import finding as finding_texts

log = logging.getLogger(__name__)


async def show_orders(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0) -> None:
    services = get_services(context)
    user = update.effective_user
    if user is None:
        return
    total = await services.orders.count_for_user(user.id)
    if total == 0:
        await show(update, texts.no_orders(), keyboards.no_orders())
        return
    page = keyboards.clamp_page(page, total, keyboards.ORDERS_PER_PAGE)
    orders = await services.orders.for_user(
        user.id, limit=keyboards.ORDERS_PER_PAGE, offset=page * keyboards.ORDERS_PER_PAGE
    )
    labels = [cards.order_line(order) for order in orders]
    await show(
        update, texts.orders_header(total), keyboards.orders_page(orders, labels, page, total)
    )


async def orders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_orders(update, context)


async def orders_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: OrdersPage
) -> None:
    await show_orders(update, context, callback.page)


async def _own_order(update: Update, services: Services, order_id: int) -> Order | None:
    """The order, if it exists and belongs to the user who pressed; otherwise they are told,
    in the same words either way: a forged button learns nothing about other people's orders."""
    query = update.callback_query
    assert query is not None
    order = await services.orders.get(order_id)
    if order is None or order.user_id != query.from_user.id:
        await answer(query, texts.not_your_order(), alert=True)
        return None
    return order


async def show_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ShowOrder
) -> None:
    services = get_services(context)
    order = await _own_order(update, services, callback.order)
    if order is None:
        return
    await answer(update.callback_query)  # type: ignore[arg-type]
    if order.closed_at is None and not order.state.is_final:
        # An open order's card moves to the bottom of the chat and stays live there.
        await services.tracker.repost(order)
        return
    card = cards.render(order, datetime.fromtimestamp(services.clock(), UTC))
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(card.text, reply_markup=card.keyboard)


async def refresh_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RefreshOrder
) -> None:
    services = get_services(context)
    order = await _own_order(update, services, callback.order)
    if order is None:
        return
    query = update.callback_query
    assert query is not None
    if order.closed_at is None and not order.state.is_final:
        before = order.poll_failures
        order = await services.tracker.poll(order)
        if order.poll_failures > before:
            await answer(query, texts.sms4sats_trouble(), alert=True)
            return
    await answer(query, texts.status_answer(cards.state_label(order)))


async def cancel_order(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CancelOrder
) -> None:
    services = get_services(context)
    order = await _own_order(update, services, callback.order)
    if order is None:
        return
    query = update.callback_query
    assert query is not None
    if not rules_for(order.kind).cancellable and order.state is OrderState.AWAITING_PAYMENT:
        await _withdraw_invoice(query, services, order)
        return
    async with services.tracker.lock(order.id):
        order = await services.orders.get(order.id) or order
        if order.state is OrderState.CANCELLED:
            await answer(query, finding_texts.cancel_already(), alert=True)
            return
        if not rules_for(order.kind).cancellable or order.state.is_final:
            await answer(query, texts.cancel_not_possible(), alert=True)
            return
        now = datetime.fromtimestamp(services.clock(), UTC)
        cancel_at = cancel_possible_from(order)
        cancel_from = datetime.fromtimestamp(cancel_at, UTC) if cancel_at else None
        if cancel_from is not None and now < cancel_from:
            await answer(query, texts.cancel_too_early(cancel_from, now), alert=True)
            return
        try:
            await services.sms4sats.cancel_order(order.remote_id)
        except Sms4SatsError as error:
            log.info("Order %d: cancel refused: %s", order.id, error.reason or error)
            reason = error.reason
            message = texts.cancel_refused(reason) if reason else texts.sms4sats_problem(error)
            await answer(query, message, alert=True)
        else:
            paid = order.paid_at is not None
            await answer(
                query, texts.cancel_done() if paid else texts.cancel_done_unpaid(), alert=True
            )
            await services.tracker.record(order, {"state": OrderState.CANCELLED})
            return
    # A refusal may mean the order moved on (a code came): show its latest state now.
    await services.tracker.poll(order)


async def _withdraw_invoice(query: CallbackQuery, services: Services, order: Order) -> None:
    """An unpaid SMS or top-up invoice: sms4sats cannot cancel it, so it is only forgotten
    here, after one last look that it was not paid meanwhile; the answer says so."""
    order = await services.tracker.check(order)
    async with services.tracker.lock(order.id):
        order = await services.orders.get(order.id) or order
        if order.state is not OrderState.AWAITING_PAYMENT:
            await answer(query, texts.cancel_not_possible(), alert=True)
            return
        await answer(query, texts.invoice_withdrawn_alert(), alert=True)
        await services.tracker.record(order, {"state": OrderState.CANCELLED})
