"""The /stats chart: its figures per UTC day from the database (both backends), and the PNG
drawn from them in the reader's language."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from bot.domain.orders import OrderKind, OrderState
from bot.domain.stats import DayOutcome
from handlers.ui import i18n
from handlers.ui.stats_chart import HEIGHT_PX, WIDTH_PX, render, today
from handlers.ui.texts.stats_chart import ChartWords, chart_words
from storage import Database, StatsStore, open_database
from tests.e2e.conftest import BOTH_BACKENDS

DAY = 86_400
# 2027-01-15 00:00:00 UTC, a day boundary.
MIDNIGHT = 1_799_971_200.0


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


async def add_order(
    database: Database, created: float, kind: OrderKind, state: OrderState, sats: int,
    from_balance: bool = False,
) -> None:  # fmt: skip
    await database.execute(
        "INSERT INTO orders (remote_id, kind, user_id, chat_id, state, amount_sats, "
        "paid_from_balance, created_at, updated_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?)",
        (f"r{created}-{kind}-{state}-{sats}", kind.value, state.value, sats, int(from_balance),
         created, created),
    )  # fmt: skip


@BOTH_BACKENDS
async def test_orders_and_sales_per_utc_day(database: Database) -> None:
    assert today(MIDNIGHT) == today(MIDNIGHT + DAY - 0.5) == today(MIDNIGHT - 0.5) + 1
    day = today(MIDNIGHT)
    done, unpaid = OrderState.COMPLETED, OrderState.INVOICE_EXPIRED
    await add_order(database, MIDNIGHT - 0.4, OrderKind.RECEIVE, done, 1000)  # the day before
    await add_order(database, MIDNIGHT, OrderKind.RECEIVE, done, 2000)
    await add_order(database, MIDNIGHT + DAY - 0.4, OrderKind.SEND, done, 300)
    await add_order(database, MIDNIGHT + 5, OrderKind.SEND, done, 700, from_balance=True)
    await add_order(database, MIDNIGHT + 6, OrderKind.RECEIVE, unpaid, 5000)
    await add_order(database, MIDNIGHT + 7, OrderKind.FUND, done, 25_000)  # not a sale
    await add_order(database, MIDNIGHT + DAY + 1, OrderKind.RECEIVE, OrderState.NUMBER, 3000)
    # A rental is delivered, and sold, once its number came, running or ended.
    await add_order(database, MIDNIGHT + DAY + 2, OrderKind.RENTAL, OrderState.NUMBER, 1368)
    await add_order(database, MIDNIGHT + DAY + 3, OrderKind.RENTAL, done, 2000)
    await add_order(database, MIDNIGHT + DAY + 4, OrderKind.RENTAL, OrderState.PAID, 700)
    store = StatsStore(database)
    next_day = [
        DayOutcome(day + 1, done, 2, 3368),
        DayOutcome(day + 1, OrderState.NUMBER, 1, 0),
        DayOutcome(day + 1, OrderState.PAID, 1, 0),
    ]
    assert await store.per_day(None) == [
        DayOutcome(day - 1, done, 1, 1000),
        # Sales are what was paid by invoice, as in the report's "Sales" line.
        DayOutcome(day, done, 3, 2300),
        DayOutcome(day, unpaid, 1, 0),
        *next_day,
    ]
    assert await store.per_day(MIDNIGHT + DAY) == next_day


def words_in(locale: str, period: str = "30d") -> ChartWords:
    i18n.load_all()
    with i18n.use_locale(locale):
        return chart_words(period, locale)


def test_the_chart_speaks_the_readers_language() -> None:
    english, russian = words_in("en"), words_in("ru")
    assert english.title == "Numbers and SMS per day, last 30 days (UTC)"
    assert english.outcomes[OrderState.COMPLETED] == "Delivered"
    for locale in ("ru", "es", "pt_BR", "de"):
        other = words_in(locale)
        assert other.title != english.title and other.still_open != english.still_open
        assert set(other.outcomes.values()).isdisjoint(english.outcomes.values())
    assert russian.locale == "ru"


@pytest.mark.parametrize(("days", "period"), [(30, "30d"), (365, "all")])
def test_the_chart_is_a_png_of_the_period(days: int, period: str) -> None:
    last = today(MIDNIGHT)
    rows = [
        DayOutcome(day, state, count, count * 2500 if state is OrderState.COMPLETED else 0)
        for day in range(last - days + 1, last + 1)
        for state, count in ((OrderState.COMPLETED, 3), (OrderState.NO_NUMBER, day % 2),
                             (OrderState.AWAITING_PAYMENT, 1))
        if count
    ]  # fmt: skip
    first = None if period == "all" else last - days + 1
    png = render(rows, first, last, words_in("de", period))
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (WIDTH_PX, HEIGHT_PX))


def test_an_empty_period_still_draws() -> None:
    last = today(MIDNIGHT)
    for first in (last - 6, None):
        png = render([], first, last, words_in("en", "7d"))
        assert Image.open(io.BytesIO(png)).size == (WIDTH_PX, HEIGHT_PX)
