"""Moves orders forward and tells their users, with every step written to the database.

The order of writes is what makes restarts safe: what sms4sats reported is stored first, then
the user is told, then *that* is stored. A bot killed at any moment resumes from the database and
tells each user what they have not been told yet. Telegram has no idempotency key, so the one
window left (a message sent, the process killed before the next write) repeats that one message
rather than losing it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.invoices import decode_invoice
from bot.phones import format_phone
from bot.sms4sats import CreatedOrder, OrderStatus, Sms4SatsClient, Sms4SatsError
from bot.transitions import apply_deadlines, apply_status
from handlers import cards, texts
from storage import ChatStore, Order, OrderKind, OrderState, OrderStore

log = logging.getLogger(__name__)

MAX_POLL_BACKOFF = 60.0


class OrderTracker:
    def __init__(
        self,
        bot: Bot,
        orders: OrderStore,
        chats: ChatStore,
        sms4sats: Sms4SatsClient,
        *,
        poll_interval: float,
        clock: Callable[[], float],
    ) -> None:
        self._bot = bot
        self._orders = orders
        self._chats = chats
        self._sms4sats = sms4sats
        self._poll_interval = poll_interval
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, order_id: int) -> asyncio.Lock:
        """One lock per order, so the poller and a button press never update it at once."""
        lock = self._locks.get(order_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[order_id] = lock
        return lock

    def now(self) -> float:
        return self._clock()

    async def poll(self, order: Order, *, reachable: bool = True) -> Order:
        """Ask sms4sats about one order, store what changed, tell the user."""
        status = None
        if not order.state.is_final:
            try:
                status = await self._sms4sats.order_status(order.remote_id, retry=False)
            except Sms4SatsError as error:
                failures = order.poll_failures + 1
                backoff = min(MAX_POLL_BACKOFF, self._poll_interval * 2 ** min(failures, 10))
                log.warning(
                    "Order %d: status check failed %d time(s) (%s)", order.id, failures, error
                )
                # Nothing is decided on a failed check; whatever the user has not been told
                # yet (from earlier checks) is still delivered below.
                order = await self._orders.update(
                    order.id, poll_failures=failures, next_poll_at=self.now() + backoff
                )
        if status is not None and self._nothing_to_do(order, status):
            # The steady state of most open orders: no lock, no query, no write.
            return order
        async with self.lock(order.id):
            fresh = await self._orders.get(order.id)
            if fresh is None:
                return order
            order = fresh
            if status is not None:
                changes = apply_status(order, status, self.now())
                if order.poll_failures or order.next_poll_at:
                    changes.update(poll_failures=0, next_poll_at=None)
                order = await self._save(order, changes)
                order = await self._save(order, apply_deadlines(order, self.now()))
            return await self._deliver(order, reachable=reachable)

    def _nothing_to_do(self, order: Order, status: OrderStatus) -> bool:
        now = self.now()
        return not (
            apply_status(order, status, now)
            or apply_deadlines(order, now)
            or order.poll_failures
            or order.next_poll_at
            or order.card_outdated
            or order.code_pending
        )

    async def open_order(
        self,
        created: CreatedOrder,
        *,
        kind: OrderKind,
        user_id: int,
        chat_id: int,
        amount: int,
        origin_message_id: int | None = None,
        **details: Any,
    ) -> Order:
        """Store an order sms4sats just created. From here on the poller owns it, even if the
        process dies before its invoice is shown; `deliver` shows it."""
        invoice = decode_invoice(created.payreq) if created.invoice else None
        order = await self._orders.create(
            remote_id=created.order_id,
            kind=kind,
            user_id=user_id,
            chat_id=chat_id,
            # The invoice's own amount is what the user pays; the quote is only a fallback.
            amount_sats=invoice.amount_sats if invoice and invoice.amount_sats else amount,
            invoice=created.invoice,
            invoice_expires_at=invoice.expires_at.timestamp() if invoice else None,
            paid_from_balance=created.paid_from_balance,
            origin_message_id=origin_message_id,
            **details,
        )
        log.info("Order %d (%s) created; paid from balance: %s", order.id, kind,
                 created.paid_from_balance)  # fmt: skip
        return order

    async def record(self, order: Order, changes: dict[str, Any]) -> Order:
        """Store `changes` and tell the user; the caller holds `lock(order.id)`."""
        order = await self._save(order, changes)
        return await self._deliver(order, reachable=True)

    async def deliver(self, order: Order) -> Order:
        async with self.lock(order.id):
            fresh = await self._orders.get(order.id)
            return await self._deliver(fresh or order, reachable=True)

    async def repost(self, order: Order) -> Order:
        """Send the order's card again at the bottom of the chat; the old one is removed."""
        async with self.lock(order.id):
            order = await self._orders.get(order.id) or order
            old_card = order.card_message_id
            order = await self._orders.update(order.id, card_message_id=None, shown_state=None)
            order = await self._deliver(order, reachable=True)
            if old_card is not None and order.card_message_id not in (None, old_card):
                await self._delete_quietly(order.chat_id, old_card)
            return order

    async def _save(self, order: Order, changes: dict[str, Any]) -> Order:
        if not changes:
            return order
        if "state" in changes:
            log.info("Order %d: %s -> %s", order.id, order.state, changes["state"])
        return await self._orders.update(order.id, **changes)

    async def _deliver(self, order: Order, *, reachable: bool) -> Order:
        if not reachable:
            # The user blocked the bot or removed it: stop writing, but finish the bookkeeping.
            if order.state.is_final:
                order = await self._orders.update(order.id, closed_at=self.now())
            return order
        try:
            if order.card_outdated:
                order = await self._show_card(order)
            if order.code_pending:
                order = await self._send_code(order)
        except Forbidden as error:
            log.info("Chat %d cannot be reached (%s); notifications stop", order.chat_id, error)
            await self._chats.set_chat_status(order.chat_id, _chat_type(order.chat_id), "kicked")
            return await self._deliver(order, reachable=False)
        except TelegramError as error:
            # Flood waits, timeouts, Telegram trouble: the next poll tries again.
            log.warning("Order %d: could not notify chat %d: %s", order.id, order.chat_id, error)
            return order
        if order.state.is_final and not order.card_outdated and not order.code_pending:
            order = await self._orders.update(order.id, closed_at=self.now())
        return order

    async def _show_card(self, order: Order) -> Order:
        now = datetime.fromtimestamp(self.now(), UTC)
        card = cards.render(order, now, balance=await self._balance_after_top_up(order))
        shown = {"shown_state": order.state, "shown_number": order.number}
        if card.photo is not None:
            message = await self._bot.send_photo(
                order.chat_id, card.photo, caption=card.text, reply_markup=card.keyboard
            )
            return await self._orders.update(order.id, card_message_id=message.message_id, **shown)
        replaces_invoice = order.invoice is not None and order.shown_state in (
            None,
            OrderState.AWAITING_PAYMENT,
        )
        if order.card_message_id is not None and not replaces_invoice:
            try:
                await self._bot.edit_message_text(
                    card.text,
                    chat_id=order.chat_id,
                    message_id=order.card_message_id,
                    reply_markup=card.keyboard,
                )
                return await self._orders.update(order.id, **shown)
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return await self._orders.update(order.id, **shown)
                if not _message_gone(error):
                    raise
                log.info("Order %d: card message is gone; sending a new one", order.id)
        # A new message: the invoice photo (now paid or void) gives way to a text card, and that
        # new message is also what wakes the user when the payment went through.
        old_card = order.card_message_id
        message = await self._bot.send_message(order.chat_id, card.text, reply_markup=card.keyboard)
        order = await self._orders.update(order.id, card_message_id=message.message_id, **shown)
        if old_card is not None and replaces_invoice:
            await self._delete_quietly(order.chat_id, old_card)
        return order

    async def _balance_after_top_up(self, order: Order) -> int | None:
        if order.kind is not OrderKind.FUND or order.state is not OrderState.COMPLETED:
            return None
        try:
            return await self._sms4sats.balance()
        except Sms4SatsError as error:
            log.warning("Order %d: could not read the new balance: %s", order.id, error)
            return None

    async def _send_code(self, order: Order) -> Order:
        assert order.code is not None
        number = format_phone(order.number) if order.number else None
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.BUTTON_COPY_CODE, copy_text=CopyTextButton(order.code))]]
        )
        # A new message, not an edit: edits do not notify, and this is the moment to wake the user.
        message = await self._bot.send_message(
            order.chat_id,
            texts.code_message(order.code, number, cards.subject(order)),
            reply_markup=keyboard,
        )
        return await self._orders.update(order.id, code_message_id=message.message_id)

    async def _delete_quietly(self, chat_id: int, message_id: int) -> None:
        try:
            await self._bot.delete_message(chat_id, message_id)
        except TelegramError as error:
            log.debug("Could not delete message %d in %d: %s", message_id, chat_id, error)


def _message_gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return "not found" in text or "can't be edited" in text or "no text in the message" in text


def _chat_type(chat_id: int) -> str:
    return "private" if chat_id > 0 else "group"
