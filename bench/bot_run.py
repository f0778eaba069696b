"""One bot process of `make bench`: one design, one scenario, a JSON line of figures out.

    python -m bench.bot_run --design new --scenario latency --orders 200 --interval 1 \\
        --sms URL --sms-control URL --telegram URL --telegram-control URL

The bot here is the real tracker, stores, notifier and PTB bot (with the bot's own rate
limiter), wired as `bot.wiring.app` wires them, with either the current poller and outbox
("new") or the design they replaced ("old", `bench.legacy`). The stand-ins run in other
processes, so process CPU and peak RSS are the bot's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from bench.legacy import Deliveries, LegacyPoller, locked_tell
from bot.core.engine.outbox import Outbox
from bot.core.engine.poller import OrderPoller
from bot.core.engine.send_budget import SendBudget
from bot.core.engine.tracker import OrderTracker
from bot.core.placement import Confirmation, Limits, OrderPlacement, Placed, ReceiveRequest
from bot.domain.orders import OrderKind, OrderState
from bot.domain.remote import OrderStatus
from bot.sms4sats import DEFAULT_TIMEOUT, StatusGet, status_timeout
from bot.wiring.app import USER_AGENT, sms4sats_http
from bot.wiring.metrics import BotMetrics, MeteredSms4Sats, MeteredTeller
from bot.wiring.rate_limiter import PerChatRateLimiter
from sandbox.telegram.config import DEFAULT_TOKEN
from storage import ChatStore, Database, OrderStore, OutboxStore, PlacementStore, SqliteDatabase

FIRST_USER = 2_000_001
COUNTRY = (187, "USA")
SERVICE = ("wa", "WhatsApp")
# The mix of open orders while checks are counted, by index modulo 20.
FRESH, STALE, WAITING, ENDED = "fresh invoice", "invoice unpaid >2 min", "waiting for code", "ended"
_MIX = [FRESH] * 12 + [STALE] * 4 + [WAITING] * 3 + [ENDED]


class CountingSms4Sats(MeteredSms4Sats):
    """Counts the status checks of each order, the figure the issue's targets are about; as
    the running bot's, notes when a code is first seen (the bot-side code latency)."""

    checks: Counter[str]

    async def order_status(self, order_id: str, *, retry: bool = True) -> OrderStatus:
        self.checks[order_id] += 1
        return await super().order_status(order_id, retry=retry)


@dataclass
class Bot:
    design: str
    interval: float
    database: Database
    orders: OrderStore
    sms4sats: CountingSms4Sats
    telegram_control: str
    sms_control: str
    http: httpx.AsyncClient
    metrics: BotMetrics
    tracker: OrderTracker
    placement: OrderPlacement
    outbox: Outbox | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    remote_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    async def control(self, url: str, path: str, body: Any = None) -> Any:
        if body is None:
            response = await self.http.get(url + path, timeout=120)
        else:
            response = await self.http.post(url + path, json=body, timeout=120)
        response.raise_for_status()
        return response.json()


def _http_for(design: str, metrics: BotMetrics) -> tuple[httpx.AsyncClient, StatusGet | None]:
    if design == "old":
        # As the bot built it before: httpx with its own transport.
        return httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, follow_redirects=False), None
    # As the bot builds it, /metrics counting every request.
    return sms4sats_http(metrics)


