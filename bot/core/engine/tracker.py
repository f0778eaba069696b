"""Moves orders forward and tells their users, with every step written to the database.

The order of writes is what makes restarts safe: what sms4sats reported is stored first, then
the user is told, then *that* is stored. A bot killed at any moment resumes from the database and
tells each user what they have not been told yet. Telegram has no idempotency key, so the one
window left (a message sent, the process killed before the next write) repeats that message
rather than losing it.

What the user waits for (the code, the warning) is never given up because Telegram is in
trouble. An attempt that certainly failed (`TellFailed`: an HTTP error, a 429, a refused
connection) costs nothing: it is made again, with backoff, until it gets through, the chat is
unreachable, or GIVE_UP_AFTER passes. Only an attempt that may have arrived (a timeout, a kill
mid-send) counts against the cap that keeps a code from being shown more than twice.

Two locks per order. The state lock guards what sms4sats and the user's buttons change (state,
number, code); the tell lock guards what the user was told (card, code message) and is held
across Telegram calls. The two write disjoint columns, so a check never waits for Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Any

from bot.core.engine.keyed_locks import KeyedLocks
from bot.core.engine.teller import (
    ChatUnreachable,
    OutcomeUnknown,
    Teller,
    TellFailed,
    TellRejected,
)
from bot.domain.clock import Clock
from bot.domain.invoices import decode_invoice
from bot.domain.kinds import rules_for
from bot.domain.kinds.rental import FAST_POLL_FOR, RECENT_SMS
from bot.domain.kinds.transitions import apply_deadlines, apply_status
from bot.domain.orders import MAX_CODE_SENDS, Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus
from bot.domain.telling import Part
from bot.sms4sats import CreatedOrder, Sms4SatsClient, Sms4SatsError
from storage import ChatStore, OrderStore, RentalSmsStore
from storage.rental_sms import MAX_SMS_SENDS

log = logging.getLogger(__name__)

# What telling an order covers, in the order it is told: the code before anything else.
ALL_PARTS = (Part.CODE, Part.SMS, Part.CARD, Part.WARNING)

MAX_POLL_BACKOFF = 60.0
# After a send whose outcome is unknown (Telegram took longer than the timeout to answer), wait
# this long, doubling per attempt, before anything else is sent to that order's chat.
UNKNOWN_OUTCOME_WAIT = 10.0
# A code that could not be delivered for this long (Telegram down, far beyond any outage seen)
# is given up: by then it has long expired at the service that sent it, and the card shows it.
GIVE_UP_AFTER = 24 * 3600.0


class OrderTracker:
    def __init__(
        self,
        teller: Teller,
        orders: OrderStore,
        chats: ChatStore,
        sms4sats: Sms4SatsClient,
        *,
        poll_interval: float,
        clock: Clock,
        rental_sms: RentalSmsStore | None = None,
    ) -> None:
        self._teller = teller
        self._orders = orders
        self._chats = chats
        self._sms4sats = sms4sats
        self._poll_interval = poll_interval
        self._clock = clock
        self._rental_sms = rental_sms
        self._locks = KeyedLocks[int]()
        self._tell_locks = KeyedLocks[int]()

    def lock(self, order_id: int) -> asyncio.Lock:
        """One lock per order, so a check and a button press never change its state at once."""
        return self._locks(order_id)

    def _tell_lock(self, order_id: int) -> asyncio.Lock:
        # One tell of an order at a time: two at once could both send its code.
        return self._tell_locks(order_id)

    def now(self) -> float:
        return self._clock()

    async def check(self, order: Order, *, wait: bool = True) -> Order:
        """Ask sms4sats about one order and store what changed; nobody is told here.

        With `wait=False` an order whose state lock is taken (a button press is changing it) is
        left as it is, for the next check: the poller never waits on a person's action."""
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
                # Nothing is decided on a failed check; what the user has not been told yet
                # (from earlier checks) is still told.
                return await self._orders.update(
                    order.id, poll_failures=failures, next_poll_at=self.now() + backoff
                )
        if status is not None and self._nothing_to_do(order, status):
            # The steady state of most open orders: no lock, no query, no write.
            return order
        lock = self.lock(order.id)
        if not wait and lock.locked():
            return order
        async with lock:
            fresh = await self._orders.get(order.id)
            if fresh is None:
                return order
            order = fresh
            if status is not None:
                changes = apply_status(order, status, self.now())
                if order.poll_failures or order.next_poll_at:
                    changes.update(poll_failures=0, next_poll_at=None)
                if "sms_digest" in changes:
                    # The SMS first, then the digest that says they were seen: a kill in
                    # between stores them again (as the same rows), never loses one.
                    await self._store_sms(order, status)
                order = await self._save(order, changes)
                order = await self._save(order, apply_deadlines(order, self.now()))
            return order

    async def poll(self, order: Order) -> Order:
        """Check one order and tell its user at once (a button press waits for this)."""
        order = await self.check(order)
        return await self.tell(order.id) or order

    def _nothing_to_do(self, order: Order, status: OrderStatus) -> bool:
        now = self.now()
        return not (
            apply_status(order, status, now)
            or apply_deadlines(order, now)
            or order.poll_failures
            or order.next_poll_at
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
        process dies before its invoice is shown; `tell` shows it."""
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
        async with self._tell_lock(order.id):
            order = await self._orders.get(order.id) or order
            return await self._tell_locked(order)

    async def tell(self, order_id: int, parts: tuple[Part, ...] = ALL_PARTS) -> Order | None:
        """Tell the order's user whatever they have not been told yet (of `parts`): the code
        first, it is what they wait for; then the card."""
        async with self._tell_lock(order_id):
            order = await self._orders.get(order_id)
            return None if order is None else await self._tell_locked(order, parts)

    async def repost(self, order: Order) -> Order:
        """Send the order's card again at the bottom of the chat; the old one is removed."""
        async with self._tell_lock(order.id):
            order = await self._orders.get(order.id) or order
            old_card = order.card_message_id
            order = await self._orders.update(
                order.id, card_message_id=None, shown_state=None, tell_after=None
            )
            order = await self._tell_locked(order)
            if old_card is not None and order.card_message_id not in (None, old_card):
                await self._teller.remove_message(order.chat_id, old_card)
            return order

    async def close_unreachable(self, order: Order) -> Order:
        """The chat blocked the bot or removed it: stop writing, finish the bookkeeping. What
        was not told stays marked untold, for when the user comes back."""
        if order.state.is_final and order.closed_at is None:
            return await self._orders.update(order.id, closed_at=self.now())
        return order

    async def _store_sms(self, order: Order, status: OrderStatus) -> None:
        """A rental's answer carried SMS: each new one becomes a row, told on its own."""
        received = rules_for(order.kind).messages(status)
        if not received or self._rental_sms is None:
            return
        added = await self._rental_sms.add(
            order.id, received, keep=RECENT_SMS, fast_until=self.now() + FAST_POLL_FOR
        )
        if added:
            log.info("Order %d: %d new SMS", order.id, added)

    async def _tell_sms(self, order: Order) -> Order:
        """Send each SMS of the rental not told yet as its own message, oldest first."""
        store = self._rental_sms
        assert store is not None, "rentals need the SMS store"
        for sms in await store.unsettled(order.id):
            if sms.sends >= MAX_SMS_SENDS or self.now() - sms.stored_at > GIVE_UP_AFTER:
                log.warning("Order %d: SMS %d given up after %d attempt(s)", order.id, sms.id,
                            sms.sends)  # fmt: skip
                await store.give_up(sms)
                continue
            counted = await store.count_send(sms)
            if counted is None:
                continue  # another instance counted an attempt: it is telling this one
            try:
                message_id = await self._teller.send_sms(order, counted)
            except TellFailed:
                # It certainly did not arrive: this attempt does not count.
                await store.uncount_send(counted)
                raise
            await store.told(counted, message_id)
            await store.settle_count(order.id)
        await store.settle_count(order.id)
        return await self._orders.get(order.id) or order

    async def _save(self, order: Order, changes: dict[str, Any]) -> Order:
        if not changes:
            return order
        if "state" in changes:
            log.info("Order %d: %s -> %s", order.id, order.state, changes["state"])
        return await self._orders.update(order.id, **changes)

    async def _tell_locked(self, order: Order, parts: tuple[Part, ...] = ALL_PARTS) -> Order:
        """Tell what is untold of `parts`; the caller holds the order's tell lock.

        Writes only the columns of what was told, with the values it showed (`shown_state` is
        the state rendered, not the state at the time of the write), so a check that changes
        the order meanwhile leaves it untold and asks again."""
        if order.tell_after is not None and self.now() < order.tell_after:
            return order
        attempt: _Attempt | None = None
        try:
            if Part.CODE in parts and order.code_pending:
                if self._code_too_old(order):
                    order = await self._give_up_code(order)
                else:
                    # Counted before the attempt, so that a kill or a timeout mid-send allows
                    # one repeat at most; only if nobody counted one meanwhile: another
                    # instance is sending it.
                    counted = await self._orders.count_code_send(order)
                    if counted is None:
                        return await self._orders.get(order.id) or order
                    order, attempt = counted, _Attempt.CODE
                    message_id = await self._teller.send_code(order)
                    attempt = None
                    order = await self._orders.update(order.id, code_message_id=message_id)
            if Part.SMS in parts and order.sms_pending:
                order = await self._tell_sms(order)
            if Part.CARD in parts and order.card_outdated:
                balance = await self._balance_after_top_up(order)
                old_card = order.card_message_id
                message_id = await self._teller.show_card(order, balance=balance)
                shown = order
                order = await self._orders.update(
                    order.id,
                    card_message_id=message_id,
                    shown_state=shown.state,
                    shown_number=shown.number,
                    shown_sms=shown.sms_count,
                )
                if old_card is not None and message_id != old_card:
                    # Recorded first: a kill here leaves an extra message, never a lost card.
                    await self._teller.remove_message(order.chat_id, old_card)
            if Part.WARNING in parts and order.warning_pending:
                # Written before sending: a kill or a timeout mid-send costs this warning (it
                # may have arrived), never a second one.
                marked = await self._orders.mark_warned(order)
                if marked is not None:
                    order, attempt = marked, _Attempt.WARNING
                    await self._teller.send_warning(order)
                    attempt = None
        except ChatUnreachable:
            # Given up on purpose: the user blocked the bot or left. What was not told stays
            # marked untold, and is told when they come back (`People.arrived`).
            log.info("Chat %d cannot be reached; notifications stop", order.chat_id)
            await self._chats.set_chat_status(
                order.chat_id, "private" if order.chat_id > 0 else "group", "kicked"
            )
            return await self.close_unreachable(order)
        except OutcomeUnknown:
            wait = UNKNOWN_OUTCOME_WAIT * 2 ** max(0, order.code_sends - 1)
            log.warning("Order %d: Telegram's answer timed out; next try in %.0fs", order.id, wait)
            return await self._orders.update(order.id, tell_after=self.now() + wait)
        except TellRejected as error:
            # Telegram refused the message itself: a bug to fix, not weather to wait out. The
            # attempt stays counted, so a code is tried at most twice and the card once per
            # change; the ERROR reaches the admins' error reports.
            log.error("Order %d: Telegram refused a message to chat %d: %s",
                      order.id, order.chat_id, error)  # fmt: skip
            return await self._orders.get(order.id) or order
        except TellFailed as error:
            # It certainly did not arrive: the attempt is not counted, and what is untold stays
            # untold, which the outbox sees and tries again with backoff; not before Telegram's
            # retry_after, when it named one, which holds for anything sent to that chat.
            if attempt is not None:
                order = await self._uncount(order, attempt)
            log.warning("Order %d: could not notify chat %d: %s", order.id, order.chat_id, error)
            if error.retry_after is not None:
                return await self._orders.update(
                    order.id, tell_after=self.now() + error.retry_after
                )
            return order
        if order.tell_after is not None:
            order = await self._orders.update(order.id, tell_after=None)
        if order.state.is_final and not order.untold and order.closed_at is None:
            order = await self._orders.update(order.id, closed_at=self.now())
        return order

    def _code_too_old(self, order: Order) -> bool:
        return order.code_at is not None and self.now() - order.code_at > GIVE_UP_AFTER

    async def _give_up_code(self, order: Order) -> Order:
        # Given up after GIVE_UP_AFTER: Telegram refused every attempt for a day. The card
        # still shows the code once Telegram answers.
        log.warning("Order %d: the code message could not be delivered for %.0f hours; giving up",
                    order.id, GIVE_UP_AFTER / 3600)  # fmt: skip
        return await self._orders.update(order.id, code_sends=MAX_CODE_SENDS)

    async def _uncount(self, order: Order, attempt: _Attempt) -> Order:
        if attempt is _Attempt.CODE:
            return await self._orders.uncount_code_send(order) or order
        return await self._orders.unmark_warned(order) or order

    async def _balance_after_top_up(self, order: Order) -> int | None:
        if not rules_for(order.kind).credits_balance or order.state is not OrderState.COMPLETED:
            return None
        try:
            return await self._sms4sats.balance()
        except Sms4SatsError as error:
            log.warning("Order %d: could not read the new balance: %s", order.id, error)
            return None


class _Attempt(Enum):
    """What was counted before an attempt, to take back if the attempt certainly failed."""

    CODE = "code"
    WARNING = "warning"
