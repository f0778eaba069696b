"""Placing an order from a confirmation: the one money path, for every kind.

Invariants, tested once for all kinds:
- one order per confirmation message: a double tap waits for the first and finds its order;
- the intent is written before sms4sats is asked, and nothing that can fail stands between
  sms4sats creating the order and the bot storing it; a crash in between leaves the intent,
  which the next start resolves (`unfinished`);
- a person cannot open more unpaid invoices, or more orders an hour, than the limits allow;
- numbers and codes are private: a receive order is never placed from a group.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from bot.core.engine.keyed_locks import KeyedLocks
from bot.core.engine.tracker import OrderTracker
from bot.domain.clock import Clock
from bot.domain.in_flight import InFlightPlacement
from bot.domain.kinds import rules_for
from bot.domain.orders import Order, OrderKind
from bot.sms4sats import CreatedOrder, Sms4SatsClient, Sms4SatsError
from storage import OrderStore, PlacementStore

log = logging.getLogger(__name__)

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Where an order is placed from: the confirmation message, in its chat, by its person."""

    chat_id: int
    user_id: int
    message_id: int | None
    private: bool


class OrderRequest(ABC):
    kind: ClassVar[OrderKind]
    amount: int

    def creates_invoice(self) -> bool:
        """Whether placing it opens an invoice (counted against the unpaid-invoice limit)."""
        return True

    @abstractmethod
    async def create(self, sms4sats: Sms4SatsClient) -> CreatedOrder:
        """Ask sms4sats to create the order (never retried: it would create two)."""

    def columns(self) -> dict[str, Any]:
        """What the order row records beyond the common columns."""
        return {}


@dataclass(frozen=True, slots=True)
class ReceiveRequest(OrderRequest):
    kind: ClassVar[OrderKind] = OrderKind.RECEIVE
    country: int
    service: str
    amount: int
    country_name: str | None = None
    service_name: str | None = None
    real_phone: bool = False
    """A real SIM from the sms4sats network (`realphone`)."""

    async def create(self, sms4sats: Sms4SatsClient) -> CreatedOrder:
        if self.real_phone:
            return await sms4sats.create_order(self.country, self.service, real_phone=True)
        return await sms4sats.create_order(self.country, self.service)

    def columns(self) -> dict[str, Any]:
        return {
            "country_code": self.country,
            "country_name": self.country_name,
            "service_code": self.service,
            "service_name": self.service_name or self.service,
            "real_phone": self.real_phone,
        }


@dataclass(frozen=True, slots=True)
class RentalRequest(OrderRequest):
    """A number rented for `weeks` in `country` (the `cc` of getRentalCountries)."""

    kind: ClassVar[OrderKind] = OrderKind.RENTAL
    country: int
    weeks: int
    amount: int
    service: str
    """sms4sats' rental service: "full" (full rental access, any service)."""
    country_name: str | None = None

    async def create(self, sms4sats: Sms4SatsClient) -> CreatedOrder:
        return await sms4sats.create_order(self.country, self.service, rental=True)

    def columns(self) -> dict[str, Any]:
        return {
            "country_code": self.country,
            "country_name": self.country_name,
            "service_code": self.service,
            "service_name": self.service,
            "rental_weeks": self.weeks,
        }


@dataclass(frozen=True, slots=True)
class SendRequest(OrderRequest):
    kind: ClassVar[OrderKind] = OrderKind.SEND
    phone: str
    message: str
    amount: int
    from_balance: bool = False

    def creates_invoice(self) -> bool:
        return not self.from_balance

    async def create(self, sms4sats: Sms4SatsClient) -> CreatedOrder:
        return await sms4sats.create_send_order(
            self.phone, self.message, immediate=self.from_balance
        )

    def columns(self) -> dict[str, Any]:
        return {"phone": self.phone, "message": self.message}


@dataclass(frozen=True, slots=True)
class FundRequest(OrderRequest):
    kind: ClassVar[OrderKind] = OrderKind.FUND
    amount: int

    async def create(self, sms4sats: Sms4SatsClient) -> CreatedOrder:
        return await sms4sats.fund(self.amount)


