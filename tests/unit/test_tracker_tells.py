"""The tracker's rule for what the user waits for: an attempt that certainly failed costs
nothing, one that may have arrived counts against a cap of one repeat, and only a day of
failures gives a code up. Against a real database and a teller that fails on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.engine.teller import ChatUnreachable, OutcomeUnknown, TellFailed, TellRejected
from bot.core.engine.tracker import GIVE_UP_AFTER, OrderTracker
from bot.domain.in_flight import InFlightPlacement
from bot.domain.orders import MAX_CODE_SENDS, Order, OrderKind, OrderState
from bot.domain.rental_sms import StoredSms
from bot.domain.telling import Part
from bot.sms4sats import Sms4SatsClient
from handlers.ui.delivery import Failure, classify, retry_after
from storage import ChatStore, OrderStore, open_database

CHAT = 4242


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class FailingTeller:
    """Sends codes and warnings, failing the next attempts with the exceptions queued."""

    def __init__(self) -> None:
        self.failures: list[Exception] = []
        self.codes_sent = 0
        self.warnings_sent = 0
        self.attempts = 0

    def _attempt(self) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)

    async def send_code(self, order: Order) -> int:
        self._attempt()
        self.codes_sent += 1
        return 500 + self.codes_sent

    async def send_warning(self, order: Order) -> None:
        self._attempt()
        self.warnings_sent += 1

    async def send_sms(self, order: Order, sms: StoredSms) -> int:
        raise AssertionError("not used: no rentals here")

    async def show_card(self, order: Order, *, balance: int | None) -> int:
        return order.card_message_id or 100

    async def remove_message(self, chat_id: int, message_id: int) -> None:
        """Nothing to remove: cards are not moved here."""

    async def placement_lost(self, placement: InFlightPlacement) -> None:
        raise AssertionError("not used")

    async def placement_recovered(self, placement: InFlightPlacement, order: Order) -> None:
        raise AssertionError("not used")


Setup = tuple[OrderTracker, OrderStore, FailingTeller, Clock]


@pytest.fixture
async def setup(
    tmp_path: Path,
) -> AsyncIterator[tuple[OrderTracker, OrderStore, FailingTeller, Clock]]:
    database = await open_database(tmp_path / "bot.db")
    clock = Clock()
    orders = OrderStore(database, clock)
    teller = FailingTeller()
    async with httpx.AsyncClient() as http:
        tracker = OrderTracker(
            teller,
            orders,
            ChatStore(database, clock),
            Sms4SatsClient(http, "http://127.0.0.1:9"),
            poll_interval=1.0,
            clock=clock,
        )
        yield tracker, orders, teller, clock
    await database.close()


async def order_with_code(orders: OrderStore, clock: Clock, **extra: Any) -> Order:
    order = await orders.create(
        remote_id="r1", kind=OrderKind.RECEIVE, user_id=CHAT, chat_id=CHAT, amount_sats=3000,
        invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    return await orders.update(
        order.id,
        state=OrderState.COMPLETED,
        number="14155550123",
        code="424242",
        code_at=clock.now,
        shown_state=OrderState.COMPLETED,
        shown_number="14155550123",
        card_message_id=100,
        **extra,
    )


async def test_certain_failures_are_not_counted_and_the_code_gets_through(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    teller.failures = [TellFailed("Internal Server Error") for _ in range(7)]
    for _ in range(7):
        told = await tracker.tell(order.id, (Part.CODE,))
        assert told is not None and told.code_sends == 0 and told.code_pending
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and told.code_message_id == 501 and not told.code_pending
    assert (teller.attempts, teller.codes_sent) == (8, 1)


async def test_a_429_holds_the_order_for_retry_after(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    teller.failures = [TellFailed("Too Many Requests", retry_after=7)]
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and told.tell_after == clock.now + 7 and told.code_sends == 0
    # Nothing is sent before then; after, it goes.
    assert await tracker.tell(order.id, (Part.CODE,)) == told
    clock.now += 7
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and told.code_message_id is not None and told.tell_after is None


async def test_unknown_outcomes_allow_one_repeat(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    teller.failures = [OutcomeUnknown("timed out"), OutcomeUnknown("timed out")]
    for _ in range(MAX_CODE_SENDS):
        told = await tracker.tell(order.id, (Part.CODE,))
        assert told is not None and told.tell_after is not None
        clock.now = told.tell_after
    told = await orders.get(order.id)
    assert told is not None and told.code_sends == MAX_CODE_SENDS and not told.code_pending
    assert teller.attempts == MAX_CODE_SENDS


async def test_a_refused_message_counts_like_an_unknown_outcome(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    teller.failures = [TellRejected("Bad Request: can't parse entities")]
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and told.code_sends == 1


async def test_an_unreachable_chat_stops_the_telling(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    teller.failures = [ChatUnreachable("Forbidden: bot was blocked by the user")]
    await tracker.tell(order.id, (Part.CODE,))
    told = await orders.get(order.id)
    assert told is not None and told.closed_at is not None and told.code_message_id is None


async def test_a_code_is_given_up_only_after_a_day(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await order_with_code(orders, clock)
    clock.now += GIVE_UP_AFTER - 1
    teller.failures = [TellFailed("Bad Gateway")]
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and told.code_pending
    clock.now += 2
    told = await tracker.tell(order.id, (Part.CODE,))
    assert told is not None and not told.code_pending and told.code_message_id is None
    assert teller.attempts == 1


async def test_a_warning_that_certainly_failed_is_sent_later(
    setup: Setup,
) -> None:
    tracker, orders, teller, clock = setup
    order = await orders.create(
        remote_id="r2", kind=OrderKind.RECEIVE, user_id=CHAT, chat_id=CHAT, amount_sats=3000,
        invoice=None, invoice_expires_at=None,
    )  # fmt: skip
    order = await orders.update(
        order.id, state=OrderState.NUMBER, number="14155550123", paid_at=clock.now,
        shown_state=OrderState.NUMBER, shown_number="14155550123", card_message_id=100,
        warn_requested_at=clock.now,
    )  # fmt: skip
    teller.failures = [TellFailed("Internal Server Error"), OutcomeUnknown("timed out")]
    told = await tracker.tell(order.id, (Part.WARNING,))
    assert told is not None and told.warning_pending
    # A timeout may have delivered it: never a second warning after that.
    told = await tracker.tell(order.id, (Part.WARNING,))
    assert told is not None and not told.warning_pending
    assert (teller.attempts, teller.warnings_sent) == (2, 0)


def test_what_a_failed_telegram_call_means() -> None:
    connect = NetworkError("httpx.ConnectError: refused")
    connect.__cause__ = httpx.ConnectError("refused")
    read = NetworkError("httpx.ReadError: reset")
    read.__cause__ = httpx.ReadError("reset")
    read_timeout = TimedOut()
    read_timeout.__cause__ = httpx.ReadTimeout("slow")
    pool_timeout = TimedOut()
    pool_timeout.__cause__ = httpx.PoolTimeout("busy")
    assert classify(NetworkError("Internal Server Error (500)")) is Failure.NOT_SENT
    assert classify(NetworkError("Bad Gateway")) is Failure.NOT_SENT
    assert classify(RetryAfter(3)) is Failure.NOT_SENT and retry_after(RetryAfter(3)) == 3
    assert classify(connect) is Failure.NOT_SENT
    assert classify(pool_timeout) is Failure.NOT_SENT
    assert classify(read_timeout) is Failure.UNKNOWN
    assert classify(read) is Failure.UNKNOWN
    assert classify(BadRequest("Chat not found")) is Failure.UNREACHABLE
    assert classify(Forbidden("bot was blocked by the user")) is Failure.UNREACHABLE
    assert classify(BadRequest("Can't parse entities")) is Failure.REFUSED
    assert retry_after(NetworkError("Bad Gateway")) is None
