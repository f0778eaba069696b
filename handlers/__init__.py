"""Conversations, commands, keyboards and texts; `register` wires them into the Application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.services import AnyApplication
from handlers import balance, buy, errors, fallback, groups, orders, send, start, texts, tracking
from handlers.callbacks import (
    BuyNumber,
    Callback,
    CancelOrder,
    CountryChosen,
    CountryPage,
    FundAmount,
    FundMenu,
    MenuBuy,
    MenuOrders,
    OrdersPage,
    RefreshOrder,
    SendDiscard,
    SendPay,
    ServiceChosen,
    ServicePage,
    ShowOrder,
    parse,
)
from handlers.commands import publish_commands
from handlers.common import answer

__all__ = ["publish_commands", "register"]

Route = Callable[[Update, ContextTypes.DEFAULT_TYPE, Any], Awaitable[None]]

# Buttons are routed by the type of their parsed callback data. Routes marked True answer the
# button press themselves (with an alert or a status); the others are answered at once so the
# user's spinner stops before the work starts.
ROUTES: dict[type[Callback], tuple[Route, bool]] = {
    MenuBuy: (start.menu_buy, False),
    MenuOrders: (start.menu_orders, False),
    CountryPage: (buy.country_page, False),
    CountryChosen: (buy.country_chosen, False),
    ServicePage: (buy.service_page, False),
    ServiceChosen: (buy.service_chosen, False),
    BuyNumber: (buy.buy, False),
    OrdersPage: (orders.orders_page, False),
    ShowOrder: (orders.show_order, True),
    RefreshOrder: (orders.refresh_order, True),
    CancelOrder: (orders.cancel_order, True),
    SendPay: (send.pay, True),
    SendDiscard: (send.discard, False),
    FundMenu: (balance.fund_menu, True),
    FundAmount: (balance.fund_amount, True),
}


async def route_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    callback = parse(query.data)
    route = ROUTES.get(type(callback)) if callback is not None else None
    if route is None:
        # A button of an older bot version, or data nobody should be able to send.
        await answer(query, texts.OLD_BUTTON, alert=True)
        return
    owner = getattr(callback, "owner", None)
    if owner is not None and owner != query.from_user.id:
        await answer(query, texts.NOT_YOUR_BUTTON, alert=True)
        return
    handler, answers_itself = route
    if not answers_itself:
        await answer(query)
    await handler(update, context, callback)


def register(application: AnyApplication, settings: Settings) -> None:
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    # Group -1 runs first for every update and never stops it: it only records who wrote.
    application.add_handler(TypeHandler(Update, tracking.seen), group=-1)

    # The /send conversation comes first: while it waits for a number or a message, typed text
    # belongs to it and not to the pickers' search or the hints below.
    application.add_handler(send.conversation())
    application.add_handler(CommandHandler("start", start.start, private))
    application.add_handler(CommandHandler("start", groups.start_in_group, groups_only))
    application.add_handler(CommandHandler("help", start.help_command))
    application.add_handler(CommandHandler("buy", buy.buy_command, private))
    application.add_handler(CommandHandler("buy", groups.buy_in_group, groups_only))
    application.add_handler(CommandHandler("orders", orders.orders_command, private))
    application.add_handler(CommandHandler("orders", groups.orders_in_group, groups_only))
    application.add_handler(CommandHandler("balance", balance.balance_command))
    application.add_handler(CommandHandler("fund", balance.fund_command))
    application.add_handler(CommandHandler("cancel", fallback.nothing_to_cancel))
    application.add_handler(CallbackQueryHandler(route_callback))
    application.add_handler(
        ChatMemberHandler(groups.my_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(ChatMemberHandler(groups.member_changed, ChatMemberHandler.CHAT_MEMBER))
    # The catch-alls come last: a known command must never reach them. In groups the bot stays
    # quiet about anything that was not meant for it.
    application.add_handler(MessageHandler(filters.COMMAND & private, fallback.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & private, fallback.text_message))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.other_message)
    )
    application.add_error_handler(errors.on_error)
