"""Every handler, added to the Application in one place; buttons routed by their data's type."""

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

from handlers import (
    balance,
    buy,
    cancel,
    errors,
    fallback,
    groups,
    language,
    menus,
    orders,
    rent,
    send,
    service_first,
    start,
    stats,
    watches,
)
from handlers.common import answer, private_link
from handlers.context import AnyApplication, in_private
from handlers.ui import texts
from handlers.ui.callbacks import (
    AnotherCountry,
    BuyAgain,
    BuyNumber,
    BuyRealSim,
    Callback,
    CancelFromList,
    CancelOrder,
    CountryChosen,
    CountryPage,
    ExpectSms,
    FundAmount,
    FundClose,
    FundMenu,
    LanguageChosen,
    MenuBuy,
    MenuOrders,
    MenuRent,
    OrdersPage,
    PickCountry,
    RealSimToggle,
    RefreshOrder,
    RentChosen,
    RentNumber,
    RentPage,
    SendDiscard,
    SendPay,
    ServiceChosen,
    ServiceCountries,
    ServiceFirst,
    ServicePage,
    ShowOrder,
    StatsCsv,
    StatsView,
    WatchStock,
    parse,
)

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
    BuyAgain: (buy.buy_again, False),
    PickCountry: (buy.pick_country, False),
    ServiceFirst: (service_first.service_first, False),
    ServiceCountries: (service_first.service_countries, False),
    AnotherCountry: (service_first.another_country, False),
    WatchStock: (watches.watch_stock, True),
    OrdersPage: (orders.orders_page, False),
    ShowOrder: (orders.show_order, True),
    RefreshOrder: (orders.refresh_order, True),
    CancelOrder: (orders.cancel_order, True),
    CancelFromList: (cancel.cancel_from_list, True),
    SendPay: (send.pay, True),
    SendDiscard: (send.discard, True),
    FundMenu: (balance.fund_menu, True),
    FundAmount: (balance.fund_amount, True),
    FundClose: (balance.fund_close, False),
    LanguageChosen: (language.language_chosen, True),
    StatsView: (stats.stats_view, True),
    StatsCsv: (stats.stats_csv, True),
    RealSimToggle: (buy.real_sim_toggle, False),
    BuyRealSim: (buy.buy, False),
    MenuRent: (rent.menu_rent, False),
    RentPage: (rent.rent_page, False),
    RentChosen: (rent.rent_chosen, False),
    RentNumber: (rent.rent, False),
    ExpectSms: (rent.expect_sms, True),
}

# Buying and someone's orders show numbers and codes: these buttons only work in a private chat.
# Pressed in a group (an old menu, forged data) they point to the private chat and do nothing.
PRIVATE_ONLY: frozenset[type[Callback]] = frozenset(
    {
        MenuBuy,
        MenuOrders,
        CountryPage,
        CountryChosen,
        ServicePage,
        ServiceChosen,
        BuyNumber,
        BuyAgain,
        PickCountry,
        ServiceFirst,
        ServiceCountries,
        AnotherCountry,
        WatchStock,
        OrdersPage,
        ShowOrder,
        RealSimToggle,
        BuyRealSim,
        MenuRent,
        RentPage,
        RentChosen,
        RentNumber,
        ExpectSms,
    }
)


async def route_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    callback = parse(query.data)
    route = ROUTES.get(type(callback)) if callback is not None else None
    if route is None:
        # A button of an older bot version, or data nobody should be able to send.
        await answer(query, texts.old_button(), alert=True)
        return
    if await menus.is_left(update, context):
        await answer(query, texts.menu_left(), alert=True)
        return
    if type(callback) in PRIVATE_ONLY and not in_private(update):
        await answer(query, texts.private_only_button(), url=private_link(context, "buy"))
        return
    owner = getattr(callback, "owner", None)
    if owner is not None and owner != query.from_user.id:
        await answer(query, texts.not_your_button(), alert=True)
        return
    handler, answers_itself = route
    if not answers_itself:
        await answer(query)
    await handler(update, context, callback)


def register(application: AnyApplication) -> None:
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    # Group -3 runs first for every update: it records who wrote and reads the language the
    # update is answered in, in one transaction (handlers/language, `People.arrived`).
    application.add_handler(TypeHandler(Update, language.apply_locale), group=-3)
    # Group -2 runs next and never stops an update: a command ends any picker search.
    application.add_handler(MessageHandler(filters.COMMAND, menus.end_search), group=-2)

    # Group 0: the /send conversation. While it waits for a number or a message it keeps typed
    # text to itself (its handlers raise ApplicationHandlerStop); a command it does not know
    # ends it and then also reaches group 1, which handles the command as if /send was not open.
    for step in send.conversation():
        application.add_handler(step, group=0)

    # Group 1: everything else.
    for handler in (
        CommandHandler("start", start.start, private),
        CommandHandler("start", groups.start_in_group, groups_only),
        CommandHandler("help", start.help_command),
        CommandHandler("buy", buy.buy_command, private),
        CommandHandler("buy", groups.buy_in_group, groups_only),
        CommandHandler("orders", orders.orders_command, private),
        CommandHandler("rent", rent.rent_command),
        CommandHandler("orders", groups.orders_in_group, groups_only),
        CommandHandler("balance", balance.balance_command),
        CommandHandler("fund", balance.fund_command),
        CommandHandler("stats", stats.stats_command),
        CommandHandler("cancel", cancel.cancel_command),
        CommandHandler("language", language.language_command),
        CallbackQueryHandler(route_callback),
        ChatMemberHandler(groups.my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ChatMemberHandler(groups.member_changed, ChatMemberHandler.CHAT_MEMBER),
        # The catch-alls come last: a known command must never reach them. In groups the bot
        # stays quiet about anything that was not meant for it.
        MessageHandler(filters.COMMAND & private, fallback.unknown_command),
        MessageHandler(filters.TEXT & private, fallback.text_message),
        MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.other_message),
    ):
        application.add_handler(handler, group=1)
    application.add_error_handler(errors.on_error)
