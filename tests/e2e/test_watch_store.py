"""Watches in the database, on SQLite and PostgreSQL: the limit per person, the day they last,
and exactly one teller when several instances share the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.watches import MAX_WATCHES, WATCH_LASTS
from storage import Database, WatchStore, open_database
from tests.e2e.conftest import BOTH_BACKENDS

ALICE, BOB = 10001, 10002


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    yield database
    await database.close()


async def _add(store: WatchStore, user: int, service: str, country: int = 43) -> bool | None:
    return await store.add(user, user, country, service, None, WATCH_LASTS, MAX_WATCHES)


@BOTH_BACKENDS
async def test_at_most_five_per_person_and_again_renews(database: Database) -> None:
    clock = Clock()
    store = WatchStore(database, clock)
    for service in ("tg", "wa", "go", "ig", "fb"):
        assert await _add(store, ALICE, service) is True
    assert await _add(store, ALICE, "vi") is None  # the sixth
    assert await _add(store, BOB, "vi") is True  # someone else's count is their own
    clock.now += 3600
    assert await _add(store, ALICE, "tg") is False  # the same again: its day starts anew
    [renewed] = [w for w in await store.for_user(ALICE) if w.service_code == "tg"]
    assert renewed.expires_at == clock.now + WATCH_LASTS


@BOTH_BACKENDS
async def test_a_watch_ends_after_its_day(database: Database) -> None:
    clock = Clock()
    store = WatchStore(database, clock)
    await _add(store, ALICE, "vi")
    clock.now += WATCH_LASTS - 1
    assert len(await store.active()) == 1
    clock.now += 1
    assert await store.active() == []
    assert await store.for_user(ALICE) == []
    assert await store.end_expired() == 1
    # An ended watch no longer counts against the limit.
    assert await _add(store, ALICE, "vi") is True


@BOTH_BACKENDS
async def test_one_instance_tells_each_watch(database_target: Path | str) -> None:
    # Two instances, each with its own connection to the one database, race for every watch.
    clock = Clock()
    first, second = await open_database(database_target), await open_database(database_target)
    try:
        one, other = WatchStore(first, clock), WatchStore(second, clock)
        for user in range(20):
            await _add(one, 20000 + user, "vi")
        watches = await one.active()
        claims = await asyncio.gather(
            *(store.claim(w.id) for w in watches for store in (one, other))
        )
        assert sum(claims) == len(watches)  # each told once, by one of them
        assert await other.active() == []
        # A telling that failed for now gives the watch back; a told one is gone.
        await one.release(watches[0].id)
        assert [w.id for w in await other.active()] == [watches[0].id]
        await other.done(watches[0].id)
        assert not await one.claim(watches[0].id)
    finally:
        await first.close()
        await second.close()
