"""Telegram in trouble: every code still arrives as its own message, exactly once.

One test per fault, each through the sandbox as Telegram would behave: HTTP 500 on sends and
edits, 502 on everything (getUpdates included), a 429 storm under tight limits, sends that time
out with nothing delivered, and sends delivered but answered late. Orders wait for their codes,
the codes reach sms4sats during the fault, and the bot's clock is moved to let its backoff run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.domain.orders import OrderState
from tests.e2e.conftest import ALICE, BOB, Stack
from tests.e2e.flows import eventually
from tests.e2e.test_outbox import Seeded, seed_orders

CAROL = 10003
USERS = (ALICE, BOB, CAROL)


async def waiting_for_codes(stack: Stack, per_user: int = 2) -> dict[Seeded, int]:
    """Orders with numbers whose users were told everything so far: order -> its user."""
    orders: dict[Seeded, int] = {}
    for user in USERS:
        await stack.user(user)
        for seeded in await seed_orders(stack, user, per_user):
            orders[seeded] = user
    sandbox = stack.sms4sats_sandbox.state
    for seeded in orders:
        sandbox.pay(seeded.remote_id)
        sandbox.assign_number(seeded.remote_id)
    await eventually(lambda: everything_told(stack), timeout=20)
    return orders


async def everything_told(stack: Stack) -> bool:
    for user in USERS:
        if any(o.untold for o in await stack.services.orders.for_user(user, limit=100)):
            return False
    return stack.services.outbox.pending == 0


def code_of(seeded: Seeded) -> str:
    return f"7{seeded.order_id:02d}{seeded.order_id:02d}"


def deliver_codes(stack: Stack, orders: dict[Seeded, int]) -> None:
    for seeded in orders:
        stack.sms4sats_sandbox.state.deliver_code(seeded.remote_id, code_of(seeded))


def code_calls(calls: list[dict[str, Any]], code: str, *, ok: bool) -> int:
    return sum(
        1
        for call in calls
        if call["method"] == "sendMessage"
        and call["ok"] is ok
        and str(call["params"].get("text", "")).startswith("🔑")
        and code in str(call["params"].get("text", ""))
    )


async def moving_the_clock(
    stack: Stack, done: Callable[[], Awaitable[bool]], *, step: float = 5.0, timeout: float = 30
) -> None:
    """Wait until `done()`, moving the bot's clock `step` seconds at a time: the outbox's
    backoff and the tracker's waits run on that clock."""
    async with asyncio.timeout(timeout):
        while not await done():
            await stack.advance(step)
            await asyncio.sleep(0.15)


async def each_code_once(
    stack: Stack, orders: dict[Seeded, int], *, repeats_allowed: int = 0
) -> None:
    """Every code arrived as its own message in its user's chat, once (or with at most
    `repeats_allowed` repeats), every card shows the code, and nothing is left to tell."""

    async def codes_seen() -> bool:
        for seeded in orders:
            order = await stack.services.orders.get(seeded.order_id)
            if order is None or order.code is None:
                return False
        return True

    await eventually(codes_seen, timeout=10)
    await moving_the_clock(stack, lambda: everything_told(stack))
    for seeded, user in orders.items():
        messages = await stack.telegram.bot_messages(user)
        code_messages = [
            m for m in messages if m.body.startswith("🔑") and code_of(seeded) in m.body
        ]
        assert 1 <= len(code_messages) <= 1 + repeats_allowed, (seeded, len(code_messages))
        order = await stack.services.orders.get(seeded.order_id)
        assert order is not None
        assert order.state is OrderState.COMPLETED and not order.untold
        card = next(m for m in messages if m.message_id == order.card_message_id)
        assert code_of(seeded) in card.body


