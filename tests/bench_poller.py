"""Benchmark of the order poller with thousands of open orders: `make bench`.

The real poller, tracker, stores and PTB `Bot` run against both local stand-ins (started in this
process, on loopback). For each size it measures the open-orders query, a tick where nothing
changed, a tick where some orders moved on, and the tick after that; it prints figures and
asserts nothing about speed. It exits non-zero only when something is functionally wrong: an
order notified twice, a change or a code never delivered, an ended order still read, a failed
poll.

    .venv/bin/python -m tests.bench_poller                  # 100, 1000 and 5000 orders
    .venv/bin/python -m tests.bench_poller --quick          # 100 and 500 orders
    .venv/bin/python -m tests.bench_poller --orders 2000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot

from bot.core.deliveries import Deliveries
from bot.core.poller import OrderPoller, TickReport
from bot.core.tracker import OrderTracker
from bot.domain.countries import Country, country_by_code
from bot.domain.orders import OrderKind, OrderState
from bot.sms4sats import Sms4SatsClient
from bot.wiring.app import USER_AGENT
from handlers.ui.notifier import TelegramNotifier
from sandbox.sms4sats import SandboxConfig, Sms4SatsSandbox, run_sms4sats_sandbox
from sandbox.sms4sats.catalog import Service, resolve_service
from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import TelegramSandboxClient
from storage import ChatStore, Database, OrderStore, open_database

DEFAULT_SIZES = (100, 1000, 5000)
QUICK_SIZES = (100, 500)
USERS = 50
FIRST_USER_ID = 910_001
API_KEY = "bench-api-key-0123456789abcdef"
REF = "bench@example.com"
POLL_INTERVAL = 3.0
COUNTRY_CODE = 187  # USA
SERVICE_CODE = "wa"
# Which orders move on before the "changed" tick, by their index: every 10th is paid, every
# 20th also gets a number, every 50th gets its code (and with it a number). All are paid first.
PAID_EVERY = 10
NUMBER_EVERY = 20
CODE_EVERY = 50
FIRST_CODE = 100_000  # codes are JSON numbers by default: no leading zero, or it would be lost
SANDBOX_SCAN_EVERY = 0.2  # the stand-in's own background ticker runs this often anyway

_CARD_ORDER = re.compile(r"Order #(\d+)\b")
_CODE = re.compile(r"<code>(\d+)</code>")
_NOTIFYING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageCaption", "editMessageMedia"}
)


@dataclass
class Env:
    sms4sats: Sms4SatsSandbox
    telegram: TelegramSandbox
    telegram_client: TelegramSandboxClient
    http: httpx.AsyncClient
    bot: Bot
    country: Country
    service: Service
    chats: list[int] = field(default_factory=list)
    card_of_chat: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TickFigures:
    wall_ms: float
    cpu_s: float
    requests: int
    telegram_calls: int
    report: TickReport


@dataclass
class RoundResult:
    orders: int
    query_ms: float = 0.0
    steady: TickFigures | None = None
    changed: TickFigures | None = None
    changed_orders: int = 0
    after: TickFigures | None = None
    paid: int = 0
    numbered: int = 0
    coded: int = 0
    sent: int = 0
    edited: int = 0
    duplicates: int = 0
    open_before: int = 0
    open_after: int = 0
    rss_mb: float = 0.0
    problems: list[str] = field(default_factory=list)


def _throttle_sandbox_scan(sandbox: Sms4SatsSandbox) -> None:
    """Lets the sms4sats stand-in scan its orders for due transitions at most every 0.2 s.

    Its middleware scans every order it holds on every request, so a tick over N orders costs
    the stand-in O(N²), which at 5000 orders swamps the bot being measured (and the run's time
    budget). Transitions are still applied at the moment they fell due, only seen up to 0.2 s
    later; in this run nothing falls due anyway (auto mode is off, invoices and holds outlast it).
    """
    full_scan = sandbox.state.tick
    last_scan = -1.0

    def scan_now_and_then(now: float) -> None:
        nonlocal last_scan
        if not 0 <= now - last_scan < SANDBOX_SCAN_EVERY:
            last_scan = now
            full_scan(now)

    sandbox.state.tick = scan_now_and_then  # type: ignore[method-assign]


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS): the peak of the whole process so far.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


async def _meet_users(env: Env) -> None:
    """Private chats the bot may write to."""
    for user_id in range(FIRST_USER_ID, FIRST_USER_ID + USERS):
        await env.telegram_client.create_user(user_id, f"Bench{user_id}")
        # Telegram refuses a bot's first message to a user who never wrote to it (403).
        await env.telegram_client.send(user_id, "/start")
        env.chats.append(user_id)
    # The /start updates stay queued: nothing here runs handlers, and they cost nothing.


async def _new_cards(env: Env) -> None:
    """One bot message per chat that stands in for the cards of all the chat's orders.

    New for every size: an edit that repeated the text an earlier size left on a reused message
    would be refused as "not modified".
    """
    for chat_id in env.chats:
        card = await env.bot.send_message(chat_id, "Order card placeholder")
        env.card_of_chat[chat_id] = card.message_id


class SteppedClock:
    """Real time plus whole poll intervals: every tick of the benchmark is one interval later."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def _tick(
    env: Env, poller: OrderPoller, deliveries: Deliveries, clock: SteppedClock
) -> TickFigures:
    clock.offset += POLL_INTERVAL
    requests_before = len(env.sms4sats.requests)
    calls_before = len(env.telegram.state.calls)
    cpu_before = time.process_time()
    started = time.perf_counter()
    report = await poller.tick()
    # Telling users runs apart from the tick; a tick's figures include what it asked to tell.
    await deliveries.drain()
    wall_ms = (time.perf_counter() - started) * 1000
    return TickFigures(
        wall_ms=wall_ms,
        cpu_s=time.process_time() - cpu_before,
        requests=len(env.sms4sats.requests) - requests_before,
        telegram_calls=len(env.telegram.state.calls) - calls_before,
        report=report,
    )


