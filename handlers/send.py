"""/send: phone number → message → confirmation → invoice (or, for admins, the balance).

The two typed steps are a ConversationHandler (per chat and user, in handler group 0); the
draft is stored per person in the database, and the confirmation's buttons name it, so an old or
foreign keyboard can never send someone else's SMS and a confirmation survives a restart.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.placement import Confirmation, Placed, SendRequest
from bot.domain.phones import InvalidPhoneNumber, format_phone, normalize_phone
from bot.sms4sats import Sms4SatsError
from handlers import menus
from handlers.cancel import leave_everything
from handlers.common import answer, show
from handlers.context import get_services, in_private, person_of
from handlers.language import locale_of
from handlers.placing import tell_outcome
from handlers.sequencing import interruptible
from handlers.ui import texts
from handlers.ui.callbacks import SendDiscard, SendPay
from handlers.ui.i18n import use_locale
from handlers.ui.keyboards import button
from storage import Draft, MenuKind

PHONE, MESSAGE = range(2)
CONVERSATION_TIMEOUT = 600.0


async def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone may /send in a private chat; in a group only admins, checked at every step."""
    user = update.effective_user
    if user is None:
        return False
    if in_private(update) or await get_services(context).admins.is_admin(user.id):
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
    await message.reply_text(text, reply_markup=None if in_private(update) else markup)


def _stop(state: int) -> ApplicationHandlerStop:
    """Keep the update to the conversation: no handler of group 1 sees it."""
    return ApplicationHandlerStop(state)


async def start_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not await _allowed(update, context):
        raise _stop(ConversationHandler.END)
    await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
    raise _stop(PHONE)


async def got_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message, person = update.effective_message, person_of(update)
    if message is None or message.text is None or person is None:
        raise _stop(PHONE)
    if not await _allowed(update, context):
        raise _stop(ConversationHandler.END)
    try:
        phone = normalize_phone(message.text)
    except InvalidPhoneNumber as error:
        await _ask(update, texts.send_invalid_phone(error.problem), texts.PHONE_PLACEHOLDER)
        raise _stop(PHONE) from None
    await get_services(context).drafts.start(*person, phone)
    await _ask(update, texts.send_ask_message(format_phone(phone)), texts.message_placeholder())
    raise _stop(MESSAGE)


async def got_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message, person, user = update.effective_message, person_of(update), update.effective_user
    if message is None or message.text is None or person is None or user is None:
        raise _stop(MESSAGE)
    if not await _allowed(update, context):
        raise _stop(ConversationHandler.END)
    services = get_services(context)
    draft = await services.drafts.unfinished(*person)
    if draft is None:
        await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
        raise _stop(PHONE)
    text = message.text.strip()
    if not text:
        await _ask(update, texts.send_empty(), texts.message_placeholder())
        raise _stop(MESSAGE)
    if len(text) > texts.MAX_SMS_LENGTH:
        await _ask(update, texts.send_too_long(len(text)), texts.message_placeholder())
        raise _stop(MESSAGE)
    try:
        # Waiting on sms4sats writes nothing: the person's /cancel may stop it here.
        async with interruptible(context, update):
            price = await services.catalog.send_price()
    except Sms4SatsError as error:
        await message.reply_text(f"❌ {texts.sms4sats_problem(error)}")
        raise _stop(MESSAGE) from None
    if not price:
        await message.reply_text(texts.price_unavailable())
        raise _stop(MESSAGE)
    draft = await services.drafts.finish(draft, text, price)
    balance_allowed = services.sms4sats.has_api_key and await services.admins.is_admin(user.id)
    confirmation = await message.reply_text(
        texts.send_confirmation(format_phone(draft.phone), text, price, balance_allowed),
        reply_markup=_confirmation_keyboard(user.id, draft.id, price, balance_allowed),
    )
    await menus.opened(update, context, confirmation, MenuKind.CONFIRM_SMS)
    raise _stop(ConversationHandler.END)


