"""Several instances on one PostgreSQL database share the work: each order is checked by one
instance at a time, each message is sent once, a person's updates are handled one after the
other wherever they arrive, Telegram's budget is split, and a SIGKILLed instance's orders and
messages are taken over."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from bot.core.engine.cluster import BEATS_PER_LEASE, LEASE_INTERVALS, MIN_LEASE, Cluster
from bot.core.engine.outbox import Outbox
from bot.core.engine.send_budget import OVERALL_PER_SECOND, SendBudget
from bot.domain.orders import Order, OrderKind
from bot.domain.telling import OutboxEntry, Part, Priority
from bot.wiring.app import build_application
from bot.wiring.services import services_of
from handlers.context import AnyApplication
from handlers.sequencing import PersonSequencer
from storage import (
    ChatStore,
    Database,
    InstanceStore,
    OrderStore,
    OutboxStore,
    open_database,
)
from storage.postgres import PostgresDatabase
from tests.e2e.conftest import POLL_INTERVAL, Stack
from tests.e2e.flows import eventually
from tests.e2e.postgres import PostgresForTests
from tests.e2e.test_outbox import Seeded, seed_in
from tests.e2e.test_restart import ROOT

POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"])


class StepClock:
    """A clock only the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def database(postgres: PostgresForTests) -> AsyncIterator[Database]:
    database = await open_database(postgres.new_database())
    try:
        yield database
    finally:
        await database.close()


def two_instances(database: Database, clock: StepClock) -> tuple[Cluster, Cluster]:
    store = InstanceStore(database)
    return tuple(  # type: ignore[return-value]
        Cluster(store, clock, poll_interval=1.0, instance_id=name) for name in ("a", "b")
    )


async def never_tell(order_id: int, parts: tuple[Part, ...]) -> Order | None:
    raise AssertionError("this outbox is not started")


async def never_close(order: Order) -> Order:
    raise AssertionError("this outbox is not started")


async def test_live_instances_split_the_budget_and_the_chats(database: Database) -> None:
    clock = StepClock()
    a, b = two_instances(database, clock)
    budget = SendBudget()
    Outbox(
        never_tell, never_close, OutboxStore(database, clock), OrderStore(database, clock),
        ChatStore(database, clock), clock, budget=budget, cluster=a,
    )  # fmt: skip
    await a.beat()
    assert (a.size, a.share) == (1, 1.0)
    assert budget.overall_per_second == OVERALL_PER_SECOND

    await b.beat()
    await a.beat()
    assert a.size == b.size == 2
    assert a.share == b.share == 0.5
    assert budget.overall_per_second == OVERALL_PER_SECOND / 2
    assert {a.rank, b.rank} == {0, 1}
    # Every chat is served by exactly one of them.
    assert all(a.serves(chat) != b.serves(chat) for chat in range(-100, 100))

    # b stops beating (killed): once its lease runs out, a has the whole budget again.
    clock.now += a.lease / 2
    await a.beat()
    assert a.size == 2
    clock.now += a.lease / 2 + 0.01
    await a.beat()
    assert (a.size, budget.overall_per_second) == (1, OVERALL_PER_SECOND)
    assert all(a.serves(chat) for chat in range(-100, 100))

    # b comes back; a clean stop hands its share back at once.
    await b.beat()
    await a.beat()
    assert budget.overall_per_second == OVERALL_PER_SECOND / 2
    await b.close()
    await a.beat()
    assert budget.overall_per_second == OVERALL_PER_SECOND


async def test_an_order_is_leased_to_one_instance_at_a_time(database: Database) -> None:
    clock = StepClock()
    a, b = two_instances(database, clock)
    await a.beat()
    await b.beat()
    assert await a.claim_checks([1, 2, 3]) == {1, 2, 3}
    assert await b.claim_checks([2, 3, 4]) == {4}
    assert await a.claim_checks([1, 2, 3]) == {1, 2, 3}  # its own, renewed

    # Claims racing for the same orders: never one order to both.
    ids = range(10, 60)
    rounds = await asyncio.gather(*(c.claim_checks(ids) for c in (a, b, a, b, a, b)))
    got_a = set().union(*rounds[0::2])
    got_b = set().union(*rounds[1::2])
    assert not got_a & got_b
    assert got_a | got_b == set(ids)

    # a's heartbeat keeps its leases; b's run out when b stops beating.
    for _ in range(4):
        clock.now += a.lease / 2
        await a.beat()
    assert await b.claim_checks([1]) == set()
    assert await a.claim_checks([4]) == {4}

    # Handed back: the other takes them at once.
    await a.release_checks([1, 2])
    await b.beat()
    assert await b.claim_checks([1, 2, 3]) == {1, 2}


