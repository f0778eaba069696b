"""SMS and top-up invoices can be cancelled too: only forgotten on our side, and said so."""

from __future__ import annotations

from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ADMIN_ID, ALICE, Stack
from tests.e2e.flows import eventually
from tests.e2e.test_send import draft


async def _sms_invoice(stack: Stack) -> ChatMessage:
    await draft(stack, ALICE)
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    await stack.telegram.press(ALICE, confirmation, "Send for")
    return await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)


async def _order_state(stack: Stack, user: int) -> str:
    return str((await stack.services.orders.for_user(user))[0].state)


async def test_an_unpaid_sms_invoice_is_forgotten_here_and_said_so(stack: Stack) -> None:
    invoice = await _sms_invoice(stack)
    answer = await stack.telegram.press(ALICE, invoice, "Cancel")
    assert answer.show_alert and answer.text is not None
    assert "Cancelled here" in answer.text and "do not pay it any more" in answer.text
    card = await stack.wait_text(ALICE, "Do not pay this invoice any more")
    assert card.photo_file_id is None
    assert await _order_state(stack, ALICE) == "cancelled"
    # sms4sats has no cancel for SMS orders: nothing was asked of it.
    assert not [r for r in await stack.sms4sats.requests() if r["path"] == "/cancelorder"]


async def test_a_paid_sms_invoice_is_not_forgotten(stack: Stack) -> None:
    invoice = await _sms_invoice(stack)
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    await stack.sms4sats.pay(remote["orderId"])
    answer = await stack.telegram.press(ALICE, invoice, "Cancel")
    assert answer.text is not None and "can no longer be cancelled" in answer.text

    async def moved_on() -> bool:
        return await _order_state(stack, ALICE) != "awaiting_payment"

    await eventually(moved_on)
    assert await _order_state(stack, ALICE) != "cancelled"


async def test_a_top_up_invoice_can_be_cancelled_from_the_cancel_command(stack: Stack) -> None:
    await stack.ask(ADMIN_ID, "/fund 25,000", "top-up of 25,000 sats")
    await stack.telegram.wait_for_message(ADMIN_ID, lambda m: m.photo_file_id is not None)
    reply = await stack.ask(ADMIN_ID, "/cancel", "Your open orders")
    assert "not paid" in reply.body
    order = (await stack.services.orders.for_user(ADMIN_ID))[0]
    answer = await stack.telegram.press(ADMIN_ID, reply, f"Cancel #{order.id}")
    assert answer.text is not None and "Cancelled here" in answer.text
    await stack.wait_text(ADMIN_ID, "Do not pay this invoice any more")