def _confirmation_keyboard(
    owner: int, draft_id: int, price: int, balance_allowed: bool
) -> InlineKeyboardMarkup:
    rows = [[button(texts.send_button(price), SendPay(owner, draft_id, False))]]
    if balance_allowed:
        rows.append([button(texts.button_pay_balance(), SendPay(owner, draft_id, True))])
    rows.append([button(texts.button_discard(), SendDiscard(owner, draft_id))])
    return InlineKeyboardMarkup(rows)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await leave_everything(update, context, left_send=True)
    raise _stop(ConversationHandler.END)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.send_text_only())
    raise ApplicationHandlerStop


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command ends /send; group 1 then handles it as if /send had not been open."""
    person = person_of(update)
    if person is not None:
        await get_services(context).drafts.drop_unfinished(*person)
    return ConversationHandler.END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = person_of(update)
    if person is not None:
        await get_services(context).drafts.drop_unfinished(*person)
    if isinstance(update, Update) and update.effective_chat is not None:
        # A job runs this, outside the update's processing: its language is set here.
        with use_locale(await locale_of(get_services(context), update)):
            text = texts.send_timed_out()
        await update.effective_chat.send_message(text)


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


async def _draft_of(update: Update, context: ContextTypes.DEFAULT_TYPE, draft_id: int,
                    owner: int) -> Draft | str:  # fmt: skip
    """The draft the button names if it is the presser's and was confirmed in this chat;
    otherwise what to answer the press (it changes nothing)."""
    draft = await get_services(context).drafts.get(draft_id)
    chat = update.effective_chat
    if draft is None or chat is None or draft.chat_id != chat.id:
        return texts.send_draft_gone()
    if draft.user_id != owner:
        return texts.not_your_button()
    return draft


async def pay(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendPay) -> None:
    query = update.callback_query
    assert query is not None
    services = get_services(context)
    confirmation = query.message
    if callback.from_balance and not await services.admins.is_admin(query.from_user.id):
        await answer(query, texts.balance_admins_only(), alert=True)
        return
    if callback.from_balance and not services.sms4sats.has_api_key:
        await answer(query, texts.no_api_key(), alert=True)
        return
    if not isinstance(confirmation, Message):
        await answer(query)
        await show(update, texts.send_draft_gone())
        return
    existing = await services.orders.by_origin(confirmation.chat.id, confirmation.message_id)
    if existing is not None:
        # A second tap on a used confirmation: show its order, place nothing.
        await answer(query)
        await tell_outcome(update, services, Placed(existing, new=False), created=None, retry=None)
        return
    draft = await _draft_of(update, context, callback.draft, callback.owner)
    if not isinstance(draft, Draft):
        await answer(query, draft, alert=True)
        return
    await answer(query)
    await show(update, texts.creating_order())
    request = SendRequest(
        phone=draft.phone,
        message=draft.message or "",
        amount=draft.price or 0,
        from_balance=callback.from_balance,
    )
    where = Confirmation(
        confirmation.chat.id, callback.owner, confirmation.message_id, in_private(update)
    )
    outcome = await services.placement.place(where, request)
    if isinstance(outcome, Placed):
        await menus.done(update, context)
    balance_allowed = services.sms4sats.has_api_key and await services.admins.is_admin(
        callback.owner
    )
    retry = _confirmation_keyboard(callback.owner, draft.id, draft.price or 0, balance_allowed)
    await tell_outcome(
        update,
        services,
        outcome,
        created=lambda order_id: texts.send_order_created(order_id, callback.from_balance),
        retry=retry,
    )


async def discard(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendDiscard
) -> None:
    query = update.callback_query
    assert query is not None
    draft = await _draft_of(update, context, callback.draft, callback.owner)
    if not isinstance(draft, Draft):
        # Forged or foreign data changes nothing.
        await answer(query, draft, alert=True)
        return
    await answer(query)
    await get_services(context).drafts.delete(draft.id)
    await menus.done(update, context)
    await show(update, texts.send_discarded())
