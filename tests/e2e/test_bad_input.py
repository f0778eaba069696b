"""Users type anything and press old buttons; Telegram answers 403 and 429. Nothing breaks."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.catalog import Catalog
from bot.domain.orders import OrderState
from bot.sms4sats import Service
from storage import OrderStore
from tests.e2e.conftest import ALICE, API_KEY, Stack
from tests.e2e.flows import buy, eventually, open_confirmation, pay_and_get_number


async def test_random_text_gets_a_hint(stack: Stack) -> None:
    await stack.say(ALICE, "hello?")
    reply = await stack.wait_text(ALICE, "/buy")
    assert "tap /buy" in reply.body


async def test_huge_message(stack: Stack) -> None:
    await stack.say(ALICE, "/buy")
    await stack.wait_text(ALICE, "Pick a country for your number")
    # Telegram splits a 5,000-character paste into messages of at most 4,096 characters.
    first = await stack.ask(ALICE, "x" * 4096, "long message")
    second = await stack.ask(ALICE, "y" * 904, "long message")
    assert first.message_id != second.message_id
    assert len(first.body) < 200 and "xxxx" not in first.body  # not echoed back


async def test_unknown_command_and_non_text(stack: Stack) -> None:
    await stack.say(ALICE, "/frobnicate")
    await stack.wait_text(ALICE, "don't know that command")


async def test_button_from_another_version(stack: Stack) -> None:
    await stack.say(ALICE, "/start")
    start = await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    for data in ("v0:country:de", "oc:notanumber", "zz"):
        answer = await stack.telegram.press_data(ALICE, ALICE, start.message_id, data)
        assert answer.show_alert and answer.text is not None and "older menu" in answer.text


async def test_old_buttons_at_every_step(stack: Stack) -> None:
    picker = await stack.ask(ALICE, "/buy", "Pick a country for your number")
    old_country_page = next(b for b in picker.buttons if b.text.startswith("Next"))
    confirmation = await open_confirmation(stack, ALICE)
    old_buy = next(b for b in confirmation.buttons if "Buy" in b.text)
    # The picker's old "Next" still pages the country list (it carries its page number).
    await stack.telegram.press_data(
        ALICE, ALICE, picker.message_id, str(old_country_page.callback_data)
    )
    await stack.after(picker, "Page 2 of", inclusive=True)

    invoice = await buy(stack, ALICE)
    card = await pay_and_get_number(stack, ALICE, invoice)
    await stack.sms4sats.deliver_code(invoice.remote_id, "4242")
    await stack.wait_text(ALICE, "🔑 Your code")

    # The finished order's old Cancel button cannot cancel anything.
    cancel = next(b for b in card.buttons if "Cancel" in b.text)
    answer = await stack.telegram.press_data(
        ALICE, ALICE, card.message_id, str(cancel.callback_data)
    )
    assert answer.text is not None and "no longer be cancelled" in answer.text
    refresh = next(b for b in card.buttons if "Check" in b.text)
    answer = await stack.telegram.press_data(
        ALICE, ALICE, card.message_id, str(refresh.callback_data)
    )
    assert answer.text == "Status: done"

    # The first confirmation's Buy, pressed late: a fresh order from that confirmation only.
    await stack.telegram.press_data(
        ALICE, ALICE, confirmation.message_id, str(old_buy.callback_data)
    )
    await stack.telegram.wait_for_message(
        ALICE, lambda m: m.photo_file_id is not None and "order #2" in m.body
    )
    orders = await stack.services.orders.for_user(ALICE)
    assert [o.id for o in orders] == [2, 1]
    assert orders[1].state is OrderState.COMPLETED  # the old keyboard never touched order 1


async def test_stale_confirmation_is_shown_again(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    stack.clock.offset += 20 * 60
    await stack.telegram.press(ALICE, confirmation, "Buy")
    await stack.wait_text(ALICE, "This confirmation is old")
    assert await stack.sms4sats.orders(kind="receive") == []


async def test_blocked_user_stops_notifications(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await stack.telegram.block(ALICE)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.sms4sats.deliver_code(invoice.remote_id, "1357")

    async def closed() -> bool:
        return not await stack.services.orders.open_orders()

    await eventually(closed, 10)
    sends_before = len(await stack.telegram.calls())
    await asyncio.sleep(0.6)  # a few poll ticks: the bot does not keep knocking
    calls = (await stack.telegram.calls())[sends_before:]
    assert all(c["method"] == "getUpdates" for c in calls)
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.state is OrderState.COMPLETED and order.code == "1357"
    assert await stack.services.chats.chat_status(ALICE) == "kicked"

    await stack.telegram.unblock(ALICE)
    await stack.say(ALICE, "/orders")
    listing = await stack.wait_text(ALICE, "Your orders")
    assert any("done" in b.text for b in listing.buttons)


async def test_flood_wait_is_waited_out(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Payment received")
    await stack.telegram.inject_fault("sendMessage", 429, count=1, retry_after=1)
    await stack.sms4sats.deliver_code(invoice.remote_id, "2468")
    await stack.wait_text(ALICE, "🔑 Your code", timeout=15)
    await asyncio.sleep(0.5)
    messages = await stack.telegram.bot_messages(ALICE)
    assert len([m for m in messages if m.body.startswith("🔑")]) == 1


async def test_sms4sats_down_when_browsing(stack: Stack) -> None:
    await stack.sms4sats.inject_fault("http500", count=10, path="/getnumbersstatus")
    await stack.say(ALICE, "/buy")
    picker = await stack.wait_text(ALICE, "Pick a country for your number")
    await stack.telegram.press(ALICE, picker, "United States")
    reply = await stack.wait_text(ALICE, "having trouble")
    assert "Traceback" not in reply.body
    await stack.sms4sats.clear_faults()
    await stack.telegram.press(ALICE, reply, "Countries")
    await stack.wait_text(ALICE, "Pick a country for your number")


async def test_order_creation_failure_offers_retry(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    await stack.sms4sats.inject_fault("http500", count=1, path="/createorder")
    await stack.telegram.press(ALICE, confirmation, "Buy")
    failed = await stack.wait_text(ALICE, "could not be created")
    await stack.telegram.press(ALICE, failed, "Try again")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    assert len(await stack.sms4sats.orders(kind="receive")) == 1


async def test_an_unexpected_error_reaches_the_user_as_a_sentence(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Catalog, country: int) -> list[Service]:
        raise RuntimeError(f"internal detail {API_KEY}")

    monkeypatch.setattr(Catalog, "services", broken)
    picker = await stack.ask(ALICE, "/buy", "Pick a country for your number")
    await stack.telegram.press(ALICE, picker, "United States")
    reply = await stack.after(picker, "something went wrong")
    assert "internal detail" not in reply.body and "Traceback" not in reply.body
    await stack.ask(ALICE, "/help", "Commands")  # and the bot keeps going


async def test_an_unexpected_error_in_a_command(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: OrderStore, user_id: int) -> int:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(OrderStore, "count_for_user", broken)
    reply = await stack.ask(ALICE, "/orders", "something went wrong")
    assert "fire" not in reply.body


async def test_a_service_that_is_gone_says_so(stack: Stack) -> None:
    picker = await stack.ask(ALICE, "/buy", "Pick a country for your number")
    services = await stack.press(ALICE, picker, "United States", "Pick a service in")
    # An old button for a service USA no longer has in stock.
    await stack.telegram.press_data(ALICE, ALICE, services.message_id, "sc:187:zz")
    reply = await stack.after(services, "no numbers left", inclusive=True)
    assert "Pick a service in" in reply.body