async def test_an_outbox_row_is_held_by_one_instance(database: Database) -> None:
    clock = StepClock()
    store = OutboxStore(database, clock)
    entry = OutboxEntry(1, Part.CODE, 42, Priority.CODE, clock.now)
    assert await store.put_claimed(entry, "a", clock.now + 1)
    assert not await store.put_claimed(entry, "b", clock.now + 1)  # merged, still a's
    assert await store.claim_free("b", clock.now + 1, instances=1, rank=0) == []
    assert not await store.hold(1, Part.CODE, "b", clock.now + 1)
    assert await store.hold(1, Part.CODE, "a", clock.now + 1)

    # a dies: its claim runs out and b takes the row over; a, should it wake, sends nothing.
    clock.now += 1.5
    assert await store.claim_free("b", clock.now + 1, instances=1, rank=0) == [entry]
    assert not await store.hold(1, Part.CODE, "a", clock.now + 1)
    await store.remove_claimed(1, Part.CODE, "a")  # not a's any more: stays
    assert await store.pending() == [entry]
    await store.remove_claimed(1, Part.CODE, "b")
    assert await store.pending() == []

    # Free rows go by chat to the instance serving it.
    other = OutboxEntry(2, Part.CARD, -1003, Priority.WAITED_FOR, clock.now)
    await store.put(other)
    assert await store.claim_free("a", clock.now + 1, instances=2, rank=0) == []
    assert await store.claim_free("b", clock.now + 1, instances=2, rank=1) == [other]


async def test_a_persons_updates_are_handled_in_turn_across_instances(
    postgres: PostgresForTests,
) -> None:
    url = postgres.new_database()
    first, second = await open_database(url), await open_database(url)
    assert isinstance(first, PostgresDatabase) and isinstance(second, PostgresDatabase)
    locks = [first.person_locks(), second.person_locks()]
    sequencers = [PersonSequencer(), PersonSequencer()]
    for sequencer, lock in zip(sequencers, locks, strict=True):
        sequencer.share_with(lock.hold)
    spans: dict[str, tuple[float, float]] = {}

    async def handle(name: str) -> None:
        started = time.monotonic()
        await asyncio.sleep(0.3)
        spans[name] = (started, time.monotonic())

    def later(delay: float, run: Awaitable[None]) -> Awaitable[None]:
        async def go() -> None:
            await asyncio.sleep(delay)
            await run

        return go()

    try:
        await asyncio.gather(
            sequencers[0].do_process_update(update(1, 501), handle("send")),
            # The same person's next update reaches the other instance meanwhile...
            later(0.05, sequencers[1].do_process_update(update(2, 501), handle("phone"))),
            # ...while someone else's is handled there at once.
            later(0.05, sequencers[1].do_process_update(update(3, 502), handle("other"))),
        )
    finally:
        for lock in locks:
            await lock.close()
        await first.close()
        await second.close()
    assert spans["phone"][0] >= spans["send"][1]
    assert spans["other"][0] < spans["send"][1]


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, f"User{user_id}", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime_now(), chat, from_user=user, text="hello")
    return Update(update_id, message=message)


def datetime_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@asynccontextmanager
async def another_instance(stack: Stack) -> AsyncIterator[AnyApplication]:
    """A second bot on the stack's database. It takes no updates itself (one getUpdates per
    token): behind a webhook, Telegram would spread them over the instances."""
    application = build_application(stack.settings, clock=stack.clock)
    await application.initialize()
    assert application.post_init is not None and application.post_shutdown is not None
    await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)


USERS = (20001, 20002, 20003, 20004, 20005, 20006)


async def seed_users(stack: Stack, per_user: int, store: OrderStore) -> list[Seeded]:
    seeded = []
    for user in USERS:
        # The chat must be open: a bot cannot write first.
        await stack.ask(user, "/start", "Phone numbers")
        seeded += await seed_in(store, stack, user, per_user)
    return seeded


def code_of(seeded: Seeded) -> str:
    return f"9{seeded.order_id:04d}"


async def codes_sent(stack: Stack, orders: list[Seeded]) -> Counter[str]:
    """How many code messages went out with each order's code."""
    texts = [
        str(call["params"].get("text", ""))
        for call in await stack.telegram.calls()
        if call.get("ok") and call["method"] == "sendMessage"
    ]
    codes = [code_of(seeded) for seeded in orders]
    told = [text for text in texts if text.startswith("🔑")]
    return Counter(code for text in told for code in codes if code in text)