@contextlib.asynccontextmanager
async def running_bot(args: argparse.Namespace, directory: Path) -> AsyncIterator[Bot]:
    database = await SqliteDatabase.open(directory / "bench.db")
    clock = time.time
    orders, chats = OrderStore(database, clock), ChatStore(database, clock)
    metrics = BotMetrics()
    http, status_get = _http_for(args.design, metrics)
    async with http, httpx.AsyncClient() as control_http:
        # The new design gives up a status check that hangs after two intervals, not 10 s.
        limits = status_timeout(args.interval) if args.design == "new" else DEFAULT_TIMEOUT
        sms4sats = CountingSms4Sats(
            http, args.sms, ref="bench@example.com", metrics=metrics, status_timeout=limits,
            status_get=status_get,
        )  # fmt: skip
        sms4sats.checks = Counter()
        # The bot's one overall Telegram budget, shared with the outbox (new design); the old
        # design's limiter let 30 calls a second through, first come first served.
        limiter = PerChatRateLimiter(
            budget=SendBudget() if args.design == "new"
            else SendBudget(overall_per_second=30, overall_burst=30)
        )  # fmt: skip
        telegram = ExtBot(
            DEFAULT_TOKEN,
            base_url=f"{args.telegram}/bot",
            base_file_url=f"{args.telegram}/file/bot",
            # What ApplicationBuilder gives the bot: many connections at once.
            request=HTTPXRequest(connection_pool_size=256),
            defaults=Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            rate_limiter=limiter,
        )
        await telegram.initialize()
        tracker = OrderTracker(
            MeteredTeller(telegram, clock, metrics=metrics), orders, chats, sms4sats,
            poll_interval=args.interval, clock=clock,
        )  # fmt: skip
        placement = OrderPlacement(
            orders, PlacementStore(database, clock), sms4sats, tracker, clock,
            Limits(unpaid_invoices=3, orders_per_hour=20),
        )  # fmt: skip
        bot = Bot(
            args.design, args.interval, database, orders, sms4sats,
            args.telegram_control, args.sms_control, control_http, metrics, tracker, placement,
        )  # fmt: skip
        if args.scenario == "wave":
            # Placed through the bot once it runs, as people would: invoice photos for real.
            await bot.control(bot.telegram_control, "/users",
                              {"first": FIRST_USER, "count": args.orders})  # fmt: skip
        else:
            await seed(bot, args)
        closers: list[Any] = []
        if args.design == "new":
            outbox = Outbox(
                tracker.tell, tracker.close_unreachable, OutboxStore(database, clock), orders,
                chats, clock, budget=limiter.budget,
            )  # fmt: skip
            # No ceiling on requests to sms4sats: the bench measures checks at every size.
            poller = OrderPoller(tracker, outbox, orders, poll_interval=args.interval)
            await outbox.start()
            await poller.start()
            bot.outbox = outbox
            closers = [poller.close, outbox.close]
        else:
            deliveries = Deliveries(locked_tell(tracker))
            legacy = LegacyPoller(tracker, deliveries, orders, chats, poll_interval=args.interval)
            bot.tasks.append(asyncio.create_task(_repeat(legacy, args.interval)))
            closers = [deliveries.close]
        try:
            yield bot
        finally:
            for task in bot.tasks:
                task.cancel()
            await asyncio.gather(*bot.tasks, return_exceptions=True)
            for close in closers:
                await close()
            await telegram.shutdown()
            await database.close()


async def _repeat(poller: LegacyPoller, interval: float) -> None:
    """The job queue of the old design: a tick every interval; one still running is skipped."""
    running: asyncio.Task[Any] | None = None
    try:
        while True:
            if running is None or running.done():
                running = asyncio.create_task(poller.tick())
            await asyncio.sleep(interval)
    finally:
        if running is not None:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


