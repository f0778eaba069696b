"""/send: phone number → message → confirmation → invoice (or, for admins, the balance).

The two typed steps are a ConversationHandler; the confirmation's buttons are stateless callbacks
naming a draft, so an old or foreign keyboard can never send someone else's SMS.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.phones import InvalidPhoneNumber, format_phone, normalize_phone
from bot.services import get_services
from bot.sms4sats import Sms4SatsError
from handlers import texts
from handlers.callbacks import SendDiscard, SendPay
from handlers.common import answer, menu_lock, show
from handlers.keyboards import button
from storage import OrderKind

PHONE, MESSAGE = range(2)
CONVERSATION_TIMEOUT = 600.0
DRAFTS_KEY = "send_drafts"
PHONE_KEY = "send_phone"
MAX_DRAFTS = 10


@dataclass(frozen=True, slots=True)
class Draft:
    phone: str
    message: str
    price: int


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != chat.PRIVATE


async def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone may /send in a private chat; in a group only admins, checked at every step."""
    user = update.effective_user
    if user is None:
        return False
    if not _in_group(update) or await get_services(context).admins.is_admin(user.id):
        return True
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.admins_only("/send"))
    return False


async def _ask(update: Update, text: str, placeholder: str) -> None:
    message = update.effective_message
    if message is None:
        return
    # In a group with privacy mode on, the bot only sees replies to its own messages: ForceReply
    # makes the admin's answer such a reply.
    markup = ForceReply(selective=True, input_field_placeholder=placeholder)
    await message.reply_text(text, reply_markup=markup if _in_group(update) else None)


async def start_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not await _allowed(update, context):
        return ConversationHandler.END
    await _ask(update, texts.SEND_ASK_PHONE, texts.PHONE_PLACEHOLDER)
    return PHONE


async def got_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message = update.effective_message
    if message is None or message.text is None or context.user_data is None:
        return PHONE
    if not await _allowed(update, context):
        return ConversationHandler.END
    try:
        phone = normalize_phone(message.text)
    except InvalidPhoneNumber as error:
        await _ask(update, texts.send_invalid_phone(str(error)), texts.PHONE_PLACEHOLDER)
        return PHONE
    context.user_data[PHONE_KEY] = phone
    await _ask(update, texts.send_ask_message(format_phone(phone)), texts.MESSAGE_PLACEHOLDER)
    return MESSAGE


async def got_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message = update.effective_message
    if message is None or message.text is None or context.user_data is None:
        return MESSAGE
    if not await _allowed(update, context):
        return ConversationHandler.END
    phone = context.user_data.get(PHONE_KEY)
    if not isinstance(phone, str):
        await _ask(update, texts.SEND_ASK_PHONE, texts.PHONE_PLACEHOLDER)
        return PHONE
    text = message.text.strip()
    if not text:
        await _ask(update, texts.SEND_EMPTY, texts.MESSAGE_PLACEHOLDER)
        return MESSAGE
    if len(text) > texts.MAX_SMS_LENGTH:
        await _ask(update, texts.send_too_long(len(text)), texts.MESSAGE_PLACEHOLDER)
        return MESSAGE
    services = get_services(context)
    try:
        price = await services.catalog.send_price()
    except Sms4SatsError as error:
        await message.reply_text(f"❌ {texts.esc(error)}")
        return MESSAGE
    if not price:
        await message.reply_text(texts.PRICE_UNAVAILABLE)
        return MESSAGE
    user = update.effective_user
    assert user is not None
    draft_id = _store_draft(context.user_data, Draft(phone, text, price))
    context.user_data.pop(PHONE_KEY, None)
    balance_allowed = services.sms4sats.has_api_key and await services.admins.is_admin(user.id)
    await message.reply_text(
        texts.send_confirmation(format_phone(phone), text, price, balance_allowed),
        reply_markup=_confirmation_keyboard(user.id, draft_id, price, balance_allowed),
    )
    return ConversationHandler.END


def _store_draft(user_data: dict[object, object], draft: Draft) -> int:
    drafts = user_data.setdefault(DRAFTS_KEY, {})
    assert isinstance(drafts, dict)
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    # Random ids: after a restart a new draft must not answer to an old keyboard's id.
    draft_id = secrets.randbelow(2**40)
    drafts[draft_id] = draft
    return draft_id