async def _snapshot(database: Database) -> dict[int, tuple[Any, ...]]:
    rows = await database.fetch_all(
        "SELECT id, state, number, code, shown_state, code_message_id, closed_at FROM orders"
    )
    return {int(row["id"]): tuple(row.values())[1:] for row in rows}


async def _create_orders(env: Env, store: OrderStore, count: int) -> tuple[list[str], list[int]]:
    """`count` unpaid receive orders at the stand-in and in the bot's database, already shown."""
    state = env.sms4sats.state
    remote = [state.create_receive_order(env.country, env.service, ref=REF) for _ in range(count)]
    chats = env.chats
    local_ids: list[int] = []
    for index, remote_order in enumerate(remote):
        chat_id = chats[index % len(chats)]
        # No invoice: a paid order then edits its card in place. With one, the bot would send a
        # new card and delete the invoice photo, and here one message stands in for all the
        # cards of a chat, so the first payment would delete every other order's card.
        order = await store.create(
            remote_id=remote_order.order_id,
            kind=OrderKind.RECEIVE,
            user_id=chat_id,
            chat_id=chat_id,
            amount_sats=remote_order.amount,
            invoice=None,
            invoice_expires_at=None,
            country_code=env.country.code,
            country_name=env.country.name,
            service_code=env.service.code,
            service_name=env.service.name,
        )
        await store.update(
            order.id,
            shown_state=OrderState.AWAITING_PAYMENT,
            card_message_id=env.card_of_chat[chat_id],
        )
        local_ids.append(order.id)
    return [order.order_id for order in remote], local_ids


def _move_orders_on(env: Env, remote_ids: Sequence[str]) -> dict[int, str]:
    """Pays, numbers and completes some orders at the stand-in; returns index -> code given."""
    state = env.sms4sats.state
    codes: dict[int, str] = {}
    for index, remote_id in enumerate(remote_ids):
        if index % PAID_EVERY:
            continue
        state.pay(remote_id)
        if index % CODE_EVERY == 0:
            codes[index] = str(FIRST_CODE + index)
            state.deliver_code(remote_id, codes[index])
        elif index % NUMBER_EVERY == 0:
            state.assign_number(remote_id)
    return codes