async def seed(bot: Bot, args: argparse.Namespace) -> None:
    """`args.orders` receive orders at the stand-in and in the database, one chat each, cards
    shown; their states follow `_MIX` (or all waiting for a code, for the burst)."""
    count = args.orders
    await bot.control(bot.telegram_control, "/users", {"first": FIRST_USER, "count": count})
    created = await bot.control(bot.sms_control, "/seed", {"count": count})
    bot.remote_ids = [remote_id for remote_id, _ in created]
    kinds = [_kind(args.scenario, i) for i in range(count)]
    bot.kinds = kinds
    waiting = [bot.remote_ids[i] for i in range(count) if kinds[i] in (WAITING, ENDED)]
    await bot.control(bot.sms_control, "/act", {"action": "pay", "ids": waiting})
    assigned = await bot.control(bot.sms_control, "/act", {"action": "number", "ids": waiting})
    numbers = iter(assigned["numbers"])
    now = time.time()
    rows = []
    for index, (remote_id, amount) in enumerate(created):
        kind = kinds[index]
        state = OrderState.AWAITING_PAYMENT
        number = paid_at = closed_at = None
        created_at = now - 600 if kind == STALE else now
        if kind in (WAITING, ENDED):
            state, number, paid_at = OrderState.NUMBER, next(numbers), now
        if kind == ENDED:
            state, closed_at = OrderState.COMPLETED, now
        user = FIRST_USER + index
        rows.append((
            remote_id, OrderKind.RECEIVE.value, user, user, COUNTRY[0], COUNTRY[1], SERVICE[0],
            SERVICE[1], amount, state.value, number, paid_at, state.value, number, created_at,
            now, closed_at,
        ))  # fmt: skip
    async with bot.database.transaction() as session:
        for row in rows:
            await session.execute(
                """
                INSERT INTO orders (remote_id, kind, user_id, chat_id, country_code,
                    country_name, service_code, service_name, amount_sats, state, number,
                    paid_at, shown_state, shown_number, created_at, updated_at, closed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                row,
            )


def _kind(scenario: str, index: int) -> str:
    if scenario in ("burst", "hang"):
        return WAITING
    kind = _MIX[index % 20]
    # The memory figure is for that many *open* orders.
    return FRESH if scenario == "rss" and kind == ENDED else kind


async def telegram_calls(bot: Bot, since: int) -> tuple[int, list[list[Any]]]:
    found = await bot.control(bot.telegram_control, f"/calls?since={since}")
    return int(found["end"]), found["calls"]


async def count_checks(bot: Bot, seconds: float) -> dict[str, Any]:
    """Checks per open order per interval by state, and CPU per check, over `seconds`."""
    bot.sms4sats.checks.clear()
    cpu = time.process_time()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu
    checks = dict(bot.sms4sats.checks)
    intervals = seconds / bot.interval
    per_kind: dict[str, list[int]] = {}
    for remote_id, kind in zip(bot.remote_ids, bot.kinds, strict=True):
        per_kind.setdefault(kind, []).append(checks.get(remote_id, 0))
    total = sum(checks.values())
    return {
        "checks_per_interval": {
            kind: round(statistics.mean(values) / intervals, 3) for kind, values in per_kind.items()
        },
        "cpu_ms_per_check": round(1000 * cpu / max(total, 1), 3),
        "checks_per_second": round(total / seconds, 1),
    }


async def latency(bot: Bot, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.sleep(2 * args.interval)  # every order checked at least once
    figures = await count_checks(bot, max(10.0, 3 * args.interval))
    mark, _ = await telegram_calls(bot, 0)
    fresh = [i for i, kind in enumerate(bot.kinds) if kind == FRESH]
    wave = [bot.remote_ids[i] for i in random.Random(1).sample(fresh, min(args.wave, len(fresh)))]
    # A wave of numbers: every order of the wave paid and given a number at once...
    await bot.control(bot.sms_control, "/act", {"action": "pay", "ids": wave})
    await bot.control(bot.sms_control, "/act", {"action": "number", "ids": wave})
    await asyncio.sleep(0.5)
    # ...then their codes arrive over `args.spread` seconds.
    codes = {remote_id: f"{500000 + index}" for index, remote_id in enumerate(wave)}
    order = list(wave)
    random.Random(2).shuffle(order)
    batches = max(1, int(args.spread / 0.25))
    for batch in range(batches):
        ids = order[batch::batches]
        body = {"action": "code", "ids": ids, "codes": [codes[i] for i in ids]}
        await bot.control(bot.sms_control, "/act", body)
        await asyncio.sleep(0.25)
    return figures | await code_arrivals(bot, mark, set(codes.values()), timeout=120)


async def code_arrivals(bot: Bot, mark: int, codes: set[str], *, timeout: float) -> dict[str, Any]:
    """Waits until every code reached Telegram (or `timeout`), then the figures of it."""
    started = time.monotonic()
    arrived: dict[str, list[float]] = {}
    too_many = messages = 0
    position = mark
    while True:
        position, calls = await telegram_calls(bot, position)
        for method, error_code, at, text in calls:
            if error_code == 429:
                too_many += 1
            elif error_code is None and method in ("sendMessage", "editMessageText"):
                messages += 1
                if text.startswith("🔑"):
                    code = text.split("<code>", 1)[1].split("</code>", 1)[0]
                    arrived.setdefault(code, []).append(float(at))
        if codes <= set(arrived) or time.monotonic() - started > timeout:
            break
        await asyncio.sleep(0.5)
    delivered = await bot.control(bot.sms_control, "/codes")
    latencies = sorted(min(arrived[c]) - delivered[c] for c in codes if c in arrived)
    first_delivered = min(delivered[c] for c in codes)
    last_arrival = max((min(arrived[c]) for c in codes if c in arrived), default=first_delivered)
    return {
        "codes": len(codes),
        "codes_told": len(set(arrived) & codes),
        "codes_told_twice": sum(1 for c in codes if len(arrived.get(c, [])) > 1),
        "p50": _quantile(latencies, 0.5),
        "p95": _quantile(latencies, 0.95),
        "max": round(latencies[-1], 3) if latencies else None,
        "all_told_s": round(last_arrival - first_delivered, 2),
        "telegram_429": too_many,
        "telegram_messages": messages,
    }


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 3)


async def burst(bot: Bot, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.sleep(2 * args.interval)
    mark, _ = await telegram_calls(bot, 0)
    codes = {remote_id: f"{700000 + index}" for index, remote_id in enumerate(bot.remote_ids)}
    await bot.control(
        bot.sms_control, "/act",
        {"action": "code", "ids": list(codes), "codes": list(codes.values())},
    )  # fmt: skip
    figures = await code_arrivals(bot, mark, set(codes.values()), timeout=180)
    seconds = figures["all_told_s"] or 1
    figures["codes_per_s"] = round(figures["codes_told"] / seconds, 1)
    return figures


async def wave(bot: Bot, args: argparse.Namespace) -> dict[str, Any]:
    """The issue's shape: people buy through the bot (invoice photo, card), all pay and get a
    number at the same moment, and their codes reach sms4sats 5 to 25 s later."""
    placed = await asyncio.gather(*(_place(bot, FIRST_USER + i) for i in range(args.orders)))
    bot.remote_ids = [order_id for order_id in placed if order_id is not None]
    bot.kinds = [FRESH] * len(bot.remote_ids)
    await asyncio.sleep(2 * args.interval)  # every invoice shown and checked
    figures = await count_checks(bot, max(5.0, 3 * args.interval))
    mark, _ = await telegram_calls(bot, 0)
    await bot.control(bot.sms_control, "/act", {"action": "pay", "ids": bot.remote_ids})
    await bot.control(bot.sms_control, "/act", {"action": "number", "ids": bot.remote_ids})
    await asyncio.sleep(5.0)
    codes = await _codes_over(bot, bot.remote_ids, args.spread, first=600000)
    figures |= await code_arrivals(bot, mark, codes, timeout=120)
    return figures | {"placed": len(bot.remote_ids), "bot_side": _bot_side(bot.metrics)}


async def _place(bot: Bot, user: int) -> str | None:
    """One person's purchase as the buy handler makes it: placed, then its invoice told."""
    outcome = await bot.placement.place(
        Confirmation(chat_id=user, user_id=user, message_id=1, private=True),
        ReceiveRequest(COUNTRY[0], SERVICE[0], 1, COUNTRY[1], SERVICE[1]),
    )
    if not isinstance(outcome, Placed):
        return None
    await bot.tracker.tell(outcome.order.id)
    return outcome.order.remote_id


async def _codes_over(bot: Bot, remote_ids: list[str], spread: float, *, first: int) -> set[str]:
    """Codes for `remote_ids` reach sms4sats in batches every 0.25 s over `spread` seconds."""
    codes = {remote_id: f"{first + index}" for index, remote_id in enumerate(remote_ids)}
    order = list(remote_ids)
    random.Random(2).shuffle(order)
    batches = max(1, int(spread / 0.25))
    for batch in range(batches):
        ids = order[batch::batches]
        body = {"action": "code", "ids": ids, "codes": [codes[i] for i in ids]}
        await bot.control(bot.sms_control, "/act", body)
        await asyncio.sleep(0.25)
    return set(codes.values())


def _bot_side(metrics: BotMetrics) -> dict[str, int]:
    """sms4sats_bot_code_latency_seconds as /metrics shows it: codes sent within each bound."""
    counts: dict[str, int] = {}
    for sample in next(iter(metrics.code_latency.collect())).samples:
        if sample.name.endswith("_bucket") and sample.labels["le"] in ("0.25", "0.5", "1.0", "2.0",
                                                                      "5.0", "+Inf"):  # fmt: skip
            counts[sample.labels["le"]] = int(sample.value)
    return counts


async def hang(bot: Bot, args: argparse.Namespace) -> dict[str, Any]:
    """Orders with numbers while some orderstatus calls hang; their codes over `spread` s."""
    await asyncio.sleep(2 * args.interval)
    fault = {"kind": "slow", "path": "/orderstatus", "delay": 30, "count": 1_000_000,
             "share": args.hang_share}  # fmt: skip
    await bot.control(args.sms, "/__sandbox/faults", fault)
    await asyncio.sleep(2 * args.interval)
    figures = await count_checks(bot, 10.0)
    mark, _ = await telegram_calls(bot, 0)
    codes = await _codes_over(bot, bot.remote_ids, args.spread, first=800000)
    figures |= await code_arrivals(bot, mark, codes, timeout=120)
    return figures | {"bot_side": _bot_side(bot.metrics)}


async def rss(bot: Bot, args: argparse.Namespace) -> dict[str, Any]:
    figures = await count_checks(bot, 3 * args.interval)
    return figures | {"open_orders": sum(k != ENDED for k in bot.kinds), "peak_rss_mb": _rss_mb()}


def _rss_mb() -> float:
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    scenarios = {"latency": latency, "burst": burst, "rss": rss, "wave": wave, "hang": hang}
    scenario = scenarios[args.scenario]
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        async with running_bot(args, Path(directory)) as bot:
            figures = await scenario(bot, args)
    return {"design": args.design, "scenario": args.scenario, "orders": args.orders,
            "interval": args.interval, **figures, "peak_rss_mb": _rss_mb()}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", choices=["new", "old"], required=True)
    parser.add_argument(
        "--scenario", choices=["latency", "burst", "rss", "wave", "hang"], required=True
    )
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--interval", type=float, required=True)
    parser.add_argument("--wave", type=int, default=200, help="numbers, then codes (latency)")
    parser.add_argument("--spread", type=float, default=20.0, help="seconds codes arrive over")
    parser.add_argument("--hang-share", type=float, default=0.05, help="orderstatus calls (hang)")
    for name in ("sms", "sms-control", "telegram", "telegram-control"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args))), flush=True)


if __name__ == "__main__":
    main()
