"""Buying an SMS code end to end: the real bot, Telegram and sms4sats stand-ins, real HTTP."""

from __future__ import annotations

import asyncio

from bot.domain.invoices import decode_invoice
from bot.domain.orders import OrderState
from tests.e2e.conftest import ALICE, BOB, BOTH_BACKENDS, REF, Stack
from tests.e2e.flows import (
    buy,
    eventually,
    no_invoice_photos,
    open_confirmation,
    pay_and_get_number,
    qr_text,
)


@BOTH_BACKENDS
async def test_happy_path(stack: Stack) -> None:
    await stack.say(ALICE, "/buy")
    picker = await stack.wait_text(ALICE, "Pick a country for your number")
    labels = [b.text for b in picker.buttons]
    assert labels[0] == "📱 Service first"
    assert "Auto-Select" in labels[1]
    assert labels[2] == "🇺🇸 United States"

    await stack.telegram.press(ALICE, picker, "United States")
    services = await stack.wait_text(ALICE, "Pick a service in")
    assert services.message_id == picker.message_id  # the menu is edited, not repeated
    assert services.buttons[0].text == "Telegram"  # popular services first

    await stack.telegram.press(ALICE, services, "Telegram")
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    price = (await stack.services.sms4sats.get_price(187, "tg")).computed_price
    assert price is not None
    assert f"{price:,} sats" in confirmation.body
    assert "Telegram" in confirmation.body and "United States" in confirmation.body
    assert "return to your wallet" in confirmation.body
    assert any("Buy" in b.text for b in confirmation.buttons)

    await stack.telegram.press(ALICE, confirmation, "Buy")
    photo = await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    remote = (await stack.sms4sats.orders(kind="receive"))[0]
    payreq = remote["payreq"]
    assert remote["ref"] == REF and remote["country"] == 187 and remote["service"] == "tg"

    # The QR is the invoice, upper case behind LIGHTNING: (BOLT11's advice for QR codes).
    assert photo.photo_file_id is not None
    assert qr_text(await stack.telegram.file_bytes(photo.photo_file_id)) == (
        "LIGHTNING:" + payreq.upper()
    )
    invoice = decode_invoice(payreq)
    assert invoice is not None
    caption = photo.body
    assert f"{invoice.amount_sats:,} sats" in caption
    assert invoice.expires_at.strftime("%H:%M UTC") in caption
    assert "hold invoice" in caption.lower() and "return to your wallet" in caption
    assert any(e["type"] == "code" for e in photo.entities)
    assert payreq in caption
    assert any("Cancel" in b.text for b in photo.buttons)

    await stack.sms4sats.pay(remote["orderId"])
    card = await stack.wait_text(ALICE, "Payment received")
    await stack.sms4sats.assign_number(remote["orderId"], "14155550123")
    card = await stack.wait_text(ALICE, "+1 415-555-0123")
    assert any(b.copy_text == "+14155550123" for b in card.buttons)
    # The paid invoice photo is gone: nobody should pay it twice.
    await eventually(lambda: no_invoice_photos(stack, ALICE))

    await stack.sms4sats.deliver_code(remote["orderId"], "48010")
    code = await stack.wait_text(ALICE, "🔑 Your code")
    assert code.message_id != card.message_id  # a new message, which notifies
    assert "48010" in code.body
    assert any(b.copy_text == "48010" for b in code.buttons)
    done = await stack.wait_text(ALICE, "Done")
    assert done.message_id == card.message_id

    await _until_closed(stack)
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.state is OrderState.COMPLETED and order.code == "48010"
    assert order.amount_sats == invoice.amount_sats
    codes = [m for m in await stack.telegram.bot_messages(ALICE) if "48010" in m.body]
    assert len(codes) == 2  # the code message and the card, nothing repeated


async def _until_closed(stack: Stack, timeout: float = 5.0) -> None:
    async def closed() -> bool:
        return not await stack.services.orders.open_orders()

    await eventually(closed, timeout)


