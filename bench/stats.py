"""Benchmark of /stats and its CSV over a year of orders: `python -m bench.stats`.

Generates orders spread over 365 days (kinds, outcomes, countries and services in realistic
proportions) and users, in a real database with the bot's migrations, then times each /stats
view (24 h, 7 d, 30 d, all time), the chart of 30 days and of all time (its query, and its
drawing, which the bot does in a worker thread), the balance watch's query, and the all-time
CSV. With
`--compare` it also times the views again without the indexes the stats migration adds. It
prints figures and asserts nothing about speed.

    .venv/bin/python -m bench.stats                    # 100,000 orders
    .venv/bin/python -m bench.stats --orders 20000 --compare
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bot.core.figures import PERIODS, csv_row
from bot.domain.orders import OrderKind, OrderState
from handlers.ui import i18n
from handlers.ui.stats_chart import render, today
from handlers.ui.texts.stats_chart import chart_words
from storage import Database, SqliteDatabase, StatsStore

YEAR = 365 * 24 * 3600.0
NOW = 1_800_000_000.0
COUNTRIES = [
    (187, "USA"), (16, "England"), (43, "Germany"), (6, "Indonesia"), (73, "Brazil"),
    (22, "India"), (8, "Kenya"), (36, "Canada"),
]  # fmt: skip
SERVICES = [
    ("tg", "Telegram"), ("wa", "WhatsApp"), ("go", "Google,youtube,Gmail"), ("ig", "Instagram"),
    ("fb", "facebook"), ("ds", "Discord"), ("ub", "Uber"),
]  # fmt: skip
RECEIVE_OUTCOMES = [
    (OrderState.COMPLETED, 45),
    (OrderState.INVOICE_EXPIRED, 30),
    (OrderState.NO_NUMBER, 8),
    (OrderState.EXPIRED, 8),
    (OrderState.CANCELLED, 9),
]
SEND_OUTCOMES = [
    (OrderState.COMPLETED, 60),
    (OrderState.FAILED, 10),
    (OrderState.INVOICE_EXPIRED, 30),
]
STATS_INDEXES = ("orders_for_stats", "users_by_first_seen", "users_by_last_seen")


def _pick(rng: random.Random, weighted: list[tuple[OrderState, int]]) -> OrderState:
    states = [state for state, _ in weighted]
    return rng.choices(states, [weight for _, weight in weighted])[0]


async def generate(database: Database, orders: int, users: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    user_rows = []
    for user_id in range(1, users + 1):
        first = NOW - rng.random() * YEAR
        user_rows.append((user_id, f"u{user_id}", first, first + rng.random() * (NOW - first)))
    rows = []
    for order_id in range(1, orders + 1):
        created = NOW - rng.random() * YEAR
        kind = rng.choices(list(OrderKind), [85, 12, 3])[0]
        if kind is OrderKind.RECEIVE:
            state = _pick(rng, RECEIVE_OUTCOMES)
        elif kind is OrderKind.SEND:
            state = _pick(rng, SEND_OUTCOMES)
        else:
            state = rng.choice([OrderState.COMPLETED, OrderState.INVOICE_EXPIRED])
        paid = state is not OrderState.INVOICE_EXPIRED and not (
            state is OrderState.CANCELLED and rng.random() < 0.5
        )
        paid_at = created + rng.uniform(5, 120) if paid else None
        code_at = None
        if kind is OrderKind.RECEIVE and state is OrderState.COMPLETED and paid_at is not None:
            code_at = paid_at + rng.expovariate(1 / 90)
        receive = kind is OrderKind.RECEIVE
        country = rng.choice(COUNTRIES) if receive else (None, None)
        service = rng.choice(SERVICES) if receive else (None, None)
        rows.append(
            (
                order_id, f"remote-{order_id}", kind.value, rng.randint(1, users), 1,
                *country, *service,
                rng.randint(1500, 9000), "lnbc1" if paid_at or not paid else None,
                int(kind is OrderKind.SEND and rng.random() < 0.1), state.value, paid_at,
                code_at, created, created + 300, created + 300,
            )
        )  # fmt: skip
    async with database.transaction() as session:
        for user_row in user_rows:
            await session.execute(
                "INSERT INTO users (user_id, first_name, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?)",
                user_row,
            )
        for row in rows:
            await session.execute(
                "INSERT INTO orders (id, remote_id, kind, user_id, chat_id, country_code, "
                "country_name, service_code, service_name, amount_sats, invoice, "
                "paid_from_balance, state, paid_at, code_at, created_at, updated_at, closed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
    await database.execute("ANALYZE")


async def _time_views(store: StatsStore, repeat: int) -> dict[str, float]:
    figures = {}
    for period, back in PERIODS.items():
        since = None if back is None else NOW - back
        started = time.perf_counter()
        for _ in range(repeat):
            await store.stats(since)
        figures[period] = (time.perf_counter() - started) / repeat * 1000
    return figures


async def _time_charts(store: StatsStore, repeat: int) -> str:
    i18n.load_all()
    with i18n.use_locale("en"):
        words = chart_words("7d", "en")
    # The bot's first chart also imports matplotlib: timed apart from the others.
    started = time.perf_counter()
    render([], today(NOW) - 6, today(NOW), words)
    figures = [f"first drawing after start {(time.perf_counter() - started) * 1000:.0f} ms"]
    for period in ("30d", "all"):
        back = PERIODS[period]
        since = None if back is None else NOW - back
        started = time.perf_counter()
        for _ in range(repeat):
            rows = await store.per_day(since)
        query_ms = (time.perf_counter() - started) / repeat * 1000
        with i18n.use_locale("en"):
            words = chart_words(period, "en")
        first = None if since is None else today(since)
        started = time.perf_counter()
        for _ in range(repeat):
            png = render(rows, first, today(NOW), words)
        draw_ms = (time.perf_counter() - started) / repeat * 1000
        figures.append(
            f"{period} query {query_ms:.0f} ms + drawing {draw_ms:.0f} ms "
            f"({len(rows)} day rows, {len(png) // 1024} KiB PNG)"
        )
    return "; ".join(figures)


async def run(orders: int, users: int, compare: bool, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        database = await SqliteDatabase.open(Path(directory) / "bench.db")
        try:
            started = time.perf_counter()
            await generate(database, orders, users)
            print(f"{orders:,} orders, {users:,} users generated in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            store = StatsStore(database)
            views = await _time_views(store, repeat)
            print("/stats, with the indexes: " + ", ".join(
                f"{period} {ms:.0f} ms" for period, ms in views.items()))  # fmt: skip
            print("/stats chart: " + await _time_charts(store, repeat))
            started = time.perf_counter()
            for _ in range(repeat * 10):
                await store.balance_activity()
            per_call = (time.perf_counter() - started) / (repeat * 10) * 1000
            print(f"balance watch query: {per_call:.2f} ms")
            started = time.perf_counter()
            exported = 0
            async for record in store.orders(None):
                csv_row(record)
                exported += 1
            print(f"CSV, all time: {exported:,} rows in {time.perf_counter() - started:.2f} s")
            if compare:
                for index in STATS_INDEXES:
                    await database.execute(f"DROP INDEX {index}")
                await database.execute("ANALYZE")
                views = await _time_views(store, repeat)
                print("/stats, without them:     " + ", ".join(
                    f"{period} {ms:.0f} ms" for period, ms in views.items()))  # fmt: skip
        finally:
            await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.orders, arguments.users, arguments.compare, arguments.repeat))


if __name__ == "__main__":
    main()
