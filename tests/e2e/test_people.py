"""Every update's bookkeeping (`People.arrived`) on both databases: one transaction records who
wrote and reads the language the update is answered in; someone who writes again after
blocking the bot is told what they missed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.core.engine.outbox import Outbox
from bot.core.people import Arrival, Languages, People
from bot.domain.orders import Order, OrderKind
from bot.domain.people import Visitor
from bot.domain.telling import Part
from storage import ChatStore, Database, OrderStore, OutboxStore, open_database
from storage.database import Params, Row, Session
from tests.e2e.conftest import BOTH_BACKENDS

ALICE = 501
GROUP = -1001234


class CountingDatabase(Database):
    """The database, counting the statements run on their own and the transactions."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.dialect = database.dialect
        self.alone = 0
        self.transactions = 0

    async def execute(self, sql: str, params: Params = ()) -> int:
        self.alone += 1
        return await self._database.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        self.alone += 1
        return await self._database.insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self.alone += 1
        return await self._database.fetch_all(sql, params)

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        self.transactions += 1
        return self._database.transaction()

    async def ping(self) -> None:
        await self._database.ping()

    async def close(self) -> None:
        await self._database.close()


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[CountingDatabase]:
    database = await open_database(database_target)
    yield CountingDatabase(database)
    await database.close()


async def _never(order_id: int, parts: tuple[Part, ...]) -> Order | None:
    raise AssertionError("nothing is told in these tests: the outbox is not started")


async def _nothing(order: Order) -> None:
    return None


def people_on(database: Database) -> tuple[People, Outbox, ChatStore, OrderStore]:
    chats, orders = ChatStore(database, time.time), OrderStore(database, time.time)
    outbox = Outbox(_never, _nothing, OutboxStore(database, time.time), orders, chats, time.time)
    return People(chats, orders, outbox), outbox, chats, orders


def private(language_code: str | None = "de") -> Arrival:
    visitor = Visitor(ALICE, "Alice", "alice", language_code)
    return Arrival(ALICE, "private", private=True, visitor=visitor, membership_change=False)


@BOTH_BACKENDS
async def test_an_update_costs_one_transaction(database: CountingDatabase) -> None:
    people, _, chats, _ = people_on(database)
    assert await people.arrived(private()) == Languages(None, "de")
    assert (database.transactions, database.alone) == (1, 0)
    assert await chats.chat_status(ALICE) == "member"
    assert await chats.languages(ALICE) == (None, "de")
    await people.choose_language(ALICE, "ru")
    database.transactions = database.alone = 0
    # The chosen language wins over the app's; the update's own language_code is the freshest.
    assert await people.arrived(private("es")) == Languages("ru", "es")
    assert (database.transactions, database.alone) == (1, 0)


@BOTH_BACKENDS
async def test_a_group_speaks_its_admins_choice(database: CountingDatabase) -> None:
    people, _, _, _ = people_on(database)
    visitor = Visitor(ALICE, "Alice", None, "de")
    arrival = Arrival(GROUP, "supergroup", private=False, visitor=visitor, membership_change=False)
    assert await people.arrived(arrival) == Languages(None, None)
    await people.choose_group_language(GROUP, "supergroup", "pt_BR")
    assert await people.arrived(arrival) == Languages("pt_BR", None)
    assert await people.languages(arrival) == Languages("pt_BR", None)


@BOTH_BACKENDS
async def test_an_update_without_a_person_records_nothing(database: CountingDatabase) -> None:
    people, _, chats, _ = people_on(database)
    nobody = Arrival(GROUP, "channel", private=False, visitor=None, membership_change=False)
    assert await people.arrived(nobody) == Languages(None, None)
    assert database.transactions == 0 and database.alone == 1  # the language, read
    assert await chats.chat_status(GROUP) is None


@BOTH_BACKENDS
async def test_writing_again_after_a_block_tells_what_was_missed(
    database: CountingDatabase,
) -> None:
    people, outbox, chats, orders = people_on(database)
    await people.arrived(private())
    order = await orders.create(
        remote_id="r-1", kind=OrderKind.RECEIVE, user_id=ALICE, chat_id=ALICE,
        amount_sats=3700, invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    # The bot was blocked meanwhile, and the code came: nobody could be told.
    await people.membership_changed(ALICE, "private", "kicked", None, rejoined=False)
    await orders.update(order.id, code="4242", code_at=time.time())
    # The membership update of the block itself records nothing about reachability.
    blocked = Arrival(ALICE, "private", private=True, visitor=private().visitor,
                      membership_change=True)  # fmt: skip
    await people.arrived(blocked)
    assert await chats.chat_status(ALICE) == "kicked" and outbox.pending == 0
    await people.arrived(private())
    assert await chats.chat_status(ALICE) == "member"
    assert outbox.pending > 0
    told = outbox.pending
    await people.arrived(private())  # reachable before: nothing more is queued
    assert outbox.pending == told


@BOTH_BACKENDS
async def test_an_update_without_a_chat_speaks_the_persons_language(
    database: CountingDatabase,
) -> None:
    """An inline query has a person but no chat: answered in their language, nothing recorded."""
    people, _, chats, _ = people_on(database)
    await people.arrived(private())
    await people.choose_language(ALICE, "es")
    database.transactions = database.alone = 0
    chatless = Arrival(None, None, private=False, visitor=private("de").visitor,
                       membership_change=False)  # fmt: skip
    assert await people.arrived(chatless) == Languages("es", "de")
    assert database.transactions == 0
    bot = Visitor(ALICE + 1, "Bot", "a_bot", "ru", is_bot=True)
    from_a_bot = Arrival(GROUP, "group", private=False, visitor=bot, membership_change=False)
    assert await people.arrived(from_a_bot) == Languages(None, None)
    assert database.transactions == 0 and await chats.languages(ALICE + 1) == (None, None)
