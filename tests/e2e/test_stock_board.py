"""The stock board and its pacer against the sms4sats sandbox over real HTTP: caching, shared
requests, counts of 0, the page budget, the background refresh's order, people before it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.core.pacer import RequestPacer
from bot.core.stock import PRICE_TTL, STOCK_TTL, StockBoard
from bot.domain.countries import AUTO_SELECT, popular_countries
from bot.sms4sats import Sms4SatsClient
from sandbox.sms4sats import SandboxControl, Sms4SatsSandbox, run_sms4sats_sandbox

GERMANY = 43


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def sandbox() -> AsyncIterator[Sms4SatsSandbox]:
    async with run_sms4sats_sandbox() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _board(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, clock: Clock, rate: float = 50.0
) -> StockBoard:
    client = Sms4SatsClient(http, sandbox.url, backoff=0.01)
    return StockBoard(client, RequestPacer(rate), clock, page_budget=0.3)


def _count(sandbox: Sms4SatsSandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests if r["path"] == path)


async def test_stock_is_shared_and_fresh_for_a_minute(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    clock = Clock()
    board = _board(sandbox, http, clock)
    first, second = await asyncio.gather(board.listed(GERMANY), board.listed(GERMANY))
    assert first == second and _count(sandbox, "/getnumbersstatus") == 1  # one request for both
    clock.now += STOCK_TTL - 1
    await board.listed(GERMANY)
    assert _count(sandbox, "/getnumbersstatus") == 1
    clock.now += 2
    await board.listed(GERMANY)
    assert _count(sandbox, "/getnumbersstatus") == 2
    await board.close()


async def test_a_count_of_zero_is_not_in_stock(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    await SandboxControl(sandbox.url, http).set_stock(GERMANY, "vi", 0, listed=True)
    board = _board(sandbox, http, Clock())
    listed = await board.listed(GERMANY)
    assert any(s.code == "vi" and s.count == 0 for s in listed)
    assert all(s.code != "vi" for s in await board.in_stock(GERMANY))
    assert GERMANY not in dict(board.countries_with("vi"))
    assert GERMANY in dict(board.countries_with("tg"))
    await board.close()


async def test_prices_are_cached_for_ten_minutes(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    await SandboxControl(sandbox.url, http).set_price(GERMANY, "wa", 1700)
    clock = Clock()
    board = _board(sandbox, http, clock)
    assert board.known_price(GERMANY, "wa") is None
    assert await board.price(GERMANY, "wa") == 1700
    clock.now += PRICE_TTL - 1
    assert board.known_price(GERMANY, "wa") == 1700
    clock.now += 2
    assert board.known_price(GERMANY, "wa") is None
    await board.close()


async def test_a_page_waits_at_most_its_budget_and_the_rest_lands_later(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    board = _board(sandbox, http, Clock(), rate=4.0)  # 12 prices take 3 s at this rate
    countries = [c.code for c in popular_countries() if c.code != AUTO_SELECT][:12]
    started = time.monotonic()
    known = await board.prices_for_page("tg", countries)
    assert time.monotonic() - started < 1.0  # the budget (0.3 s), not the 3 s
    assert 0 < len(known) < len(countries)

    async def all_known() -> bool:
        return all(board.known_price(c, "tg") for c in countries)

    async with asyncio.timeout(10):
        while not await all_known():
            await asyncio.sleep(0.05)
    assert _count(sandbox, "/price") == len(countries)  # each asked once, none dropped
    await board.close()


async def test_the_background_refresh_starts_with_the_popular_countries(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    clock = Clock()
    board = _board(sandbox, http, clock)
    popular = [c.code for c in popular_countries()]
    for _ in popular:
        assert await board.refresh_next() == 0.0
    asked = [int(r["query"]["country"]) for r in sandbox.requests]
    assert asked == popular  # Auto-Select first, then the popular ones, in picker order
    # Then the popular services' prices in the popular countries, then every other country.
    await board.refresh_next()
    assert sandbox.requests[-1]["path"] == "/price"
    while sandbox.requests[-1]["path"] == "/price":
        await board.refresh_next()
    assert _count(sandbox, "/price") > 100  # 13 services in most of 13 countries
    assert _count(sandbox, "/getnumbersstatus") == len(popular) + 1
    # Everything fresh: nothing is due until the popular countries' minute is over.
    while await board.refresh_next() == 0.0:
        pass
    assert 0 < await board.refresh_next() <= STOCK_TTL
    await board.close()


async def test_people_go_before_the_background() -> None:
    pacer = RequestPacer(rate=20.0)
    order: list[str] = []

    async def take(name: str, background: bool) -> None:
        await pacer.slot(background=background)
        order.append(name)

    await pacer.slot()  # the next slot is 50 ms away now: everyone below waits
    await asyncio.gather(
        take("refresh", True), take("alice", False), take("bob", False), take("carol", False)
    )
    assert order == ["alice", "bob", "carol", "refresh"]
    assert pacer.granted == 5