def _check_notifications(
    result: RoundResult,
    calls: Sequence[dict[str, Any]],
    changed_ids: set[int],
    code_owner: dict[str, int],
) -> None:
    """Each changed order's card updated exactly once, each code sent exactly once."""
    cards: Counter[int] = Counter()
    codes: Counter[int] = Counter()
    for call in calls:
        method = str(call.get("method"))
        if method not in _NOTIFYING_METHODS:
            continue
        if not call.get("ok"):
            result.problems.append(f"{method} failed with {call.get('error_code')}")
            continue
        params = call.get("params") or {}
        text = str(params.get("text") or params.get("caption") or "")
        if method.startswith("send"):
            result.sent += 1
        else:
            result.edited += 1
        if card := _CARD_ORDER.search(text):
            cards[int(card.group(1))] += 1
        elif (code := _CODE.search(text)) and code.group(1) in code_owner:
            codes[code_owner[code.group(1)]] += 1
        else:
            result.problems.append(f"{method} for no known order: {text[:60]!r}")
    result.duplicates = sum(n - 1 for n in cards.values() if n > 1) + sum(
        n - 1 for n in codes.values() if n > 1
    )
    if result.duplicates:
        result.problems.append(f"{result.duplicates} duplicate notification(s)")
    unchanged_but_told = set(cards) - changed_ids
    if unchanged_but_told:
        result.problems.append(f"{len(unchanged_but_told)} unchanged order(s) got a card update")
    untold = changed_ids - set(cards)
    if untold:
        result.problems.append(f"{len(untold)} changed order(s) got no card update")
    codes_lost = set(code_owner.values()) - set(codes)
    if codes_lost:
        result.problems.append(f"{len(codes_lost)} code(s) never sent")


def _expect(result: RoundResult, what: str, actual: int, expected: int) -> None:
    if actual != expected:
        result.problems.append(f"{what}: {actual}, expected {expected}")


async def run_round(env: Env, count: int, database_path: Path) -> RoundResult:
    # Each size starts from nothing, so one size's orders do not weigh on the next one's figures.
    env.sms4sats.reset()
    await _new_cards(env)
    result = RoundResult(orders=count)
    database = await open_database(database_path)
    try:
        clock = SteppedClock()
        store, chats = OrderStore(database, clock), ChatStore(database, clock)
        sms4sats = Sms4SatsClient(env.http, env.sms4sats.url, api_key=API_KEY, ref=REF)
        tracker = OrderTracker(
            TelegramNotifier(env.bot, clock),
            store,
            chats,
            sms4sats,
            poll_interval=POLL_INTERVAL,
            clock=clock,
        )
        deliveries = Deliveries(tracker.tell)
        poller = OrderPoller(tracker, deliveries, store, chats, poll_interval=POLL_INTERVAL)

        remote_ids, local_ids = await _create_orders(env, store, count)
        result.open_before = len(await store.open_orders())
        _expect(result, "open orders after creation", result.open_before, count)

        timings = []
        for _ in range(3):
            started = time.perf_counter()
            due = await store.open_orders(due_at=tracker.now())
            timings.append((time.perf_counter() - started) * 1000)
        result.query_ms = statistics.median(timings)
        _expect(result, "orders due", len(due), count)

        result.steady = await _tick(env, poller, deliveries, clock)
        _expect(result, "steady tick: orders polled", result.steady.report.orders, count)
        _expect(result, "steady tick: sms4sats requests", result.steady.requests, count)
        _expect(result, "steady tick: Telegram calls", result.steady.telegram_calls, 0)

        codes = _move_orders_on(env, remote_ids)
        result.paid = len(range(0, count, PAID_EVERY))
        result.coded = len(codes)
        result.numbered = sum(1 for index in range(0, count, NUMBER_EVERY) if index % CODE_EVERY)
        before = await _snapshot(database)
        calls_mark = len(env.telegram.state.calls)
        result.changed = await _tick(env, poller, deliveries, clock)
        after = await _snapshot(database)
        changed_ids = {order_id for order_id, row in after.items() if row != before[order_id]}
        result.changed_orders = len(changed_ids)
        expected_changed = {local_ids[index] for index in range(0, count, PAID_EVERY)}
        _expect(result, "orders changed", result.changed_orders, len(expected_changed))
        _expect(result, "changed tick: orders polled", result.changed.report.orders, count)

        result.after = await _tick(env, poller, deliveries, clock)
        ended = len(codes)
        _expect(result, "next tick: orders polled", result.after.report.orders, count - ended)
        _expect(result, "next tick: sms4sats requests", result.after.requests, count - ended)
        _expect(result, "next tick: Telegram calls", result.after.telegram_calls, 0)
        result.open_after = len(await store.open_orders())
        _expect(result, "open orders at the end", result.open_after, count - ended)

        for figures in (result.steady, result.changed, result.after):
            if figures.report.failed:
                result.problems.append(f"{figures.report.failed} poll(s) failed")

        calls = (await env.telegram_client.calls())[calls_mark:]
        code_owner = {code: local_ids[index] for index, code in codes.items()}
        _check_notifications(result, calls, changed_ids, code_owner)
        _expect(result, "card updates", result.edited, result.paid)
        _expect(result, "codes sent", result.sent, result.coded)
    finally:
        await database.close()
    result.rss_mb = _rss_mb()
    return result


