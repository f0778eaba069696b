"""/send: phone number → message → confirmation → invoice (or, for admins, the balance).

The two typed steps are handlers in group 0 that read the person's step from the database
(`ConversationStore`), not PTB's ConversationHandler, whose state lives in one process's memory:
after a restart, or at another instance, the next message is still read as the step it answers.
While a step is open its handlers keep the update to themselves (ApplicationHandlerStop);
otherwise they let it through to group 1. The draft is stored per person too, and the
confirmation's buttons name it, so an old or foreign keyboard can never send someone else's SMS
and a confirmation survives a restart.
"""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.placement import Confirmation, Placed, SendRequest
from bot.domain.drafts import Draft
from bot.domain.menus import MenuKind
from bot.domain.phones import InvalidPhoneNumber, format_phone, normalize_phone
from bot.domain.sms4sats_terms import Sms4SatsError
from handlers import menus
from handlers.cancel import leave_everything
from handlers.common import answer, show
from handlers.context import get_services, in_private, order_desk, person_of
from handlers.placing import tell_outcome
from handlers.sequencing import interruptible
from handlers.ui import i18n, texts
from handlers.ui.callbacks import SendDiscard, SendPay
from handlers.ui.keyboards import button

log = logging.getLogger(__name__)

PHONE, MESSAGE = "phone", "message"
# A step left alone this long ends, and the person is told.
CONVERSATION_TIMEOUT = 600.0

AnyHandler = BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]


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


async def _at(context: ContextTypes.DEFAULT_TYPE, person: tuple[int, int], step: str) -> None:
    """The person's next message answers `step` (for the next CONVERSATION_TIMEOUT seconds)."""
    await get_services(context).conversations.begin(*person, step, CONVERSATION_TIMEOUT)


async def _end(context: ContextTypes.DEFAULT_TYPE, person: tuple[int, int]) -> bool:
    """End the person's /send if a step is open; whether one was. Every command passes here,
    so the common case (nothing open) costs one indexed read, no write."""
    services = get_services(context)
    if await services.conversations.step_of(*person) is None:
        return False
    await services.drafts.drop_unfinished(*person)
    return await services.conversations.end(*person)


async def start_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = person_of(update)
    if person is None:
        raise ApplicationHandlerStop
    if not await _allowed(update, context):
        await _end(context, person)
        raise ApplicationHandlerStop
    await get_services(context).drafts.drop_unfinished(*person)
    await _at(context, person, PHONE)
    await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
    raise ApplicationHandlerStop


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text while a step is open answers it; otherwise it goes on to group 1 (search, hints)."""
    person = person_of(update)
    if person is None:
        return
    step = await get_services(context).conversations.step_of(*person)
    if step is None:
        return
    if not await _allowed(update, context):
        await _end(context, person)
        raise ApplicationHandlerStop
    if step == PHONE:
        await _got_phone(update, context, person)
    else:
        await _got_message(update, context, person)
    raise ApplicationHandlerStop


async def _got_phone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: tuple[int, int]
) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    try:
        phone = normalize_phone(message.text)
    except InvalidPhoneNumber as error:
        await _at(context, person, PHONE)
        await _ask(update, texts.send_invalid_phone(error.problem), texts.PHONE_PLACEHOLDER)
        return
    await get_services(context).drafts.start(*person, phone)
    await _at(context, person, MESSAGE)
    await _ask(update, texts.send_ask_message(format_phone(phone)), texts.message_placeholder())


async def _got_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: tuple[int, int]
) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or message.text is None or user is None:
        return
    services = get_services(context)
    draft = await services.drafts.unfinished(*person)
    if draft is None:
        await _at(context, person, PHONE)
        await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
        return
    text = message.text.strip()
    if not text or len(text) > texts.MAX_SMS_LENGTH:
        await _at(context, person, MESSAGE)
        problem = texts.send_empty() if not text else texts.send_too_long(len(text))
        await _ask(update, problem, texts.message_placeholder())
        return
    try:
        # Waiting on sms4sats writes nothing: the person's /cancel may stop it here.
        async with interruptible(context, update):
            price = await services.catalog.send_price()
    except Sms4SatsError as error:
        await _at(context, person, MESSAGE)
        await message.reply_text(f"❌ {texts.sms4sats_problem(error)}")
        return
    if not price:
        await _at(context, person, MESSAGE)
        await message.reply_text(texts.price_unavailable())
        return
    draft = await services.drafts.finish(draft, text, price)
    await services.conversations.end(*person)
    balance_allowed = services.sms4sats.has_api_key and await services.admins.is_admin(user.id)
    confirmation = await message.reply_text(
        texts.send_confirmation(format_phone(draft.phone), text, price, balance_allowed),
        reply_markup=_confirmation_keyboard(user.id, draft.id, price, balance_allowed),
    )
    await menus.opened(update, context, confirmation, MenuKind.CONFIRM_SMS)


def _confirmation_keyboard(
    owner: int, draft_id: int, price: int, balance_allowed: bool
) -> InlineKeyboardMarkup:
    rows = [[button(texts.send_button(price), SendPay(owner, draft_id, False))]]
    if balance_allowed:
        rows.append([button(texts.button_pay_balance(), SendPay(owner, draft_id, True))])
    rows.append([button(texts.button_discard(), SendDiscard(owner, draft_id))])
    return InlineKeyboardMarkup(rows)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel during a step says the /send was closed; otherwise group 1's /cancel answers."""
    person = person_of(update)
    if person is None or not await _end(context, person):
        return
    await leave_everything(update, context, left_send=True)
    raise ApplicationHandlerStop


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = person_of(update)
    if person is None or await get_services(context).conversations.step_of(*person) is None:
        return
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.send_text_only())
    raise ApplicationHandlerStop


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Another command ends /send; group 1 then handles it as if /send had not been open."""
    person = person_of(update)
    if person is not None:
        await _end(context, person)


async def end_timed_out(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A job: steps left alone past CONVERSATION_TIMEOUT end, and their person is told."""
    services = get_services(context)
    for chat_id, user_id in await services.conversations.timed_out():
        # Only the instance whose delete took the row says so: never twice.
        if not await services.conversations.end_timed_out(chat_id, user_id):
            continue
        await services.drafts.drop_unfinished(chat_id, user_id)
        # Outside any update: the chat's language is looked up here.
        with i18n.use_locale(i18n.choose(*await services.chats.languages(chat_id))):
            text = texts.send_timed_out()
        try:
            await context.bot.send_message(chat_id, text)
        except TelegramError as error:
            # Given up: a courtesy note about steps the person left; the draft is dropped
            # either way, and their next message is answered as usual.
            log.info("Could not say /send timed out in chat %d: %s", chat_id, error)


def conversation() -> list[AnyHandler]:
    """The handlers of group 0, in the order they are tried (the first that matches runs)."""
    return [
        CommandHandler("send", start_send),
        CommandHandler("cancel", cancel),
        MessageHandler(filters.COMMAND, other_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND, typed_text),
        MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, not_text),
    ]


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
        await tell_outcome(
            update, order_desk(context), Placed(existing, new=False), created=None, retry=None
        )
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
        order_desk(context),
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
