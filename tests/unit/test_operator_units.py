"""The operator's view without the network: the reporter's grouping and scrubbing, the median."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.error_reports import GATHER_SECONDS, WINDOW_SECONDS, ErrorLogBridge, ErrorReporter
from bot.domain.orders import OrderKind, OrderState
from handlers.ui import cards, texts
from handlers.ui.i18n import use_locale
from storage import Database, OrderStore, SqliteDatabase, StatsStore

TOKEN = "123456:ABC-secret_token"
INVOICE = "lnbc37u1p4sy6zepp5w9paekvx9csppy70rqurlafun8z60lxcwlzgxzgeqjdwsd5qk8ps"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_reports_are_scrubbed_gathered_and_rate_limited() -> None:
    clock = Clock()
    reporter = ErrorReporter(clock, (TOKEN, "api-key"))
    error = RuntimeError(f"GET /bot{TOKEN}/x failed for LIGHTNING:{INVOICE.upper()} api-key")
    for order_id in range(1, 9):
        reporter.record(
            error, origin="background", detail="bot.core.engine.poller", order_id=order_id
        )
    assert reporter.due() == []  # still gathering its siblings
    clock.now += GATHER_SECONDS
    (report,) = reporter.due()
    assert report.count == 8 and report.order_ids == (1, 2, 3, 4, 5)
    assert TOKEN not in report.message and "api-key" not in report.message
    assert INVOICE.lower() not in report.message.lower() and "[invoice]" in report.message
    # Within the window the same error waits; another type does not.
    reporter.record(error, origin="background", detail="bot.core.engine.poller")
    reporter.record(KeyError("x"), origin="command", detail="/orders")
    clock.now += GATHER_SECONDS
    assert [r.error_type for r in reporter.due()] == ["KeyError"]
    clock.now += WINDOW_SECONDS
    (late,) = reporter.due()
    assert late.error_type == "RuntimeError" and late.count == 1


def test_the_log_bridge_takes_only_the_bots_own_errors() -> None:
    clock = Clock()
    reporter = ErrorReporter(clock, ())
    bridge = ErrorLogBridge(reporter)
    logger = logging.getLogger("bot.core.engine.poller")
    logger.addHandler(bridge)
    library = logging.getLogger("telegram.ext.Updater")
    library.addHandler(bridge)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("Order %d: check failed", 42)
            library.exception("Network trouble")
        logger.error("Order %d: no exception, no report", 43)
    finally:
        logger.removeHandler(bridge)
        library.removeHandler(bridge)
    clock.now += GATHER_SECONDS
    (report,) = reporter.due()
    assert (report.error_type, report.order_ids, report.detail) == (
        "ValueError", (42,), "bot.core.engine.poller"
    )  # fmt: skip


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database: Database = await SqliteDatabase.open(tmp_path / "bot.db")
    yield database
    await database.close()


@pytest.mark.parametrize(("waits", "median"), [((30, 90, 600), 90), ((30, 90, 150, 600), 120)])
async def test_median_time_to_code(
    database: Database, waits: tuple[int, ...], median: float
) -> None:
    clock = Clock()
    orders = OrderStore(database, clock)
    for i, wait in enumerate(waits):
        order = await orders.create(
            remote_id=f"r{i}", kind=OrderKind.RECEIVE, user_id=1, chat_id=1, amount_sats=1000,
            invoice="lnbc1", invoice_expires_at=None,
        )  # fmt: skip
        paid = clock.now + 10
        await orders.update(
            order.id, state=OrderState.COMPLETED, paid_at=paid, code_at=paid + wait, code="1"
        )
    stats = await StatsStore(database).stats(None)
    assert stats.median_seconds_to_code == median
    assert (await StatsStore(database).stats(clock.now + 1)).median_seconds_to_code is None


async def test_rentals_are_sales_from_their_number_on_in_the_report_and_the_chart(
    database: Database,
) -> None:
    """A running rental is delivered (not refunded once its number came), so a sale; the
    report's lines and the chart's per-day figures agree on it."""
    clock = Clock()
    orders = OrderStore(database, clock)
    made = [
        (OrderKind.RECEIVE, OrderState.COMPLETED, 3000, False),
        (OrderKind.RENTAL, OrderState.NUMBER, 1368, False),  # running
        (OrderKind.RENTAL, OrderState.COMPLETED, 2000, False),  # ended
        (OrderKind.RENTAL, OrderState.NUMBER, 5000, True),  # paid from the prepaid balance
        (OrderKind.RENTAL, OrderState.NO_NUMBER, 900, False),  # refunded
        (OrderKind.RENTAL, OrderState.PAID, 700, False),  # its number not here yet
    ]
    for i, (kind, state, amount, from_balance) in enumerate(made):
        order = await orders.create(
            remote_id=f"r{i}", kind=kind, user_id=1, chat_id=1, amount_sats=amount,
            invoice=None if from_balance else "lnbc1", invoice_expires_at=None,
            paid_from_balance=from_balance,
        )  # fmt: skip
        await orders.update(order.id, state=state, paid_at=clock.now)
    store = StatsStore(database)
    with use_locale("en"):
        report = texts.stats_report(await store.stats(None), "all", None, cards.CARDS)
    assert "Orders: 1 number · 0 SMS · 0 top-ups · 5 rentals\n" in report
    assert (
        "Outcomes: 1 code delivered · 3 rented numbers delivered · 1 no number · 1 still open\n"
    ) in report
    sales = 3000 + 1368 + 2000
    assert f"Sales: <b>{sales:,} sats</b> from 3 completed orders paid by invoice" in report
    assert "Paid from the prepaid balance: 5,000 sats" in report
    assert "Conversion: invoices paid 5/5 (100%) · codes per number paid 1/1 (100%)\n" in report
    rows = await store.per_day(None)
    assert len({row.day for row in rows}) == 1
    # The chart's "Delivered" holds the running and the ended rental, with the report's sales.
    assert {row.state: (row.orders, row.sats) for row in rows} == {
        OrderState.COMPLETED: (4, sales),
        OrderState.NO_NUMBER: (1, 0),
        OrderState.PAID: (1, 0),
    }