def _confirmation_keyboard(
    owner: int, draft_id: int, price: int, balance_allowed: bool
) -> InlineKeyboardMarkup:
    rows = [[button(texts.buy_button(price), SendPay(owner, draft_id, False))]]
    if balance_allowed:
        rows.append([button(texts.BUTTON_PAY_BALANCE, SendPay(owner, draft_id, True))])
    rows.append([button(texts.BUTTON_DISCARD, SendDiscard(owner, draft_id))])
    return InlineKeyboardMarkup(rows)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if context.user_data is not None:
        context.user_data.pop(PHONE_KEY, None)
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.SEND_CANCELLED)
    return ConversationHandler.END


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.SEND_TEXT_ONLY)


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command ends /send, and then runs as if /send had not been open."""
    if context.user_data is not None:
        context.user_data.pop(PHONE_KEY, None)
    # The conversation records END only after this returns; the command runs after that.
    context.application.create_task(context.application.process_update(update), update=update)
    return ConversationHandler.END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(PHONE_KEY, None)
    if isinstance(update, Update) and update.effective_chat is not None:
        await update.effective_chat.send_message(texts.SEND_TIMED_OUT)


def conversation() -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
    text = filters.TEXT & ~filters.COMMAND
    other: BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object] = MessageHandler(
        ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text
    )
    return ConversationHandler(
        entry_points=[CommandHandler("send", start_send)],
        states={
            PHONE: [MessageHandler(text, got_phone), other],
            MESSAGE: [MessageHandler(text, got_message), other],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.COMMAND, other_command),
        ],
        conversation_timeout=CONVERSATION_TIMEOUT,
        allow_reentry=True,
        name="send",
    )


# --- the confirmation's buttons ------------------------------------------------------------


def _drafts(context: ContextTypes.DEFAULT_TYPE) -> dict[int, Draft]:
    drafts = context.user_data.get(DRAFTS_KEY) if context.user_data is not None else None
    return drafts if isinstance(drafts, dict) else {}


async def pay(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendPay) -> None:
    query = update.callback_query
    assert query is not None
    services = get_services(context)
    confirmation = query.message
    if callback.from_balance and not await services.admins.is_admin(query.from_user.id):
        await answer(query, texts.admins_only("Paying from the balance"), alert=True)
        return
    if callback.from_balance and not services.sms4sats.has_api_key:
        await answer(query, texts.NO_API_KEY, alert=True)
        return
    await answer(query)
    if not isinstance(confirmation, Message):
        await show(update, texts.SEND_DRAFT_GONE)
        return
    async with menu_lock(confirmation):
        existing = await services.orders.by_origin(confirmation.chat.id, confirmation.message_id)
        if existing is not None:
            await show(update, texts.ALREADY_ORDERED)
            await services.tracker.deliver(existing)
            return
        draft = _drafts(context).get(callback.draft)
        if draft is None:
            await show(update, texts.SEND_DRAFT_GONE)
            return
        await show(update, texts.CREATING_ORDER)
        try:
            created = await services.sms4sats.create_send_order(
                draft.phone, draft.message, immediate=callback.from_balance
            )
        except Sms4SatsError as error:
            keyboard = _confirmation_keyboard(
                callback.owner, callback.draft, draft.price, services.sms4sats.has_api_key
                and await services.admins.is_admin(callback.owner),
            )  # fmt: skip
            await show(update, texts.order_failed(str(error)), keyboard)
            return
        _drafts(context).pop(callback.draft, None)
        order = await services.tracker.open_order(
            created,
            kind=OrderKind.SEND,
            user_id=callback.owner,
            chat_id=confirmation.chat.id,
            amount=draft.price,
            origin_message_id=confirmation.message_id,
            phone=draft.phone,
            message=draft.message,
        )
        await show(update, texts.send_order_created(order.id, created.paid_from_balance))
        await services.tracker.deliver(order)


async def discard(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendDiscard
) -> None:
    _drafts(context).pop(callback.draft, None)
    await show(update, texts.SEND_DISCARDED)