class Refusal(StrEnum):
    PRIVATE_ONLY = "private_only"
    TOO_MANY_UNPAID = "too_many_unpaid"
    TOO_MANY_PER_HOUR = "too_many_per_hour"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, slots=True)
class Placed:
    order: Order
    new: bool
    """False when the confirmation had placed this order before (a double tap)."""


@dataclass(frozen=True, slots=True)
class Refused:
    refusal: Refusal
    limit: int = 0


@dataclass(frozen=True, slots=True)
class Failed:
    error: Sms4SatsError


Outcome = Placed | Refused | Failed


@dataclass(frozen=True, slots=True)
class Limits:
    unpaid_invoices: int = 3
    orders_per_hour: int = 20


@dataclass(slots=True)
class OrderPlacement:
    orders: OrderStore
    placements: PlacementStore
    sms4sats: Sms4SatsClient
    tracker: OrderTracker
    clock: Clock
    limits: Limits = field(default_factory=Limits)
    # One placement per confirmation message at a time: a double tap orders once.
    _locks: KeyedLocks[tuple[int, int]] = field(default_factory=KeyedLocks)

    def _lock(self, chat_id: int, message_id: int) -> asyncio.Lock:
        return self._locks((chat_id, message_id))

    async def place(self, confirmation: Confirmation, request: OrderRequest) -> Outcome:
        if rules_for(request.kind).private and not confirmation.private:
            return Refused(Refusal.PRIVATE_ONLY)
        chat_id, message_id = confirmation.chat_id, confirmation.message_id
        if message_id is None:
            return await self._place(confirmation, request)
        # Double taps arrive as two updates; the second waits here and finds the first's order.
        async with self._lock(chat_id, message_id):
            existing = await self.orders.by_origin(chat_id, message_id)
            if existing is not None:
                return Placed(existing, new=False)
            return await self._place(confirmation, request)

    async def _place(self, confirmation: Confirmation, request: OrderRequest) -> Outcome:
        refused = await self._over_limits(confirmation.user_id, request)
        if refused is not None:
            return refused
        message_id = confirmation.message_id
        if message_id is not None and not await self.placements.begin(
            confirmation.chat_id, message_id, confirmation.user_id, request.kind
        ):
            # Another instance, or a run that died mid-way and was not resolved yet.
            return Refused(Refusal.IN_PROGRESS)
        try:
            created = await request.create(self.sms4sats)
        except Sms4SatsError as error:
            if message_id is not None:
                await self.placements.end(confirmation.chat_id, message_id)
            return Failed(error)
        # Nothing between creating the order at sms4sats and storing it: no other calls.
        order = await self.tracker.open_order(
            created,
            kind=request.kind,
            user_id=confirmation.user_id,
            chat_id=confirmation.chat_id,
            amount=request.amount,
            origin_message_id=message_id,
            **request.columns(),
        )
        if message_id is not None:
            await self.placements.end(confirmation.chat_id, message_id)
        return Placed(order, new=True)

    async def _over_limits(self, user_id: int, request: OrderRequest) -> Refused | None:
        limits = self.limits
        if request.creates_invoice() and await self.orders.unpaid_open(user_id) >= (
            limits.unpaid_invoices
        ):
            return Refused(Refusal.TOO_MANY_UNPAID, limits.unpaid_invoices)
        since = self.clock() - HOUR
        if await self.orders.created_since(user_id, since) >= limits.orders_per_hour:
            return Refused(Refusal.TOO_MANY_PER_HOUR, limits.orders_per_hour)
        return None

    async def resolve_unfinished(self) -> list[tuple[InFlightPlacement, Order | None]]:
        """Placements a crash cut short, each with the order it stored (or None), now resolved.

        Called once at start, before updates are handled: the caller tells each person.
        """
        resolved: list[tuple[InFlightPlacement, Order | None]] = []
        for placement in await self.placements.unfinished():
            order = await self.orders.by_origin(placement.chat_id, placement.message_id)
            log.warning(
                "Placement from message %d in chat %d was cut short; order stored: %s",
                placement.message_id, placement.chat_id, order.id if order else "none",
            )  # fmt: skip
            resolved.append((placement, order))
            await self.placements.end(placement.chat_id, placement.message_id)
        return resolved