def _print_round(result: RoundResult) -> None:
    steady, changed, after = result.steady, result.changed, result.after
    assert steady is not None and changed is not None and after is not None
    print(f"\n== {result.orders} open orders ({USERS} chats) ==")
    rows = [
        ("open_orders() query", f"{result.query_ms:9.2f} ms"),
        (
            "steady tick (nothing changed)",
            f"{steady.wall_ms:9.1f} ms  {steady.wall_ms / result.orders:.3f} ms/order  "
            f"CPU {steady.cpu_s:.2f} s"
            + (
                "  (longer than the poll interval)" if steady.wall_ms > POLL_INTERVAL * 1000 else ""
            ),
        ),
        ("  sms4sats requests", f"{steady.requests:9d}"),
        ("  Telegram calls", f"{steady.telegram_calls:9d}"),
        (
            "changed tick",
            f"{changed.wall_ms:9.1f} ms  CPU {changed.cpu_s:.2f} s  "
            f"({result.paid} paid: {result.numbered} got a number, {result.coded} a code)",
        ),
        ("  orders changed", f"{result.changed_orders:9d}"),
        ("  sms4sats requests", f"{changed.requests:9d}"),
        (
            "  Telegram calls",
            f"{changed.telegram_calls:9d}  ({result.edited} card edits, {result.sent} sent)",
        ),
        ("  duplicates", f"{result.duplicates:9d}"),
        (
            "next tick",
            f"{after.wall_ms:9.1f} ms  {after.requests} sms4sats requests, "
            f"{after.telegram_calls} Telegram calls",
        ),
        ("open orders", f"{result.open_before:9d} -> {result.open_after}"),
        ("peak RSS (process)", f"{result.rss_mb:9.1f} MB"),
    ]
    for label, value in rows:
        print(f"  {label:<30} {value}")
    for problem in result.problems:
        print(f"  PROBLEM: {problem}")


def _print_table(results: Sequence[RoundResult]) -> None:
    header = (
        f"{'orders':>6} {'query ms':>9} {'steady ms':>10} {'ms/order':>9} {'req/tick':>9} "
        f"{'tg/steady':>9} {'changed ms':>11} {'sent':>5} {'edits':>6} {'dupes':>6} "
        f"{'open after':>10} {'CPU s':>6} {'RSS MB':>7}"
    )
    print("\n" + header)
    print("-" * len(header))
    for result in results:
        steady, changed = result.steady, result.changed
        assert steady is not None and changed is not None
        print(
            f"{result.orders:>6} {result.query_ms:>9.2f} {steady.wall_ms:>10.1f} "
            f"{steady.wall_ms / result.orders:>9.3f} {steady.requests:>9} "
            f"{steady.telegram_calls:>9} {changed.wall_ms:>11.1f} {result.sent:>5} "
            f"{result.edited:>6} {result.duplicates:>6} {result.open_after:>10} "
            f"{steady.cpu_s:>6.2f} {result.rss_mb:>7.1f}"
        )
    print(
        "CPU s: process CPU time of the steady tick, both stand-ins included (same process). "
        "RSS: process peak so far."
    )


