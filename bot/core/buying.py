"""Buying a number (for one code) and renting one: the confirmation's checks and the order.

A confirmation is placed once (a second tap shows its order), only while it is fresh and only at
the price it showed: an old or changed one is shown again instead, at today's price.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.core.catalog import RENTAL_SERVICE, Catalog
from bot.core.engine.tracker import OrderTracker
from bot.core.placement import (
    Confirmation,
    OrderPlacement,
    Outcome,
    ReceiveRequest,
    RentalRequest,
)
from bot.domain.clock import Clock
from bot.domain.countries import country_by_code
from bot.domain.kinds import rules_for
from bot.domain.kinds.rental import FAST_POLL_FOR, ended
from bot.domain.sms4sats_terms import RentalCountry, Service, Sms4SatsError
from storage import OrderStore

# A confirmation older than this is shown again (prices and stock move) before it buys.
CONFIRMATION_MAX_AGE = 15 * 60


class Recheck(Enum):
    """The confirmation is shown again instead of placing it."""

    STALE = "stale"
    PRICE_CHANGED = "price-changed"
    GONE = "gone"
    """A rental country no longer offered."""


@dataclass(frozen=True, slots=True)
class Go:
    """Place it. `fresh`: nothing was placed from this confirmation yet (a second tap is not
    fresh: placing then shows the order it placed)."""

    fresh: bool
    rental: RentalCountry | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    service: Service
    price: int
    real_phone_offered: bool


class NoOffer(Enum):
    SERVICE_GONE = "service-gone"
    NO_PRICE = "no-price"


class Expecting(Enum):
    NOT_FOUND = "not-found"
    ENDED = "ended"
    EXPECTING = "expecting"


class BuyDesk:
    def __init__(
        self,
        orders: OrderStore,
        catalog: Catalog,
        placement: OrderPlacement,
        tracker: OrderTracker,
        clock: Clock,
        *,
        real_phone: bool,
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._placement = placement
        self._tracker = tracker
        self._clock = clock
        self.real_phone = real_phone
        """Whether real SIMs are offered (a setting)."""

    async def offer(self, country: int, service_code: str) -> Offer | NoOffer:
        """What the confirmation shows. Raises Sms4SatsError when sms4sats cannot be asked."""
        service = await self._catalog.service(country, service_code)
        if service is None:
            return NoOffer.SERVICE_GONE
        price = await self._catalog.receive_price(country, service_code)
        if not price:
            return NoOffer.NO_PRICE
        return Offer(service, price, self.real_phone)

    async def _checked(self, where: Confirmation, shown_at: float) -> Go | Recheck:
        assert where.message_id is not None
        if await self._orders.by_origin(where.chat_id, where.message_id) is not None:
            return Go(fresh=False)
        if self._clock() - shown_at > CONFIRMATION_MAX_AGE:
            return Recheck.STALE
        return Go(fresh=True)

    async def check_number(
        self, where: Confirmation, shown_at: float, country: int, service: str, price: int
    ) -> Go | Recheck:
        """Whether the confirmation (shown at `shown_at`, at `price`) may buy now."""
        checked = await self._checked(where, shown_at)
        if not isinstance(checked, Go) or not checked.fresh:
            return checked
        try:
            now = await self._catalog.receive_price(country, service)
        except Sms4SatsError:
            now = price  # the confirmation is fresh; sms4sats will price the invoice
        if now and now != price:
            return Recheck.PRICE_CHANGED
        return checked

    async def buy_number(
        self, where: Confirmation, country: int, service: str, price: int, *, real_sim: bool
    ) -> Outcome:
        known = country_by_code(country)
        try:
            listed = await self._catalog.service(country, service)
        except Sms4SatsError:
            listed = None  # only its display name is missing; the code is what sms4sats needs
        request = ReceiveRequest(
            country=country,
            service=service,
            amount=price,
            country_name=known.name if known else None,
            service_name=listed.name if listed else None,
            real_phone=real_sim,
        )
        return await self._placement.place(where, request)

    async def check_rental(
        self, where: Confirmation, shown_at: float, country: int, weeks: int, price: int
    ) -> Go | Recheck:
        checked = await self._checked(where, shown_at)
        if not isinstance(checked, Go) or not checked.fresh:
            return checked
        try:
            rental = await self._catalog.rental_country(country)
        except Sms4SatsError:
            return checked  # the confirmation is fresh; sms4sats prices the invoice itself
        if rental is None:
            return Recheck.GONE
        if (rental.weeks, rental.price) != (weeks, price):
            return Recheck.PRICE_CHANGED
        return Go(fresh=True, rental=rental)

    async def rent(
        self, where: Confirmation, country: int, weeks: int, price: int, checked: Go
    ) -> Outcome:
        known = country_by_code(country)
        rental = checked.rental
        request = RentalRequest(
            country=country,
            weeks=weeks,
            amount=price,
            service=RENTAL_SERVICE,
            country_name=known.name if known else (rental.name if rental else None),
        )
        return await self._placement.place(where, request)

    async def expect_sms(self, user_id: int, order_id: int) -> Expecting:
        """ "I'm expecting an SMS": the rental is checked every poll interval for a while (and
        now, with `look_now`, once the person has their answer)."""
        order = await self._orders.get(order_id)
        if order is None or order.user_id != user_id:
            return Expecting.NOT_FOUND
        if not rules_for(order.kind).faster_checks_on_request:
            # Its card never offers the button: a forged or mistaken press finds nothing to do.
            return Expecting.NOT_FOUND
        now = self._clock()
        if ended(order, now):
            return Expecting.ENDED
        async with self._tracker.lock(order.id):
            await self._orders.update(order.id, fast_poll_until=now + FAST_POLL_FOR)
        return Expecting.EXPECTING

    async def look_now(self, order_id: int) -> None:
        """The order checked with sms4sats now (and what changed told)."""
        order = await self._orders.get(order_id)
        if order is not None:
            await self._tracker.poll(order)
