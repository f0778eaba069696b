"""A number with no code gets one warning a few minutes before sms4sats gives up on it."""

from __future__ import annotations

from bot.domain.kinds.receive import HOLD_TIMEOUT, WARN_BEFORE
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ALICE, Stack
from tests.e2e.flows import buy, eventually, pay_and_get_number

WARNING = "no code yet"


async def _warnings(stack: Stack) -> list[ChatMessage]:
    return [m for m in await stack.telegram.bot_messages(ALICE) if WARNING in m.body]


async def _paid_at(stack: Stack) -> float:
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.paid_at is not None
    return order.paid_at


async def _to_warning_time(stack: Stack, paid_at: float, after: float = 5.0) -> None:
    await stack.advance(paid_at + HOLD_TIMEOUT - WARN_BEFORE + after - stack.clock())


async def test_one_warning_with_time_left_refund_and_cancel(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    assert await _warnings(stack) == []

    await _to_warning_time(stack, await _paid_at(stack))
    warning = await stack.wait_text(ALICE, WARNING)
    assert "+1 415-555-0123" in warning.body and "runs out at" in warning.body
    assert "(in 3 min 55 s)" in warning.body
    assert "sats return to your wallet by themselves" in warning.body
    assert [b.text for b in warning.buttons] == ["✖️ Cancel order"]

    # Checks go on; the warning is not repeated, and survives a restart as "sent".
    await stack.advance(60)
    await stack.reconfigure()
    await stack.advance(60)

    async def checked_since_restart() -> bool:
        return stack.services.poller.checks > 3

    await eventually(checked_since_restart)
    assert len(await _warnings(stack)) == 1

    answer = await stack.telegram.press(ALICE, warning, "Cancel")
    assert answer.text is not None and "cancelled" in answer.text.lower()
    await stack.wait_text(ALICE, "Cancelled. Your sats return")


async def test_no_warning_once_the_code_came(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.sms4sats.deliver_code(invoice.remote_id, "777111")
    await stack.wait_text(ALICE, "777111")
    await _to_warning_time(stack, await _paid_at(stack))

    async def closed() -> bool:
        return (await stack.services.orders.for_user(ALICE))[0].closed_at is not None

    await eventually(closed)
    assert await _warnings(stack) == []


async def test_a_warning_due_during_a_restart_is_sent_after_it(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    paid_at = await _paid_at(stack)
    await stack.stop_bot()
    await _to_warning_time(stack, paid_at, after=30)
    await stack.start_bot()
    await stack.wait_text(ALICE, WARNING)
    assert len(await _warnings(stack)) == 1
