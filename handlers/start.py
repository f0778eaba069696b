"""/start (with deep links), /help and the start menu's buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import get_services
from handlers import keyboards, texts
from handlers.buy import close_picker, show_countries
from handlers.callbacks import MenuBuy, MenuOrders
from handlers.commands import publish_admin_commands
from handlers.common import show
from handlers.orders import show_orders

DEEP_LINK_BUY = "buy"
DEEP_LINK_ORDERS = "orders"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # t.me/<bot>?start=buy arrives as "/start buy": groups send people here to buy privately.
    payload = context.args[0] if context.args else ""
    if payload == DEEP_LINK_BUY:
        await show_countries(update, context)
        return
    if payload == DEEP_LINK_ORDERS:
        await show_orders(update, context)
        return
    close_picker(context)
    await show(update, texts.START, keyboards.start_menu())
    user = update.effective_user
    if user is not None and user.id in get_services(context).settings.admin_ids:
        # Telegram refuses a chat-scoped menu for a chat that does not exist yet, so an admin's
        # menu is (re)set when they open the bot.
        await publish_admin_commands(context.bot, user.id)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show(update, texts.HELP, keyboards.start_menu())


async def menu_buy(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: MenuBuy) -> None:
    await show_countries(update, context)


async def menu_orders(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: MenuOrders
) -> None:
    await show_orders(update, context)
