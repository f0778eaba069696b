"""The core's `Teller`, implemented with Telegram: order cards, code messages, their errors.

These messages have no update behind them, so each is written in its chat's language, read from
the database every time (a /language choice applies to the very next message, after restarts
too), set around the rendering with `use_locale`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.core.engine.teller import ChatUnreachable, OutcomeUnknown, TellFailed, TellRejected
from bot.domain.clock import Clock
from bot.domain.in_flight import InFlightPlacement
from bot.domain.kinds import rules_for
from bot.domain.kinds.receive import gives_up_at
from bot.domain.orders import Order, OrderState
from bot.domain.phones import format_phone
from bot.domain.rental_sms import StoredSms
from handlers.ui import cards, texts
from handlers.ui.cards.base import cancel_button, copy_button
from handlers.ui.delivery import Failure, SendPolicy, classify, retry_after
from handlers.ui.i18n import DEFAULT_LOCALE, use_locale
from handlers.ui.texts import rental as rental_texts

log = logging.getLogger(__name__)

T = TypeVar("T")

# The bot's own sends (not answers to a person waiting) can afford to wait longer for Telegram:
# a timeout leaves the outcome unknown, and an unknown outcome costs a delay or a repeat.
BACKGROUND_TIMEOUT = 20.0
# The rate limiter makes none of these calls again by itself: the outbox does, by its priorities
# and with backoff, knowing from the exception whether the attempt may have arrived.
NO_RETRIES = SendPolicy.BACKGROUND

LocaleOfChat = Callable[[int], Awaitable[str]]


async def english(chat_id: int) -> str:
    """For a bot without a database at hand (benchmarks): every chat in English."""
    return DEFAULT_LOCALE


class TelegramTeller:
    def __init__(
        self,
        bot: ExtBot[SendPolicy],
        clock: Clock,
        *,
        timeout: float = BACKGROUND_TIMEOUT,
        locale_of_chat: LocaleOfChat = english,
    ) -> None:
        self._bot = bot
        self._clock = clock
        self._timeout = timeout
        self._locale_of_chat = locale_of_chat

    async def show_card(self, order: Order, *, balance: int | None) -> int:
        with use_locale(await self._locale_of_chat(_chat_of(order))):
            return await self._guard(self._show_card(order, balance))

    async def send_code(self, order: Order) -> int:
        with use_locale(await self._locale_of_chat(_chat_of(order))):
            return await self._send_code(order)

    async def _send_code(self, order: Order) -> int:
        assert order.code is not None
        number = format_phone(order.number) if order.number else None
        copy = copy_button(texts.button_copy_code(), order.code)
        # A new message, not an edit: edits do not notify, and this is the moment to wake the user.
        message = await self._guard(
            self._bot.send_message(
                _chat_of(order),
                texts.code_message(order.code, number, cards.subject(order)),
                reply_markup=InlineKeyboardMarkup([[copy]]) if copy else None,
                read_timeout=self._timeout,
                write_timeout=self._timeout,
                rate_limit_args=NO_RETRIES,
            )
        )
        return message.message_id

    async def send_sms(self, order: Order, sms: StoredSms) -> int:
        with use_locale(await self._locale_of_chat(_chat_of(order))):
            number = format_phone(order.number) if order.number else None
            copy = copy_button(texts.button_copy_code(), sms.code) if sms.code else None
            # Its own message, like a code: this is the moment to wake the renter.
            message = await self._guard(
                self._bot.send_message(
                    _chat_of(order),
                    rental_texts.sms_message(number, sms.text, sms.code),
                    reply_markup=InlineKeyboardMarkup([[copy]]) if copy else None,
                    read_timeout=self._timeout,
                    write_timeout=self._timeout,
                )
            )
            return message.message_id

    async def send_warning(self, order: Order) -> None:
        with use_locale(await self._locale_of_chat(_chat_of(order))):
            ends = gives_up_at(order)
            assert ends is not None, "only a paid order runs out"
            now = datetime.fromtimestamp(self._clock(), UTC)
            number = format_phone(order.number) if order.number else None
            text = texts.expiry_warning(
                order.id, number, cards.subject(order), datetime.fromtimestamp(ends, UTC), now
            )
            keyboard = InlineKeyboardMarkup([[cancel_button(order)]])
            await self._guard(
                self._bot.send_message(
                    _chat_of(order),
                    text,
                    reply_markup=keyboard,
                    read_timeout=self._timeout,
                    write_timeout=self._timeout,
                    rate_limit_args=NO_RETRIES,
                )
            )

    async def remove_message(self, chat_id: int, message_id: int) -> None:
        try:
            await self._bot.delete_message(chat_id, message_id, rate_limit_args=NO_RETRIES)
        except TelegramError as error:
            # Given up at once: the message it removes (a card that moved, a paid invoice) is
            # outdated but harmless, and the user has the new one already.
            log.debug("Could not delete message %d in %d: %s", message_id, chat_id, error)

    async def placement_lost(self, placement: InFlightPlacement) -> None:
        with use_locale(await self._locale_of_chat(placement.chat_id)):
            button = cards.CARDS[placement.kind].start_over()
            keyboard = InlineKeyboardMarkup([[button]]) if button is not None else None
            await self._edit_placement(placement, texts.placement_lost(), keyboard)

    async def placement_recovered(self, placement: InFlightPlacement, order: Order) -> None:
        with use_locale(await self._locale_of_chat(placement.chat_id)):
            text = cards.CARDS[order.kind].created(order)
            await self._edit_placement(placement, text, None)

    async def _edit_placement(
        self, placement: InFlightPlacement, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=placement.chat_id,
                message_id=placement.message_id,
                reply_markup=keyboard,
                rate_limit_args=NO_RETRIES,
            )
        except TelegramError as error:
            # Given up at once, at start (before updates are handled, so no retries): the order
            # itself (its card, or nothing to pay) is what matters, and it is told through the
            # outbox; this message only stops saying "creating your order…".
            log.info("Could not tell chat %d about a cut-short placement: %s",
                     placement.chat_id, error)  # fmt: skip

    async def _guard(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramError as error:
            failure = classify(error)
            if failure is Failure.UNREACHABLE:
                raise ChatUnreachable(str(error)) from None
            if failure is Failure.UNKNOWN:
                raise OutcomeUnknown(str(error)) from None
            if failure is Failure.REFUSED:
                raise TellRejected(str(error)) from None
            raise TellFailed(str(error), retry_after=retry_after(error)) from None

    async def _show_card(self, order: Order, balance: int | None) -> int:
        chat_id = _chat_of(order)
        now = datetime.fromtimestamp(self._clock(), UTC)
        wait = self._timeout
        replaces_invoice = order.invoice is not None and order.shown_state in (
            None,
            OrderState.AWAITING_PAYMENT,
        )
        if order.card_message_id is not None and not replaces_invoice:
            card = cards.render(order, now, balance=balance)
            if card.photo is None:
                try:
                    await self._bot.edit_message_text(
                        card.text,
                        chat_id=chat_id,
                        message_id=order.card_message_id,
                        reply_markup=card.keyboard,
                        read_timeout=wait,
                        write_timeout=wait,
                        rate_limit_args=NO_RETRIES,
                    )
                    return order.card_message_id
                except BadRequest as error:
                    if "not modified" in error.message.lower():
                        return order.card_message_id
                    if not _message_gone(error):
                        raise
                    log.info("Order %d: card message is gone; sending a new one", order.id)
        # A new message: the code, if any, follows in its own message, so it is not shown twice.
        card = cards.render(order, now, balance=balance, code_inline=False)
        message: Message
        if card.photo is not None:
            message = await self._bot.send_photo(
                chat_id,
                card.photo,
                caption=card.text,
                reply_markup=card.keyboard,
                read_timeout=wait,
                write_timeout=wait,
                rate_limit_args=NO_RETRIES,
            )
        else:
            # The invoice photo (now paid or void) gives way to a text card; that new message
            # is also what wakes the user when the payment went through.
            message = await self._bot.send_message(
                chat_id,
                card.text,
                reply_markup=card.keyboard,
                read_timeout=wait,
                write_timeout=wait,
                rate_limit_args=NO_RETRIES,
            )
        # The card it replaces (a paid or void invoice) is removed by the tracker, once the new
        # card is recorded: a kill in between must not leave the order with no card at all.
        return message.message_id


def _chat_of(order: Order) -> int:
    # Numbers and codes are private: such an order is only ever told in its buyer's chat.
    return order.user_id if rules_for(order.kind).private else order.chat_id


def _message_gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return "not found" in text or "can't be edited" in text or "no text in the message" in text
