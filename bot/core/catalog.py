"""What sms4sats offers, as the pickers and the confirmation read it: through the stock board's
caches (stock a minute, prices ten), so paging through a picker does not refetch."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from bot.core.stock import StockBoard
from bot.sms4sats import RentalCountry, Service, Sms4SatsClient

K = TypeVar("K")
V = TypeVar("V")

SEND_PRICE_TTL = 120.0
# Rental offers (countries, weeks, prices) change slowly; each rental is priced by its invoice.
RENTALS_TTL = 180.0
# The only rental service the bot offers: sms4sats' "full rental access" (any service).
RENTAL_SERVICE = "full"


class TtlCache(Generic[K, V]):
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = await load()
        self._entries[key] = (now + self._ttl, value)
        if len(self._entries) > 1024:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
        return value


class Catalog:
    def __init__(self, sms4sats: Sms4SatsClient, board: StockBoard) -> None:
        self._sms4sats = sms4sats
        self.board = board
        self._send_price: TtlCache[str, int | None] = TtlCache(SEND_PRICE_TTL)
        self._rentals: TtlCache[str, list[RentalCountry]] = TtlCache(RENTALS_TTL)

    async def listed(self, country: int) -> list[Service]:
        """Every service sms4sats lists for the country (counts of 0 included); a stale
        listing will do (the service-first picker)."""
        return await self.board.listed(country, stale_ok=True)

    def known_listing(self, country: int) -> list[Service] | None:
        """The country's last known listing if recent, without asking sms4sats."""
        return self.board.known_listing(country)

    def countries_with(self, service: str) -> list[tuple[int, int]]:
        """(country, count) of every country known (recently) to have the service in stock."""
        return self.board.countries_with(service)

    def known_price(self, country: int, service: str) -> int | None:
        return self.board.known_price(country, service)

    async def prices_for_page(self, service: str, countries: Sequence[int]) -> dict[int, int]:
        """The prices of the service in these countries, within the page's time budget."""
        return await self.board.prices_for_page(service, countries)

    async def services(self, country: int) -> list[Service]:
        """The services with numbers in the country now (a count of 0 is not offered)."""
        return await self.board.in_stock(country)

    async def service(self, country: int, code: str) -> Service | None:
        return next((s for s in await self.services(country) if s.code == code), None)

    async def receive_price(self, country: int, service: str) -> int | None:
        return await self.board.price(country, service)

    async def send_price(self) -> int | None:
        async def load() -> int | None:
            return (await self._sms4sats.get_price()).send

        return await self._send_price.get("send", load)

    async def rental_countries(self) -> list[RentalCountry]:
        """The countries with numbers to rent (full access), each with its weeks and price."""
        return await self._rentals.get(
            RENTAL_SERVICE, lambda: self._sms4sats.get_rental_countries(RENTAL_SERVICE)
        )

    async def rental_country(self, code: int) -> RentalCountry | None:
        return next((r for r in await self.rental_countries() if r.code == code), None)
