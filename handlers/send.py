"""/send: phone number → message → confirmation → invoice (or, for admins, the balance).

The use cases are `bot.core.sending.SendDesk`'s (its docstring says why the steps and drafts
live in the database). The two typed steps are handlers in group 0, not PTB's
ConversationHandler, whose state lives in one process's memory. While a step is open its
handlers keep the update to themselves (ApplicationHandlerStop); otherwise they let it through
to group 1.
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

from bot.core.placement import Confirmation, Placed
from bot.core.sending import (
    PHONE,
    AlreadyPlaced,
    AskMessage,
    AskPhone,
    BadMessage,
    Barred,
    Confirm,
    NoPrice,
)
from bot.domain.drafts import Draft
from bot.domain.menus import MenuKind
from bot.domain.phones import format_phone
from handlers import menus
from handlers.cancel import leave_everything
from handlers.common import answer, show
from handlers.context import in_private, order_desk, people, person_of, send_desk
from handlers.language import locale_of
from handlers.placing import tell_outcome
from handlers.sequencing import interruptible
from handlers.ui import i18n, texts
from handlers.ui.callbacks import SendDiscard, SendPay
from handlers.ui.keyboards import button

log = logging.getLogger(__name__)

AnyHandler = BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]


async def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone may /send in a private chat; in a group only admins, checked at every step."""
    user = update.effective_user
    if user is None:
        return False
    if await send_desk(context).may_send(user.id, private=in_private(update)):
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


async def start_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = person_of(update)
    if person is None:
        raise ApplicationHandlerStop
    if not await _allowed(update, context):
        await send_desk(context).end(person)
        raise ApplicationHandlerStop
    await send_desk(context).begin(person)
    await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
    raise ApplicationHandlerStop


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text while a step is open answers it; otherwise it goes on to group 1 (search, hints)."""
    person = person_of(update)
    if person is None:
        return
    step = await send_desk(context).step_of(person)
    if step is None:
        return
    if not await _allowed(update, context):
        await send_desk(context).end(person)
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
    typed = await send_desk(context).phone_typed(person, message.text)
    if isinstance(typed, AskMessage):
        phone = format_phone(typed.phone)
        await _ask(update, texts.send_ask_message(phone), texts.message_placeholder())
    else:
        await _ask(update, texts.send_invalid_phone(typed.problem), texts.PHONE_PLACEHOLDER)


async def _got_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: tuple[int, int]
) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or message.text is None or user is None:
        return
    typed = await send_desk(context).message_typed(
        person, message.text, waiting=lambda: interruptible(context, update)
    )
    match typed:
        case AskPhone():
            await _ask(update, texts.send_ask_phone(), texts.PHONE_PLACEHOLDER)
        case BadMessage(length=0):
            await _ask(update, texts.send_empty(), texts.message_placeholder())
        case BadMessage(length=length):
            await _ask(update, texts.send_too_long(length), texts.message_placeholder())
        case NoPrice(error=None):
            await message.reply_text(texts.price_unavailable())
        case NoPrice(error=error) if error is not None:
            await message.reply_text(f"❌ {texts.sms4sats_problem(error)}")
        case Confirm(draft=draft, balance_allowed=balance_allowed):
            price = draft.price or 0
            confirmation = await message.reply_text(
                texts.send_confirmation(
                    format_phone(draft.phone), draft.message or "", price, balance_allowed
                ),
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
    if person is None or not await send_desk(context).end(person):
        return
    await leave_everything(update, context, left_send=True)
    raise ApplicationHandlerStop


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = person_of(update)
    if person is None or await send_desk(context).step_of(person) is None:
        return
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.send_text_only())
    raise ApplicationHandlerStop


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Another command ends /send; group 1 then handles it as if /send had not been open."""
    person = person_of(update)
    if person is not None:
        await send_desk(context).end(person)


async def end_timed_out(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A job: steps left alone past CONVERSATION_TIMEOUT end, and their person is told."""
    for chat_id in await send_desk(context).timed_out():
        # Outside any update: the chat's language is looked up here.
        with i18n.use_locale(locale_of(await people(context).languages_of_chat(chat_id))):
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


def _refusal(barred: Barred) -> str:
    match barred:
        case Barred.ADMINS_ONLY:
            return texts.balance_admins_only()
        case Barred.NO_API_KEY:
            return texts.no_api_key()
        case Barred.DRAFT_GONE:
            return texts.send_draft_gone()
        case Barred.NOT_YOURS:
            return texts.not_your_button()


async def pay(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendPay) -> None:
    query = update.callback_query
    assert query is not None
    confirmation = query.message
    chat_id = confirmation.chat.id if isinstance(confirmation, Message) else 0
    message_id = confirmation.message_id if isinstance(confirmation, Message) else None
    where = Confirmation(chat_id, callback.owner, message_id, in_private(update))
    desk = send_desk(context)
    checked = await desk.may_pay(
        query.from_user.id, where, callback.draft, from_balance=callback.from_balance
    )
    if message_id is None and checked not in (Barred.ADMINS_ONLY, Barred.NO_API_KEY):
        # The confirmation is too old to have come with the press: its draft with it.
        await answer(query)
        await show(update, texts.send_draft_gone())
        return
    if isinstance(checked, Barred):
        await answer(query, _refusal(checked), alert=True)
        return
    await answer(query)
    if isinstance(checked, AlreadyPlaced):
        # A second tap on a used confirmation: show its order, place nothing.
        placed = Placed(checked.order, new=False)
        await tell_outcome(update, order_desk(context), placed, created=None, retry=None)
        return
    await show(update, texts.creating_order())
    paying = await desk.pay(where, checked, from_balance=callback.from_balance)
    if isinstance(paying.outcome, Placed):
        await menus.done(update, context)
    draft = paying.draft
    retry = _confirmation_keyboard(
        callback.owner, draft.id, draft.price or 0, paying.balance_allowed
    )
    await tell_outcome(
        update,
        order_desk(context),
        paying.outcome,
        created=lambda order_id: texts.send_order_created(order_id, callback.from_balance),
        retry=retry,
    )


async def discard(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: SendDiscard
) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    desk = send_desk(context)
    draft: Draft | Barred = Barred.DRAFT_GONE
    if chat is not None:
        draft = await desk.draft(callback.draft, chat.id, callback.owner)
    if isinstance(draft, Barred):
        # Forged or foreign data changes nothing.
        await answer(query, _refusal(draft), alert=True)
        return
    await answer(query)
    await desk.discard(draft)
    await menus.done(update, context)
    await show(update, texts.send_discarded())
