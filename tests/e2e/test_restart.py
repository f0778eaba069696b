"""Restarts are invisible: open orders resume, and every number and code arrives exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage import PlacementStore
from tests.e2e.conftest import ALICE, BOTH_BACKENDS, Stack
from tests.e2e.flows import buy, eventually, no_invoice_photos, open_confirmation

ROOT = Path(__file__).resolve().parents[2]


@BOTH_BACKENDS
async def test_restart_between_payment_and_code(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Payment received")
    await stack.stop_bot()

    await stack.sms4sats.assign_number(invoice.remote_id, "14155550123")
    await stack.sms4sats.deliver_code(invoice.remote_id, "5150")
    await stack.start_bot()

    await stack.wait_text(ALICE, "🔑 Your code")
    await stack.wait_text(ALICE, "Done")
    messages = await stack.telegram.bot_messages(ALICE)
    assert len([m for m in messages if m.body.startswith("🔑")]) == 1


@asynccontextmanager
async def bot_process(stack: Stack, database_url: str) -> AsyncIterator[subprocess.Popen[bytes]]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": stack.settings.telegram_token,
        "TELEGRAM_API_URL": stack.settings.telegram_api_url,
        "SMS4SATS_API_URL": stack.settings.sms4sats_api_url,
        "DATABASE_URL": database_url,
        "POLL_INTERVAL": "0.2",
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            await asyncio.to_thread(process.wait, 10)


@BOTH_BACKENDS
async def test_sigkill_between_payment_and_code(stack: Stack, tmp_path: Path) -> None:
    # The in-process bot steps aside; two real processes take turns on one database (the
    # in-process bot's: it stopped cleanly, and its orders are none of these).
    await stack.stop_bot()
    database = stack.settings.postgres_url or f"sqlite:///{tmp_path / 'killed.db'}"
    async with bot_process(stack, database) as first:
        await stack.say(ALICE, "/start")
        await stack.wait_text(ALICE, "Phone numbers for SMS codes", timeout=30)
        invoice = await buy(stack, ALICE)
        await stack.sms4sats.pay(invoice.remote_id)
        await stack.wait_text(ALICE, "Payment received")
        # The invoice photo is deleted after the new card is recorded: the step is settled.
        await eventually(lambda: no_invoice_photos(stack, ALICE))
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, 10)

    await stack.sms4sats.assign_number(invoice.remote_id, "14155550123")
    await stack.sms4sats.deliver_code(invoice.remote_id, "8642")

    async with bot_process(stack, database):
        await stack.wait_text(ALICE, "🔑 Your code", timeout=30)
        await stack.wait_text(ALICE, "Done", timeout=10)

        async def settled() -> bool:
            calls = await stack.telegram.calls()
            return sum(1 for c in calls if "8642" in str(c["params"].get("text", ""))) >= 2

        await eventually(settled)
        await asyncio.sleep(1)  # several more poll ticks: nothing may be sent again
    messages = await stack.telegram.bot_messages(ALICE)
    assert len([m for m in messages if m.body.startswith("🔑")]) == 1
    cards = [m for m in messages if m.body.startswith("Order #")]
    assert len(cards) == 1 and "Done" in cards[0].body


async def test_a_placement_cut_short_after_its_order_was_stored_points_to_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirmation = await open_confirmation(stack, ALICE)

    async def killed(self: PlacementStore, chat_id: int, message_id: int) -> None:
        raise RuntimeError("killed right after the order was stored")

    # The process "dies" between storing the order and ending the placement: the confirmation
    # still says it is creating the order.
    with monkeypatch.context() as patched:
        patched.setattr(PlacementStore, "end", killed)
        await stack.telegram.press(ALICE, confirmation, "Buy")
        await stack.after(confirmation, "Creating your order", inclusive=True)
        await eventually(lambda: _unfinished(stack), timeout=5)
    await stack.stop_bot()
    await stack.start_bot()

    # At start the bot finds the placement and its order: the message points to the order.
    pointed = await stack.after(confirmation, "created. Its card below", inclusive=True)
    assert pointed.message_id == confirmation.message_id
    (order,) = await stack.services.orders.for_user(ALICE)
    assert f"Order #{order.id} created" in pointed.body
    assert await stack.services.placement.placements.unfinished() == []


async def _unfinished(stack: Stack) -> bool:
    return len(await stack.services.placement.placements.unfinished()) == 1
