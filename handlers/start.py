"""/start (with deep links), /help and the start menu's buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.buy import show_countries
from handlers.common import DEEP_LINK_BUY, DEEP_LINK_ORDERS, private_link, show
from handlers.context import admins, features, in_private
from handlers.orders import show_orders
from handlers.rent import DEEP_LINK_RENT, show_rentals
from handlers.ui import keyboards, texts
from handlers.ui.callbacks import MenuBuy, MenuOrders
from handlers.ui.command_menus import publish_admin_commands
from handlers.ui.texts import rental as rental_texts


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # t.me/<bot>?start=buy arrives as "/start buy": groups send people here to buy privately.
    payload = context.args[0] if context.args else ""
    if payload == DEEP_LINK_BUY:
        await show_countries(update, context)
        return
    if payload == DEEP_LINK_ORDERS:
        await show_orders(update, context)
        return
    rentals = features(context).rentals
    if payload == DEEP_LINK_RENT and rentals:
        await show_rentals(update, context)
        return
    await show(update, texts.start(), keyboards.start_menu(rentals=rentals))
    user = update.effective_user
    if user is not None and admins(context).configured(user.id):
        # Telegram refuses a chat-scoped menu for a chat that does not exist yet, so an admin's
        # menu is (re)set when they open the bot.
        await publish_admin_commands(context.bot, user.id, rentals=rentals)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    admin = user is not None and await admins(context).is_admin(user.id)
    if in_private(update):
        rentals = features(context).rentals
        text = texts.help_text() + (texts.admin_help() + texts.admin_help_stats() if admin else "")
        if rentals:
            text += "\n\n" + rental_texts.help_line()
        await show(update, text, keyboards.start_menu(rentals=rentals))
        return
    # In a group, menus that buy or list orders belong to nobody: link to the private chat.
    text = texts.group_help() + (texts.group_admin_help() if admin else "")
    chat = update.effective_chat
    if admin and chat is not None and chat.id == admins(context).admin_chat_id:
        # /stats shows its figures only in the admin group (and private chats).
        text += texts.group_admin_help_stats()
    menu = keyboards.private_start_menu(
        private_link(context, DEEP_LINK_BUY), private_link(context, DEEP_LINK_ORDERS)
    )
    await show(update, text, menu)


async def menu_buy(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: MenuBuy) -> None:
    await show_countries(update, context)


async def menu_orders(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: MenuOrders
) -> None:
    await show_orders(update, context)