async def test_no_number_available(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Payment received")
    await stack.sms4sats.no_number(invoice.remote_id)
    card = await stack.wait_text(ALICE, "No number was available")
    assert "sats return to your wallet automatically" in card.body
    # Nothing left to do with the order itself, only what comes next.
    assert [b.text for b in card.buttons] == [
        "🌐 Same service elsewhere",
        "🔔 Tell me when it's back",
        "🌍 Try another country",
    ]
    await _until_closed(stack)


async def test_cancel_before_and_after_two_minutes(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    card = await pay_and_get_number(stack, ALICE, invoice)
    answer = await stack.telegram.press(ALICE, card, "Cancel")
    assert answer.show_alert and answer.text is not None
    assert "2 minutes after payment" in answer.text and "UTC" in answer.text
    assert (await stack.sms4sats.order(invoice.remote_id))["state"] != "cancelled"
    assert not [r for r in await stack.sms4sats.requests() if r["path"] == "/cancelorder"]

    await stack.advance(125)
    answer = await stack.telegram.press(ALICE, card, "Cancel")
    assert answer.text is not None and "cancelled" in answer.text.lower()
    assert "sats return" in answer.text
    await stack.wait_text(ALICE, "Cancelled. Your sats return")
    cancels = [r for r in await stack.sms4sats.requests() if r["path"] == "/cancelorder"]
    assert len(cancels) == 1 and cancels[0]["method"] == "GET"
    assert cancels[0]["query"] == {"orderId": invoice.remote_id}


async def test_cancel_unpaid_invoice(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    answer = await stack.telegram.press(ALICE, invoice.message, "Cancel")
    assert answer.text is not None and "Nothing was charged" in answer.text
    await stack.wait_text(ALICE, "Cancelled. Nothing was charged")
    # The unpaid invoice's QR is removed so it cannot be paid by mistake.
    await eventually(lambda: no_invoice_photos(stack, ALICE))


async def test_expiry_after_21_minutes(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.advance(21 * 60 + 5)
    card = await stack.wait_text(ALICE, "No code arrived in time")
    assert "sats return to your wallet automatically" in card.body
    await _until_closed(stack)
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.state is OrderState.EXPIRED


async def test_unpaid_invoice_expires(stack: Stack) -> None:
    await buy(stack, ALICE)
    await stack.advance(16 * 60)
    await stack.wait_text(ALICE, "invoice expired before it was paid")
    await _until_closed(stack)


async def test_sms4sats_faults_while_polling_lose_nothing(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await stack.sms4sats.inject_fault("http500", count=3, path="/orderstatus")
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Payment received")
    await stack.sms4sats.inject_fault("invalid_json", count=3, path="/orderstatus")
    await stack.sms4sats.assign_number(invoice.remote_id)
    await stack.sms4sats.deliver_code(invoice.remote_id, "777111")
    await stack.wait_text(ALICE, "🔑 Your code", timeout=15)
    await _until_closed(stack, timeout=15)
    codes = [m for m in await stack.telegram.bot_messages(ALICE) if "🔑 Your code" in m.body]
    assert len(codes) == 1
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.state is OrderState.COMPLETED and order.poll_failures == 0


async def test_two_users_at_once(stack: Stack) -> None:
    alice, bob = await asyncio.gather(buy(stack, ALICE), buy(stack, BOB, "Germany", "WhatsApp"))
    assert alice.remote_id != bob.remote_id
    await asyncio.gather(stack.sms4sats.pay(alice.remote_id), stack.sms4sats.pay(bob.remote_id))
    await stack.sms4sats.deliver_code(alice.remote_id, "1111")
    await stack.sms4sats.deliver_code(bob.remote_id, "2222")
    alice_code = await stack.wait_text(ALICE, "🔑 Your code")
    bob_code = await stack.wait_text(BOB, "🔑 Your code")
    assert "1111" in alice_code.body and "2222" not in alice_code.body
    assert "2222" in bob_code.body and "1111" not in bob_code.body
    assert "WhatsApp" in bob_code.body


@BOTH_BACKENDS
async def test_double_tap_on_buy_makes_one_order(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    await asyncio.gather(
        stack.telegram.press(ALICE, confirmation, "Buy"),
        stack.telegram.press(ALICE, confirmation, "Buy"),
    )
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    await asyncio.sleep(0.3)
    assert len(await stack.sms4sats.orders(kind="receive")) == 1
    # Pressed again much later, the same button still does not order twice.
    await stack.telegram.press(ALICE, confirmation, "Buy")
    await stack.wait_text(ALICE, "already ordered")
    assert len(await stack.sms4sats.orders(kind="receive")) == 1


async def test_empty_country_and_back(stack: Stack) -> None:
    await stack.say(ALICE, "/buy")
    picker = await stack.wait_text(ALICE, "Pick a country for your number")
    await stack.say(ALICE, "myanmar")
    results = await stack.wait_text(ALICE, "Countries matching")
    await stack.telegram.press(ALICE, results, "Myanmar")
    empty = await stack.wait_text(ALICE, "No numbers are available")
    await stack.telegram.press(ALICE, empty, "Countries")
    await stack.wait_text(ALICE, "Pick a country for your number")
    assert picker.message_id != results.message_id


async def test_typing_filters_the_open_picker(stack: Stack) -> None:
    await stack.say(ALICE, "/buy")
    await stack.wait_text(ALICE, "Pick a country for your number")
    await stack.say(ALICE, "GERM")
    results = await stack.wait_text(ALICE, "Countries matching “GERM”")
    assert results.buttons[0].text.endswith("Germany")
    await stack.telegram.press(ALICE, results, "Germany")
    await stack.wait_text(ALICE, "Pick a service in")
    await stack.say(ALICE, "whats")
    found = await stack.wait_text(ALICE, "matching “whats”")
    assert "WhatsApp" in [b.text for b in found.buttons]
    await stack.say(ALICE, "zzzz")
    await stack.wait_text(ALICE, "No service in")


async def test_orders_list_and_card(stack: Stack) -> None:
    await stack.say(ALICE, "/orders")
    await stack.wait_text(ALICE, "no orders yet")
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.say(ALICE, "/orders")
    listing = await stack.wait_text(ALICE, "Your orders")
    entry = next(b for b in listing.buttons if b.text.startswith("#"))
    assert "Telegram" in entry.text and "waiting for the code" in entry.text
    await stack.telegram.press(ALICE, listing, entry.text)
    # The live card moves to the bottom of the chat and keeps updating there.
    await stack.sms4sats.deliver_code(invoice.remote_id, "9090")
    await stack.wait_text(ALICE, "🔑 Your code")
    # The code goes first; the card's edit to Done follows it.
    await stack.wait_text(ALICE, "Done")
    cards = [m for m in await stack.telegram.bot_messages(ALICE) if m.body.startswith("Order #")]
    assert len(cards) == 1 and "Done" in cards[0].body
    assert cards[0].message_id > listing.message_id
