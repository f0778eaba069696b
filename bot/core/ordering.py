"""A person's own orders: the list, one order shown or checked now, cancelling and withdrawing.

Each method is one use case; it returns what came of it (the dataclasses below) and the
Telegram layer puts that into words. An order that does not exist and someone else's order
come back the same (`NOT_YOURS`): a forged button learns nothing about other people's orders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from bot.core.engine.tracker import OrderTracker
from bot.domain.clock import Clock
from bot.domain.kinds import rules_for
from bot.domain.kinds.receive import cancel_possible_from
from bot.domain.orders import Order, OrderState
from bot.domain.sms4sats_terms import Sms4SatsError
from bot.sms4sats import Sms4SatsClient
from storage import OrderStore

log = logging.getLogger(__name__)


class Refusal(Enum):
    NOT_YOURS = "not-yours"
    ALREADY_CANCELLED = "already-cancelled"
    NOT_POSSIBLE = "not-possible"


NOT_YOURS = Refusal.NOT_YOURS


@dataclass(frozen=True, slots=True)
class OrdersPage:
    total: int
    page: int
    """The page asked for, within the pages there are."""
    orders: list[Order]


@dataclass(frozen=True, slots=True)
class OpenOrders:
    """A person's orders that have not ended, newest first, as of `now`."""

    orders: list[Order]
    now: float


@dataclass(frozen=True, slots=True)
class Reposted:
    """An open order: its live card moved to the bottom of the chat."""


@dataclass(frozen=True, slots=True)
class Shown:
    """An order that has ended, to show as it is, as of `now`."""

    order: Order
    now: float


@dataclass(frozen=True, slots=True)
class Looked:
    """An order looked at now: `trouble` when sms4sats could not be asked."""

    order: Order
    trouble: bool


@dataclass(frozen=True, slots=True)
class Cancelled:
    paid: bool
    """A paid order is refunded; an unpaid one only ends."""


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """An unpaid SMS or top-up invoice, forgotten here (sms4sats cannot cancel it)."""


@dataclass(frozen=True, slots=True)
class TooEarly:
    """sms4sats takes a cancel only from `cancel_from` on (seconds since the epoch)."""

    cancel_from: float
    now: float


@dataclass(frozen=True, slots=True)
class CancelRefused:
    """sms4sats said no (or could not be asked); the order has been looked at again since,
    since a refusal may mean it moved on (a code came)."""

    error: Sms4SatsError


CancelOutcome = Cancelled | Withdrawn | TooEarly | CancelRefused | Refusal


class OrderDesk:
    def __init__(
        self, orders: OrderStore, tracker: OrderTracker, sms4sats: Sms4SatsClient, clock: Clock
    ) -> None:
        self._orders = orders
        self._tracker = tracker
        self._sms4sats = sms4sats
        self._clock = clock

    async def page(self, user_id: int, page: int, per_page: int) -> OrdersPage:
        """The person's orders, newest first, `per_page` at a time."""
        total = await self._orders.count_for_user(user_id)
        if total == 0:
            return OrdersPage(0, 0, [])
        page = min(max(page, 0), (total - 1) // per_page)
        orders = await self._orders.for_user(user_id, limit=per_page, offset=page * per_page)
        return OrdersPage(total, page, orders)

    async def open_orders(self, chat_id: int, user_id: int) -> OpenOrders:
        """What /cancel offers: the person's open orders in the chat."""
        return OpenOrders(await self._orders.open_for_person(chat_id, user_id), self._clock())

    async def tell(self, order_id: int) -> None:
        """The order's card and news, shown now (after placing it)."""
        await self._tracker.tell(order_id)

    async def _own(self, user_id: int, order_id: int) -> Order | None:
        order = await self._orders.get(order_id)
        return order if order is not None and order.user_id == user_id else None

    async def show(self, user_id: int, order_id: int) -> Reposted | Shown | Refusal:
        order = await self._own(user_id, order_id)
        if order is None:
            return NOT_YOURS
        if order.closed_at is None and not order.state.is_final:
            # An open order's card moves to the bottom of the chat and stays live there.
            await self._tracker.repost(order)
            return Reposted()
        return Shown(order, self._clock())

    async def look_now(self, user_id: int, order_id: int) -> Looked | Refusal:
        """The order's state, asked of sms4sats now if it is still open."""
        order = await self._own(user_id, order_id)
        if order is None:
            return NOT_YOURS
        if order.closed_at is None and not order.state.is_final:
            before = order.poll_failures
            order = await self._tracker.poll(order)
            return Looked(order, trouble=order.poll_failures > before)
        return Looked(order, trouble=False)

    async def cancel(self, user_id: int, order_id: int) -> CancelOutcome:
        """Cancel the order at sms4sats (a paid one is refunded), or withdraw an unpaid
        invoice sms4sats cannot cancel. Under the order's state lock: a check that sees a
        code meanwhile and this cancel never both win."""
        order = await self._own(user_id, order_id)
        if order is None:
            return NOT_YOURS
        if not rules_for(order.kind).cancellable and order.state is OrderState.AWAITING_PAYMENT:
            return await self._withdraw(order)
        async with self._tracker.lock(order.id):
            order = await self._orders.get(order.id) or order
            if order.state is OrderState.CANCELLED:
                return Refusal.ALREADY_CANCELLED
            if not rules_for(order.kind).cancellable or order.state.is_final:
                return Refusal.NOT_POSSIBLE
            now = self._clock()
            cancel_from = cancel_possible_from(order)
            if cancel_from and now < cancel_from:
                return TooEarly(cancel_from, now)
            try:
                await self._sms4sats.cancel_order(order.remote_id)
            except Sms4SatsError as error:
                log.info("Order %d: cancel refused: %s", order.id, error.reason or error)
                refused = CancelRefused(error)
            else:
                await self._tracker.record(order, {"state": OrderState.CANCELLED})
                return Cancelled(paid=order.paid_at is not None)
        await self._tracker.poll(order)
        return refused

    async def _withdraw(self, order: Order) -> Withdrawn | Refusal:
        """After one last look that it was not paid meanwhile."""
        order = await self._tracker.check(order)
        async with self._tracker.lock(order.id):
            order = await self._orders.get(order.id) or order
            if order.state is not OrderState.AWAITING_PAYMENT:
                return Refusal.NOT_POSSIBLE
            await self._tracker.record(order, {"state": OrderState.CANCELLED})
        return Withdrawn()