async def run(sizes: Sequence[int], *, full_sandbox_scan: bool) -> int:
    country = country_by_code(COUNTRY_CODE)
    service = resolve_service(SERVICE_CODE)
    assert country is not None and service is not None
    sms_config = SandboxConfig(api_keys_balance={API_KEY: 1_000_000})
    telegram_config = TelegramSandboxConfig(flood_limits=False)
    async with (
        run_sms4sats_sandbox(config=sms_config) as sms4sats_sandbox,
        run_telegram_sandbox(config=telegram_config) as telegram_sandbox,
        httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, follow_redirects=False) as http,
        httpx.AsyncClient(timeout=30) as control_http,
    ):
        if not full_sandbox_scan:
            _throttle_sandbox_scan(sms4sats_sandbox)
        bot = Bot(
            telegram_config.token,
            base_url=f"{telegram_sandbox.url}/bot",
            base_file_url=f"{telegram_sandbox.url}/file/bot",
        )
        async with bot:
            env = Env(
                sms4sats=sms4sats_sandbox,
                telegram=telegram_sandbox,
                telegram_client=TelegramSandboxClient(telegram_sandbox.url, control_http),
                http=http,
                bot=bot,
                country=country,
                service=service,
            )
            await _meet_users(env)
            results: list[RoundResult] = []
            with tempfile.TemporaryDirectory(prefix="bench-poller-") as directory:
                for number, count in enumerate(sizes, start=1):
                    path = Path(directory) / f"bench-{number}-{count}.db"
                    result = await run_round(env, count, path)
                    _print_round(result)
                    results.append(result)
    _print_table(results)
    problems = sum(len(result.problems) for result in results)
    largest = max(results, key=lambda result: result.orders)
    assert largest.steady is not None
    reread = any(
        result.after is not None and result.after.report.orders != result.orders - result.coded
        for result in results
    )
    print(
        f"\n{'OK' if not problems else 'FAILED'}: {largest.orders} open orders: steady tick "
        f"{largest.steady.wall_ms / 1000:.2f} s ({largest.steady.wall_ms / largest.orders:.3f} "
        f"ms/order, {largest.steady.requests} sms4sats requests, "
        f"{largest.steady.telegram_calls} Telegram calls); "
        f"{sum(result.duplicates for result in results)} duplicate notifications; "
        f"ended orders {'READ AGAIN' if reread else 'not polled again'} "
        f"({largest.open_before} -> {largest.open_after} open); {problems} problem(s)"
    )
    return 1 if problems else 0


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("order counts must be positive")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--orders",
        type=_sizes,
        default=None,
        help="comma-separated numbers of open orders (default: 100,1000,5000)",
    )
    parser.add_argument("--quick", action="store_true", help="a small run: 100,500 orders")
    parser.add_argument(
        "--full-sandbox-scan",
        action="store_true",
        help="keep the sms4sats stand-in's scan of all its orders on every request (O(N²))",
    )
    args = parser.parse_args(argv)
    sizes: tuple[int, ...] = args.orders or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The stand-ins live on loopback; a proxy configured on the machine must never sit in between.
    for variable in ("NO_PROXY", "no_proxy"):
        os.environ[variable] = ",".join(
            filter(None, [os.environ.get(variable, ""), "127.0.0.1", "localhost"])
        )
    return asyncio.run(run(sizes, full_sandbox_scan=args.full_sandbox_scan))


if __name__ == "__main__":
    sys.exit(main())