@POSTGRES_ONLY
async def test_two_instances_check_each_order_once_and_tell_each_code_once(
    stack: Stack,
) -> None:
    orders = await seed_users(stack, 2, stack.services.orders)
    sandbox = stack.sms4sats_sandbox.state
    for seeded in orders:
        sandbox.pay(seeded.remote_id)
        sandbox.assign_number(seeded.remote_id)
    async with another_instance(stack) as second:
        instances = [stack.services, services_of(second)]

        async def both_live() -> bool:
            return all(s.engine.cluster.size == 2 for s in instances)

        await eventually(both_live)

        async def numbers_told() -> bool:
            stored = [await stack.services.orders.get(s.order_id) for s in orders]
            return all(o is not None and o.number and not o.untold for o in stored)

        try:
            await eventually(numbers_told, timeout=60)
        except TimeoutError:
            # Seen about once in four full runs on a loaded 2-core machine: say what was stuck.
            stored = [await stack.services.orders.get(s.order_id) for s in orders]
            raise AssertionError(
                {
                    "untold": [
                        (o.id, o.chat_id, o.state, o.number, o.untold)
                        for o in stored
                        if o and (not o.number or o.untold)
                    ],
                    "instances": [
                        (s.engine.cluster.size, s.engine.cluster.rank, s.outbox.pending)
                        for s in instances
                    ],
                    "outbox": await stack.services.database.fetch_all("SELECT * FROM outbox"),
                    "leases": await stack.services.database.fetch_all("SELECT * FROM check_leases"),
                }
            ) from None

        # A window of orders waiting for their codes: each is checked about once an interval,
        # by one instance, and both instances do their part.
        checks_before = [s.poller.checks for s in instances]
        mark = len(stack.sms4sats_sandbox.requests)
        window = 15 * POLL_INTERVAL
        await asyncio.sleep(window)
        log = stack.sms4sats_sandbox.requests[mark:]
        per_order = Counter(
            r["query"].get("orderId") for r in log if r["path"].endswith("/orderstatus")
        )
        intervals = window / POLL_INTERVAL
        for seeded in orders:
            # Never twice an interval; at least every other one on a loaded machine.
            assert 0.5 * intervals <= per_order[seeded.remote_id] <= intervals + 2, per_order
        mean = sum(per_order[s.remote_id] for s in orders) / len(orders) / intervals
        print(f"checks per order per interval, two instances: {mean:.2f}")
        after = [s.poller.checks for s in instances]
        assert all(a > b for a, b in zip(after, checks_before, strict=True))

        for seeded in orders:
            sandbox.deliver_code(seeded.remote_id, code_of(seeded))

        async def all_codes_sent() -> bool:
            return set(await codes_sent(stack, orders)) >= {code_of(s) for s in orders}

        await eventually(all_codes_sent, timeout=30)
        await asyncio.sleep(5 * POLL_INTERVAL)  # more checks and tells: nothing twice
    assert await codes_sent(stack, orders) == Counter({code_of(s): 1 for s in orders})


