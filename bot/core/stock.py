"""What is in stock where, and at what price: cached, refreshed in the background, paced.

Stock comes from `getnumbersstatus` (one request per country, every service with its count) and
is fresh for a minute; prices come from `/price?country=&service=` (one request per pair) and are
fresh for ten. Both are kept here for everyone: a person paging through a picker, the service
first list of countries, the watches ("tell me when it's back") and the confirmation read the same
entries, so twenty people looking at Germany cost sms4sats one request a minute.

The background refresh keeps the entries people are most likely to need fresh without anyone
waiting for them: the stock of Auto-Select and the popular countries every minute, the prices of
the popular services in the popular countries every ten minutes, and every other country's stock
every ten minutes (in that order when several are due). What a page shows beyond that is fetched
on demand, and a page waits for it at most `page_budget` seconds: what is not known by then is
shown without a price, and the answer lands in the cache for the next page.

Every request passes the shared `RequestPacer` (people first, then the refresh); two callers that
want the same entry share one request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.pacer import RequestPacer
from bot.domain.clock import Clock
from bot.domain.countries import AUTO_SELECT, all_countries, popular_countries
from bot.domain.service_names import POPULAR_SERVICES
from bot.sms4sats import Service, Sms4SatsClient, Sms4SatsError

log = logging.getLogger(__name__)

STOCK_TTL = 60.0
"""Stock changes by the minute; a minute-old list is fresh enough to browse (sms4sats checks the
order itself anyway), and it bounds the watches to one request per country a minute."""
PRICE_TTL = 600.0
"""Prices change rarely; the confirmation re-reads a price older than this before an order."""
OTHER_COUNTRIES_EVERY = 600.0
"""The stock of a country that is not popular is refreshed in the background this often."""
LIST_MAX_AGE = 15 * 60.0
"""The service first list shows countries whose stock is known from within this long: older
entries say nothing, and the list should not flicker as the refresh walks the countries."""
PAGE_BUDGET = 0.7
"""Seconds a page waits for on-demand answers, so that it answers within a second."""
FAILURE_BACKOFF = 30.0
"""After a failed background refresh of an entry, try it again after this long."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Entry(Generic[V]):
    value: V
    fetched_at: float


class _Table(Generic[K, V]):
    """Entries by key with their age, and the one request in flight per key."""

    def __init__(self) -> None:
        self.entries: dict[K, Entry[V]] = {}
        self.failed_at: dict[K, float] = {}
        self._inflight: dict[K, asyncio.Task[V]] = {}

    def fresh(self, key: K, now: float, ttl: float) -> Entry[V] | None:
        entry = self.entries.get(key)
        return entry if entry is not None and now - entry.fetched_at < ttl else None

    def fetch(self, key: K, load: Callable[[], Awaitable[V]], clock: Clock) -> asyncio.Task[V]:
        task = self._inflight.get(key)
        if task is None:

            async def run() -> V:
                try:
                    value = await load()
                except Exception:
                    self.failed_at[key] = clock()
                    raise
                finally:
                    self._inflight.pop(key, None)
                self.entries[key] = Entry(value, clock())
                self.failed_at.pop(key, None)
                return value

            task = asyncio.get_running_loop().create_task(run())
            # A page that stopped waiting leaves the task to finish for the cache; its
            # failure is then nobody's to hear, and must not be logged as unretrieved.
            task.add_done_callback(_quiet)
            self._inflight[key] = task
        return task

    def cancel_all(self) -> list[asyncio.Task[V]]:
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        return tasks


def _quiet(task: asyncio.Task[object]) -> None:
    if not task.cancelled():
        task.exception()