async def test_500_on_sends_and_edits(stack: Stack) -> None:
    orders = await waiting_for_codes(stack)
    mark = len(await stack.telegram.calls())
    for method in ("sendMessage", "editMessageText"):
        await stack.telegram.inject_fault(method, 500, count=100_000)
    deliver_codes(stack, orders)

    async def tried_thrice() -> bool:
        calls = (await stack.telegram.calls())[mark:]
        return all(code_calls(calls, code_of(s), ok=False) >= 3 for s in orders)

    # Three failed attempts at each code, more than the old cap of two allowed in all.
    await moving_the_clock(stack, tried_thrice, step=4.0)
    # A person types a command during the outage: its answer waits for Telegram.
    typed = await stack.telegram.send(ALICE, "/orders")
    await asyncio.sleep(1.0)
    await stack.telegram.clear_faults()

    await stack.after(typed, "Your orders", timeout=15)
    await each_code_once(stack, orders)
    answers = [m for m in await stack.telegram.bot_messages(ALICE) if "Your orders" in m.body]
    assert len(answers) == 1


async def test_502_on_everything_including_get_updates(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    orders = await waiting_for_codes(stack)
    caplog.set_level(logging.INFO)
    await stack.telegram.inject_fault("*", 502, count=100_000)
    deliver_codes(stack, orders)
    # What people type now reaches the bot only once getUpdates works again.
    typed = await stack.telegram.send(BOB, "/orders")
    mark = len(await stack.telegram.calls())

    async def polls_failed() -> bool:
        calls = (await stack.telegram.calls())[mark:]
        return sum(1 for c in calls if c["method"] == "getUpdates" and not c["ok"]) >= 2

    await moving_the_clock(stack, polls_failed, step=4.0)
    await stack.telegram.clear_faults()

    await stack.after(typed, "Your orders", timeout=20)
    await each_code_once(stack, orders)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    said = [r.getMessage() for r in caplog.records if "getUpdates" in r.getMessage()]
    assert [m.split(" (")[0] for m in said if "fails" in m] == ["Telegram's getUpdates fails"]
    assert sum("answers again" in m for m in said) == 1
    assert not any(r.exc_info for r in caplog.records if "getUpdates" in r.getMessage())


async def test_a_429_storm_under_tight_limits(stack: Stack) -> None:
    orders = await waiting_for_codes(stack)
    state = stack.telegram_sandbox.state
    # Half a message a second per chat, five a second for the bot: the outbox's own budget
    # (a message a second, bursts of three) runs into 429s at once.
    state.config.private_chat_rate = 0.5
    state.config.private_chat_burst = 1
    state.config.global_per_second = 5
    state.flood.reset()
    mark = len(await stack.telegram.calls())
    deliver_codes(stack, orders)

    await each_code_once(stack, orders)
    calls = (await stack.telegram.calls())[mark:]
    assert any(c["error_code"] == 429 for c in calls), "the storm never happened"
    for seeded in orders:
        assert code_calls(calls, code_of(seeded), ok=True) == 1


async def test_sends_that_time_out_with_nothing_delivered(stack: Stack) -> None:
    await stack.reconfigure(telegram_send_timeout=0.5)
    orders = await waiting_for_codes(stack)
    # Each chat's next message fails, answered only after the bot stopped waiting: it cannot
    # know that nothing arrived.
    for user in USERS:
        await stack.telegram.inject_fault("sendMessage", 500, count=1, chat_id=user, delay=1.5)
    mark = len(await stack.telegram.calls())
    deliver_codes(stack, orders)

    await each_code_once(stack, orders)
    calls = (await stack.telegram.calls())[mark:]
    assert sum(1 for c in calls if c.get("late") and not c["ok"]) == len(USERS)


async def test_sends_delivered_but_answered_late(stack: Stack) -> None:
    await stack.reconfigure(telegram_send_timeout=0.5)
    orders = await waiting_for_codes(stack)
    # Each chat's next message arrives, but its answer comes after the bot stopped waiting.
    for user in USERS:
        await stack.telegram.inject_late_answer("sendMessage", delay=1.5, count=1, chat_id=user)
    deliver_codes(stack, orders)

    # The message whose answer was late may be repeated once, never more.
    await each_code_once(stack, orders, repeats_allowed=1)