@asynccontextmanager
async def bot_process(
    stack: Stack, database_url: str, log_file: Path
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A real `python -m bot` on the stack's stand-ins, its log in `log_file`."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": stack.settings.telegram_token,
        "TELEGRAM_API_URL": stack.settings.telegram_api_url,
        "SMS4SATS_API_URL": stack.settings.sms4sats_api_url,
        "DATABASE_URL": database_url,
        "POLL_INTERVAL": str(POLL_INTERVAL),
        "LOG_LEVEL": "INFO",
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                await asyncio.to_thread(process.wait, 10)


async def live_instances(database: Database) -> list[dict[str, Any]]:
    lease = max(LEASE_INTERVALS * POLL_INTERVAL, MIN_LEASE)
    return await database.fetch_all(
        "SELECT id, pid FROM instances WHERE last_seen >= ? ORDER BY id", (time.time() - lease,)
    )


async def messages_to(stack: Stack, chats: set[int]) -> int:
    return sum(
        1
        for call in await stack.telegram.calls()
        if call.get("ok")
        and call["method"] in ("sendMessage", "editMessageText")
        and int(call["params"].get("chat_id", 0)) in chats
    )


@POSTGRES_ONLY
async def test_a_killed_instance_hands_its_orders_and_messages_over(
    stack: Stack, tmp_path: Path
) -> None:
    url = stack.settings.postgres_url
    assert url is not None
    orders = await seed_users(stack, 3, stack.services.orders)
    await stack.stop_bot()
    sandbox = stack.sms4sats_sandbox.state
    for seeded in orders:
        sandbox.pay(seeded.remote_id)
        sandbox.assign_number(seeded.remote_id)
    # Two of each person's three codes are there from the start: with a message a second per
    # chat, the outbox is full when the kill comes. The third arrives after it: its order must
    # be checked by the survivor.
    early, late = orders[0::3] + orders[1::3], orders[2::3]
    for seeded in early:
        sandbox.deliver_code(seeded.remote_id, code_of(seeded))

    database = await open_database(url)
    try:
        async with (
            bot_process(stack, url, tmp_path / "first.log") as first,
            bot_process(stack, url, tmp_path / "second.log"),
        ):

            async def both_live() -> bool:
                return len(await live_instances(database)) == 2

            await eventually(both_live, timeout=30)

            async def some_codes_told() -> bool:
                return sum((await codes_sent(stack, orders)).values()) >= 3

            await eventually(some_codes_told, timeout=30)
            live = await live_instances(database)
            rank = [row["pid"] for row in live].index(first.pid)
            its_chats = {chat for chat in USERS if chat % len(live) == rank}
            first.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            await asyncio.to_thread(first.wait, 10)
            for seeded in late:
                sandbox.deliver_code(seeded.remote_id, code_of(seeded))
            chat_of = {seeded.order_id: USERS[i // 3] for i, seeded in enumerate(orders)}
            its_late = [s.order_id for s in late if chat_of[s.order_id] in its_chats]
            # What the killed instance had on its way to Telegram has landed by now, and the
            # survivor cannot write to those chats before the lease runs out.
            await asyncio.sleep(0.5)
            before = await messages_to(stack, its_chats)

            async def checked() -> bool:
                # Codes that reached sms4sats after the kill, in its chats: the survivor
                # checked those orders.
                rows = await database.fetch_all(
                    "SELECT code FROM orders WHERE id = ANY(?)", (its_late,)
                )
                return any(row["code"] for row in rows)

            async def told() -> bool:
                return await messages_to(stack, its_chats) > before

            await eventually(checked, timeout=10)
            checks_taken_over = time.monotonic() - killed_at
            await eventually(told, timeout=10)
            messages_taken_over = time.monotonic() - killed_at

            async def all_codes_sent() -> bool:
                return set(await codes_sent(stack, orders)) >= {code_of(s) for s in orders}

            await eventually(all_codes_sent, timeout=60)
            await asyncio.sleep(5 * POLL_INTERVAL)  # more checks and tells: nothing twice
    finally:
        await database.close()
    sent = await codes_sent(stack, orders)
    assert set(sent) == {code_of(s) for s in orders}
    # Once each, but for the one repeat the design allows a kill: a code the killed instance
    # had on its way (counted, maybe delivered, not yet recorded) is sent again by the
    # survivor. The outbox sends one message at a time per chat, so that is at most one code
    # per chat of the killed instance, and none in the survivor's own chats.
    repeated = {code for code, times in sent.items() if times > 1}
    assert all(sent[code] == 2 for code in repeated), sent
    chat_of_code = {code_of(s): USERS[i // 3] for i, s in enumerate(orders)}
    repeated_chats = [chat_of_code[code] for code in repeated]
    assert set(repeated_chats) <= its_chats and len(repeated_chats) == len(set(repeated_chats))
    # The lease runs out, the survivor's next heartbeat sees it, and within two intervals
    # after that the killed instance's chats hear from it (some slack for a loaded machine).
    lease = max(LEASE_INTERVALS * POLL_INTERVAL, MIN_LEASE)
    bound = lease + lease / BEATS_PER_LEASE + 2 * POLL_INTERVAL + 0.5
    assert checks_taken_over <= bound, checks_taken_over
    assert messages_taken_over <= bound, messages_taken_over
    print(
        f"after SIGKILL (lease {lease}s): checks taken over in {checks_taken_over:.2f}s, "
        f"messages in {messages_taken_over:.2f}s"
    )


async def test_a_code_is_sent_by_one_instance_even_when_both_see_it_pending(
    database: Database,
) -> None:
    clock = StepClock()
    store = OrderStore(database, clock)
    order = await store.create(
        remote_id="r1", kind=OrderKind.RECEIVE, user_id=1, chat_id=1, amount_sats=100,
        invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    # Both instances read the order before either counted its attempt: one may send.
    counted = await asyncio.gather(store.count_code_send(order), store.count_code_send(order))
    assert sorted(c is None for c in counted) == [False, True]
    again = await store.get(order.id)
    assert again is not None and again.code_sends == 1
    assert await store.count_code_send(again) is not None  # the one allowed repeat


async def test_the_expiry_warning_is_marked_sent_once(database: Database) -> None:
    store = OrderStore(database, time.time)
    order = await store.create(
        remote_id="r1", kind=OrderKind.RECEIVE, user_id=1, chat_id=1, amount_sats=100,
        invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    # Two tellers (two instances, or a press and the outbox) hold the same unwarned copy.
    marked = await asyncio.gather(store.mark_warned(order), store.mark_warned(order))
    assert sorted(m is None for m in marked) == [False, True]