class StockBoard:
    def __init__(
        self,
        sms4sats: Sms4SatsClient,
        pacer: RequestPacer,
        clock: Clock,
        *,
        page_budget: float = PAGE_BUDGET,
        leads: Callable[[], bool] = lambda: True,
    ) -> None:
        self._sms4sats = sms4sats
        # With several instances on one database, one of them refreshes in the background (each
        # one still fetches what its own pages show): sms4sats sees one refresh, not one each.
        self._leads = leads
        self._pacer = pacer
        self._clock = clock
        self._page_budget = page_budget
        self._stock: _Table[int, list[Service]] = _Table()
        self._prices: _Table[tuple[int, str], int | None] = _Table()
        self._refresh: asyncio.Task[None] | None = None

    # --- stock ---------------------------------------------------------------------------------

    async def listed(
        self, country: int, *, background: bool = False, stale_ok: bool = False
    ) -> list[Service]:
        """Every service sms4sats lists for the country, counts of 0 included; fresh or fetched.

        `stale_ok` (a page someone waits for): a listing up to LIST_MAX_AGE old is answered at
        once while a fresh one is fetched for the next look, rather than waiting in the queue.
        """
        now = self._clock()
        entry = self._stock.fresh(country, now, STOCK_TTL)
        if entry is not None:
            return entry.value

        async def load() -> list[Service]:
            await self._pacer.slot(background=background)
            return await self._sms4sats.get_services(country)

        fetching = self._stock.fetch(country, load, self._clock)
        if stale_ok and (stale := self._stock.fresh(country, now, LIST_MAX_AGE)) is not None:
            return stale.value
        return await fetching

    async def in_stock(self, country: int) -> list[Service]:
        """The services that have numbers in the country now: a count of 0 is never offered.
        For a page: a listing a few minutes old answers at once (sms4sats checks the order)."""
        listing = await self.listed(country, stale_ok=True)
        return [service for service in listing if service.count > 0]

    def known_listing(self, country: int, max_age: float = LIST_MAX_AGE) -> list[Service] | None:
        """The country's last known listing if it is recent enough, without asking sms4sats."""
        entry = self._stock.fresh(country, self._clock(), max_age)
        return entry.value if entry is not None else None

    def countries_with(self, service: str) -> list[tuple[int, int]]:
        """(country, count) of every country known (recently) to have the service in stock,
        Auto-Select excluded."""
        found = []
        for country in all_countries():
            if country.code == AUTO_SELECT:
                continue
            listing = self.known_listing(country.code)
            count = next((s.count for s in listing or () if s.code == service), 0)
            if count > 0:
                found.append((country.code, count))
        return found

    # --- prices --------------------------------------------------------------------------------

    async def price(self, country: int, service: str, *, background: bool = False) -> int | None:
        """The receive price in sats, fresh or fetched; None when sms4sats names none."""
        entry = self._prices.fresh((country, service), self._clock(), PRICE_TTL)
        if entry is not None:
            return entry.value
        return await self._prices.fetch(
            (country, service), self._price_loader(country, service, background), self._clock
        )

    def known_price(self, country: int, service: str) -> int | None:
        entry = self._prices.fresh((country, service), self._clock(), PRICE_TTL)
        return entry.value if entry is not None else None

    async def prices_for_page(self, service: str, countries: Sequence[int]) -> dict[int, int]:
        """The prices of the service in these countries, waiting at most the page budget for
        the ones not known yet; those still unknown are left out (and land in the cache)."""
        now = self._clock()
        missing = [c for c in countries if self._prices.fresh((c, service), now, PRICE_TTL) is None]
        tasks = [
            self._prices.fetch((c, service), self._price_loader(c, service, False), self._clock)
            for c in missing
        ]
        if tasks:
            await asyncio.wait(tasks, timeout=self._page_budget)
        known = {}
        for country in countries:
            price = self.known_price(country, service)
            if price:
                known[country] = price
        return known

    def _price_loader(
        self, country: int, service: str, background: bool
    ) -> Callable[[], Awaitable[int | None]]:
        async def load() -> int | None:
            await self._pacer.slot(background=background)
            prices = await self._sms4sats.get_price(country, service)
            return prices.computed_price or prices.receive

        return load

    # --- the background refresh ----------------------------------------------------------------

    def start(self) -> None:
        self._refresh = asyncio.get_running_loop().create_task(self._run(), name="stock-refresh")

    async def close(self) -> None:
        tasks: list[asyncio.Task[object]] = [*self._stock.cancel_all(), *self._prices.cancel_all()]
        if self._refresh is not None:
            self._refresh.cancel()
            tasks.append(self._refresh)
        await asyncio.gather(*tasks, return_exceptions=True)

    def _due(self) -> Iterable[tuple[float, int, Callable[[], Awaitable[object]]]]:
        """(when due, rank, refresh) of everything the background keeps fresh. Among entries
        due at once the rank decides: the popular countries' stock, then the popular services'
        prices there (what most pages show), then every other country's stock."""
        popular = [country.code for country in popular_countries()]  # Auto-Select first
        others = [c.code for c in all_countries() if c.code not in set(popular)]
        rank = 0
        for code in popular:
            rank += 1
            yield self._when(self._stock, code, STOCK_TTL), rank, self._stock_refresher(code)
        for code in popular:
            listing = self.known_listing(code, STOCK_TTL * 2) or []
            stocked = {s.code for s in listing if s.count > 0}
            for service in POPULAR_SERVICES:
                if service in stocked:
                    rank += 1
                    key = (code, service)
                    yield self._when(self._prices, key, PRICE_TTL), rank, self._price_refresher(key)
        for code in others:
            rank += 1
            when = self._when(self._stock, code, OTHER_COUNTRIES_EVERY)
            yield when, rank, self._stock_refresher(code)

    def _when(self, table: _Table[K, V], key: K, every: float) -> float:
        entry = table.entries.get(key)
        due = entry.fetched_at + every if entry is not None else 0.0
        failed = table.failed_at.get(key)
        return max(due, failed + FAILURE_BACKOFF) if failed is not None else due

    def _stock_refresher(self, country: int) -> Callable[[], Awaitable[object]]:
        async def refresh() -> object:
            return await self._stock.fetch(
                country, lambda: self._load_stock_background(country), self._clock
            )

        return refresh

    async def _load_stock_background(self, country: int) -> list[Service]:
        await self._pacer.slot(background=True)
        return await self._sms4sats.get_services(country)

    def _price_refresher(self, key: tuple[int, str]) -> Callable[[], Awaitable[object]]:
        async def refresh() -> object:
            return await self._prices.fetch(
                key, self._price_loader(key[0], key[1], True), self._clock
            )

        return refresh

    async def refresh_next(self) -> float:
        """Refresh the most overdue entry, if one is due; the seconds until the next is due."""
        now = self._clock()
        due, _, refresh = min(self._due(), key=lambda item: (item[0], item[1]))
        if due > now:
            return due - now
        try:
            await refresh()
        except Sms4SatsError as error:
            log.info("Background stock refresh: %s", error)
        return 0.0

    async def _run(self) -> None:
        while True:
            if not self._leads():
                await asyncio.sleep(1.0)
                continue
            try:
                wait = await self.refresh_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Background stock refresh failed")
                wait = FAILURE_BACKOFF
            # Short naps: the clock may be moved (tests) and a due entry must not wait long.
            await asyncio.sleep(min(wait, 1.0) if wait > 0 else 0)
