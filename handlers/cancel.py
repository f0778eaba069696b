"""/cancel: leave whatever is open (pickers, confirmations, /send), then offer the open orders.

Leaving never cancels an order by itself: orders are listed with what can be done about each,
and a button for those sms4sats would cancel now.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.core.ordering import OrderDesk
from bot.domain.kinds import rules_for
from bot.domain.kinds.receive import cancel_possible_from
from bot.domain.orders import Order, OrderState
from handlers import orders
from handlers.context import menu_desk, order_desk, person_of
from handlers.ui import cards, texts
from handlers.ui.callbacks import CancelFromList, CancelOrder
from handlers.ui.keyboards import button
from handlers.ui.texts import finding as finding_texts

log = logging.getLogger(__name__)

# Orders listed by /cancel; more than this and the rest are left to /orders.
LISTED_ORDERS = 5


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await leave_everything(update, context)


async def leave_everything(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, left_send: bool = False
) -> None:
    """Close the person's menus and drafts; tell them so, with their open orders."""
    message, person = update.effective_message, person_of(update)
    if message is None or person is None:
        return
    chat_id, user_id = person
    menus = (await menu_desk(context).leave(chat_id, user_id)).menus
    for menu in menus:
        try:
            await context.bot.edit_message_text(
                texts.menu_closed(), chat_id=menu.chat_id, message_id=menu.message_id
            )
        except TelegramError as error:
            # Gone or too old to edit: its buttons are refused anyway (menus.is_left).
            log.debug("Could not close menu %d: %s", menu.message_id, error)
    lines, keyboard = await _open_orders(order_desk(context), chat_id, user_id)
    parts = []
    if left_send:
        parts.append(texts.closed_send())
    elif menus:
        parts.append(texts.closed_menus(len(menus)))
    elif lines:
        parts.append(texts.nothing_open())
    parts.extend(lines)
    if not parts:
        parts.append(texts.nothing_to_cancel())
    await message.reply_text("\n\n".join(parts), reply_markup=keyboard)


async def _open_orders(
    desk: OrderDesk, chat_id: int, user_id: int
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The person's open orders as /cancel lists them (a paragraph or two), and their buttons."""
    open_orders = await desk.open_orders(chat_id, user_id)
    orders, now = open_orders.orders, open_orders.now
    lines, buttons = [], []
    for order in orders[:LISTED_ORDERS]:
        line, can_cancel = _order_line(order, now)
        lines.append(line)
        if can_cancel:
            label = texts.cancel_order_button(order.id)
            buttons.append([button(label, CancelFromList(order.id))])
    parts = []
    if lines:
        parts.append("\n".join([texts.open_orders(), *lines]))
        if len(orders) > LISTED_ORDERS:
            parts.append(texts.more_open_orders())
    return parts, InlineKeyboardMarkup(buttons) if buttons else None


async def cancel_from_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CancelFromList
) -> None:
    """A cancel button of the /cancel list: cancel as the order's own button does, then show the
    list as it is now, so the button does not stay behind for an order that is over."""
    await orders.cancel_order(update, context, CancelOrder(callback.order))
    query, person = update.callback_query, person_of(update)
    message = query.message if query is not None else None
    if not isinstance(message, Message) or person is None:
        return
    lines, keyboard = await _open_orders(order_desk(context), *person)
    text = "\n\n".join(lines) if lines else finding_texts.no_open_orders_left()
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            log.info("Could not update the /cancel list: %s", error)


def _order_line(order: Order, now: float) -> tuple[str, bool]:
    """What /cancel says about an open order, and whether it gets a cancel button."""
    line = cards.order_line(order)
    if order.state is OrderState.AWAITING_PAYMENT:
        if rules_for(order.kind).cancellable:
            return texts.cancel_now(line), True
        expires = order.invoice_expires_at
        at = datetime.fromtimestamp(expires, UTC) if expires else None
        # sms4sats cannot cancel these invoices; the button forgets them here (it says so).
        return texts.cancel_unpaid(line, at), True
    if not rules_for(order.kind).cancellable:
        return cards.cannot_cancel(order), False
    cancel_at = cancel_possible_from(order)
    if cancel_at is not None and now < cancel_at:
        return texts.cancel_later(line, datetime.fromtimestamp(cancel_at, UTC)), False
    return texts.cancel_now(line), True
