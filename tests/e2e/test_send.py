"""/send end to end: validation, the invoice or the balance, delivery and failure."""

from __future__ import annotations

from bot.core import sending
from bot.domain.orders import OrderState
from tests.e2e.conftest import ADMIN_ID, ALICE, BOTH_BACKENDS, Stack
from tests.e2e.flows import qr_text


async def draft(stack: Stack, user: int, phone: str = "+1 415 555 0123", text: str = "Hi!") -> None:
    await stack.ask(user, "/send", "Which phone number")
    await stack.ask(user, phone, "What should the SMS")
    await stack.ask(user, text, "Please confirm")


@BOTH_BACKENDS
async def test_validation_then_paid_by_invoice_then_delivered(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    reply = await stack.ask(ALICE, "4155550123", "country code")
    assert "send the number again" in reply.body
    await stack.ask(ALICE, "+1 555", "not a valid phone number")
    await stack.ask(ALICE, "call me maybe", "That is not a phone number")
    await stack.ask(ALICE, "+1 (415) 555-0123", "SMS to +1 415-555-0123")
    too_long = await stack.ask(ALICE, "x" * 141, "141 characters")
    assert "140" in too_long.body
    confirmation = await stack.ask(ALICE, "Hello <b>from</b> sms4sats-bot", "Please confirm")
    assert "+1 415-555-0123" in confirmation.body
    assert "Hello <b>from</b> sms4sats-bot" in confirmation.body  # shown as typed, not as HTML
    assert "3,000 sats" in confirmation.body
    assert "return to your wallet" in confirmation.body
    labels = [b.text for b in confirmation.buttons]
    assert not any("balance" in label for label in labels)  # Alice is no admin

    await stack.telegram.press(ALICE, confirmation, "Send for")
    photo = await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    assert (
        remote["phone"] == "+14155550123" and remote["message"] == "Hello <b>from</b> sms4sats-bot"
    )
    assert photo.photo_file_id is not None
    assert qr_text(await stack.telegram.file_bytes(photo.photo_file_id)).startswith(
        "LIGHTNING:LNBC"
    )
    assert "3,000 sats" in photo.body and "once the SMS is sent" in photo.body
    assert any("Cancel" in b.text for b in photo.buttons)  # forgets it here (test_withdraw_invoice)

    await stack.sms4sats.pay(remote["orderId"])
    await stack.wait_text(ALICE, "Sending your SMS")
    await stack.sms4sats.set_sms_status(remote["orderId"], "sent")
    await stack.wait_text(ALICE, "waiting for the delivery report")
    await stack.sms4sats.set_sms_status(remote["orderId"], "delivered")
    card = await stack.wait_text(ALICE, "Delivered")
    assert "Hello <b>from</b> sms4sats-bot" in card.body
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.state is OrderState.COMPLETED


async def test_failed_send_says_sats_return(stack: Stack) -> None:
    await draft(stack, ALICE)
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    await stack.telegram.press(ALICE, confirmation, "Send for")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    await stack.sms4sats.pay(remote["orderId"])
    await stack.sms4sats.set_sms_status(remote["orderId"], "failed")
    card = await stack.wait_text(ALICE, "could not be delivered")
    assert "sats return to your wallet automatically" in card.body


@BOTH_BACKENDS
async def test_admin_pays_from_balance(stack: Stack) -> None:
    before = await stack.services.sms4sats.balance()
    await draft(stack, ADMIN_ID)
    confirmation = await stack.wait_text(ADMIN_ID, "Please confirm")
    assert "prepaid sms4sats balance" in confirmation.body
    await stack.telegram.press(ADMIN_ID, confirmation, "Pay from balance")
    await stack.wait_text(ADMIN_ID, "paid from the prepaid balance")
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    assert remote["api_key_used"] is True
    await stack.sms4sats.set_sms_status(remote["orderId"], "delivered")
    await stack.wait_text(ADMIN_ID, "Delivered")
    assert await stack.services.sms4sats.balance() == before - remote["amount"]
    assert all(m.photo_file_id is None for m in await stack.telegram.bot_messages(ADMIN_ID))
    created = [r for r in await stack.sms4sats.requests() if r["path"] == "/createsendorder"]
    assert created[0]["json"]["immediate"] is True and created[0]["api_key_present"]


async def test_admin_balance_send_fails(stack: Stack) -> None:
    await draft(stack, ADMIN_ID)
    confirmation = await stack.wait_text(ADMIN_ID, "Please confirm")
    await stack.telegram.press(ADMIN_ID, confirmation, "Pay from balance")
    await stack.wait_text(ADMIN_ID, "paid from the prepaid balance")
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    await stack.sms4sats.set_sms_status(remote["orderId"], "failed")
    card = await stack.wait_text(ADMIN_ID, "could not be delivered")
    assert "balance is not charged" in card.body


async def test_non_admin_cannot_forge_pay_from_balance(stack: Stack) -> None:
    await draft(stack, ALICE)
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    pay = next(b for b in confirmation.buttons if "Send for" in b.text)
    assert pay.callback_data is not None
    forged = pay.callback_data[:-1] + "1"  # the same draft, "from balance"
    answer = await stack.telegram.press_data(ALICE, ALICE, confirmation.message_id, forged)
    assert answer.show_alert and answer.text is not None and "admins only" in answer.text
    assert await stack.sms4sats.orders(kind="send") == []


async def test_cancel_and_other_commands_leave_the_conversation(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.ask(ALICE, "/cancel", "Closed your /send. No SMS was sent")
    await stack.ask(ALICE, "+14155550123", "tap /buy")  # no conversation: just the hint

    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.ask(ALICE, "/buy", "Pick a country for your number")
    # The picker is open now, and typed text searches it instead of feeding /send.
    await stack.ask(ALICE, "germ", "Countries matching")
    await stack.ask(ALICE, "/cancel", "Nothing was bought")
    await stack.ask(ALICE, "/cancel", "nothing to cancel")


async def test_conversation_times_out(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.advance(sending.CONVERSATION_TIMEOUT - 10)
    await stack.ask(ALICE, "12", "country code")  # still asked: a wrong number, asked again
    await stack.advance(sending.CONVERSATION_TIMEOUT + 1)
    await stack.wait_text(ALICE, "timed out")
    await stack.ask(ALICE, "+14155550123", "tap /buy")


async def test_a_step_survives_a_restart(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.reconfigure()
    await stack.ask(ALICE, "+14155550123", "What should the SMS")
    await stack.reconfigure()
    await stack.ask(ALICE, "Hi!", "Please confirm")


async def test_draft_is_used_once(stack: Stack) -> None:
    await draft(stack, ALICE)
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    await stack.telegram.press(ALICE, confirmation, "Send for")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    pay = next(b for b in confirmation.buttons if "Send for" in b.text)
    await stack.telegram.press_data(ALICE, ALICE, confirmation.message_id, str(pay.callback_data))
    await stack.wait_text(ALICE, "already ordered")
    assert len(await stack.sms4sats.orders(kind="send")) == 1


@BOTH_BACKENDS
async def test_a_confirmation_still_works_after_a_restart(stack: Stack) -> None:
    await draft(stack, ALICE)
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    await stack.reconfigure()
    await stack.telegram.press(ALICE, confirmation, "Send for")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    assert len(await stack.sms4sats.orders(kind="send")) == 1


async def test_no_key_means_no_balance_button(stack: Stack) -> None:
    await stack.reconfigure(sms4sats_api_key=None)
    await draft(stack, ADMIN_ID)
    confirmation = await stack.wait_text(ADMIN_ID, "Please confirm")
    assert not any("balance" in b.text for b in confirmation.buttons)
