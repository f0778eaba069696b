"""Renting a number end to end (RENTALS=on): /rent → confirmation → invoice → SMS → the end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain.kinds.rental import WEEK
from bot.domain.orders import OrderKind, OrderState
from handlers.ui.callbacks import ExpectSms
from handlers.ui.texts import day_and_time
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ALICE, BOTH_BACKENDS, REF, Stack
from tests.e2e.flows import buy, eventually, pay_and_get_number, rent
from tests.e2e.test_groups import GROUP, make_group

INDONESIA = 6  # the sandbox rents numbers there for 2 weeks, 1,368 sats


async def wait_sms(stack: Stack, user: int, needle: str, timeout: float = 10.0) -> ChatMessage:
    """The SMS's own message (the card lists it too, maybe first)."""
    return await stack.telegram.wait_for_message(
        user, lambda m: m.body.startswith("✉️ New SMS") and needle in m.body, timeout=timeout
    )


async def sms_messages(stack: Stack, user: int) -> list[ChatMessage]:
    return [m for m in await stack.telegram.bot_messages(user) if m.body.startswith("✉️ New SMS")]


@BOTH_BACKENDS
async def test_rental_from_rent_to_three_sms_across_a_restart(stack: Stack) -> None:
    await stack.reconfigure(rentals=True)
    picker = await stack.ask(ALICE, "/rent", "Rent a number")
    labels = [b.text for b in picker.buttons]
    assert "🇮🇩 Indonesia · 2 weeks · 1,368 sats" in labels
    assert any(label.startswith("🇺🇸 United States · 4 weeks") for label in labels)

    confirmation, invoice = await rent(stack, ALICE)
    # Said plainly before paying: the duration, the price, no refund, and Telegram.
    body = confirmation.body
    assert "2 weeks" in body and "1,368 sats" in body
    assert "not refunded" in body and "not work for Telegram" in body
    assert "not refunded" in invoice.message.body  # and again under the invoice

    created = [r for r in await stack.sms4sats.requests() if r["path"] == "/createorder"]
    assert created[-1]["json"] == {
        "country": INDONESIA, "service": "full", "isRental": True, "ref": REF,
    }  # fmt: skip
    remote = await stack.sms4sats.order(invoice.remote_id)
    assert remote["is_rental"] and remote["rental_weeks"] == 2

    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Getting your rented number")
    await stack.sms4sats.assign_number(invoice.remote_id, "6281234567")
    card = await stack.wait_text(ALICE, "📱 Your rented number")
    paid_at = (await stack.sms4sats.order(invoice.remote_id))["paid_at"]
    until = day_and_time(datetime.fromtimestamp(paid_at + 2 * WEEK, UTC))
    assert f"Rented until {until}" in card.body
    assert "No SMS yet" in card.body
    assert any(b.copy_text == "+6281234567" for b in card.buttons)
    assert not any("Cancel" in b.text for b in card.buttons)  # not refunded: nothing to cancel

    await stack.sms4sats.deliver_sms(invoice.remote_id, "Your WhatsApp code is 111-222")
    first = await wait_sms(stack, ALICE, "111-222")
    assert first.body.startswith("✉️ New SMS on +62")
    assert any(b.copy_text == "111222" for b in first.buttons)
    await stack.sms4sats.deliver_sms(invoice.remote_id, code="333444")
    await wait_sms(stack, ALICE, "333444")

    # The bot is down while the third SMS arrives; it is told once the bot is back, and the
    # first two are not told again.
    await stack.stop_bot()
    await stack.sms4sats.deliver_sms(invoice.remote_id, "Welcome to Example, no code here")
    await stack.start_bot()
    third = await wait_sms(stack, ALICE, "Welcome to Example")
    assert third.buttons == []  # nothing to copy in a text without a code

    async def card_shows_all_three() -> bool:
        card_now = next(
            m for m in await stack.telegram.bot_messages(ALICE) if m.message_id == card.message_id
        )
        return "Latest 3 SMS" in card_now.body

    await eventually(card_shows_all_three)
    await asyncio.sleep(1)  # several more checks: nothing may be told again
    told = await sms_messages(stack, ALICE)
    assert len(told) == 3
    assert [sum(needle in m.body for m in told) for needle in ("111-222", "333444", "Welcome")] == [
        1, 1, 1,
    ]  # fmt: skip

    # The rental runs out: the card says so, and sms4sats is no longer asked about it.
    await stack.advance(2 * WEEK + 5)
    ended = await stack.wait_text(ALICE, "This rental ended on")
    assert until in ended.body and ended.message_id == card.message_id
    assert not any("expecting" in b.text for b in ended.buttons)

    async def closed() -> bool:
        return not await stack.services.orders.open_orders()

    await eventually(closed)
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.kind is OrderKind.RENTAL and order.state is OrderState.COMPLETED
    asked = len([r for r in await stack.sms4sats.requests() if r["path"] == "/orderstatus"])
    await stack.advance(60)
    await asyncio.sleep(0.6)
    assert len([r for r in await stack.sms4sats.requests() if r["path"] == "/orderstatus"]) == asked

    await stack.say(ALICE, "/orders")
    listing = await stack.wait_text(ALICE, "Your orders")
    assert any(f"until {until}" in b.text and "ended" in b.text for b in listing.buttons)


async def test_expecting_an_sms_checks_often_again(stack: Stack) -> None:
    await stack.reconfigure(rentals=True)
    _, invoice = await rent(stack, ALICE, "Germany")
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.sms4sats.assign_number(invoice.remote_id, "4915112345678")
    card = await stack.wait_text(ALICE, "📱 Your rented number")
    await stack.say(ALICE, "/orders")
    listing = await stack.wait_text(ALICE, "Your orders")
    assert any("📅 Rental" in b.text and "until" in b.text for b in listing.buttons)

    # Past the first 10 minutes the rental is checked every 30 s (on the bot's clock, which
    # stands still here): an SMS now would wait. "I'm expecting an SMS" makes it quick again.
    await stack.advance(11 * 60)
    await asyncio.sleep(0.6)
    answer = await stack.telegram.press(ALICE, card, "expecting an SMS")
    assert answer.text is not None and "10 minutes" in answer.text
    await stack.sms4sats.deliver_sms(invoice.remote_id, code="556677")
    await wait_sms(stack, ALICE, "556677", timeout=5)


async def test_expecting_an_sms_is_for_rentals_only(stack: Stack) -> None:
    """The button is only on a rental's card; pressed for a number bought for one code (an old
    client, forged data) it finds no such order, as before, and changes nothing."""
    await stack.reconfigure(rentals=True)
    invoice = await buy(stack, ALICE)
    card = await pay_and_get_number(stack, ALICE, invoice)
    (order,) = await stack.services.orders.for_user(ALICE)
    answer = await stack.telegram.press_data(
        ALICE, ALICE, card.message_id, ExpectSms(order.id).pack()
    )
    assert answer.show_alert and answer.text == "That order does not exist (any more)."
    stored = await stack.services.orders.get(order.id)
    assert stored is not None and stored.fast_poll_until is None


async def test_rental_ended_by_sms4sats_says_so(stack: Stack) -> None:
    await stack.reconfigure(rentals=True)
    _, invoice = await rent(stack, ALICE)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.sms4sats.deliver_sms(invoice.remote_id, code="123456")
    await wait_sms(stack, ALICE, "123456")
    await stack.sms4sats.end_rental(invoice.remote_id)
    card = await stack.wait_text(ALICE, "This rental has ended")
    assert "no longer receives SMS" in card.body and "123456" in card.body


async def test_rental_search_and_empty_match(stack: Stack) -> None:
    await stack.reconfigure(rentals=True)
    await stack.ask(ALICE, "/rent", "Rent a number")
    await stack.say(ALICE, "germ")
    results = await stack.wait_text(ALICE, "Rental countries matching")
    assert results.buttons[0].text.startswith("🇩🇪 Germany · 1 week")
    await stack.say(ALICE, "zzzz")
    await stack.wait_text(ALICE, "No rental country matches")


async def test_rent_in_a_group_continues_in_private(stack: Stack) -> None:
    await stack.reconfigure(rentals=True)
    await make_group(stack)
    reply = await stack.ask(ALICE, "/rent", "private chat", chat_id=GROUP)
    assert [b.url for b in reply.buttons] == ["https://t.me/sms4sats_sandbox_bot?start=rent"]
    await stack.ask(ALICE, "/start rent", "Each button shows the country")
    group_texts = " ".join(m.body for m in await stack.telegram.bot_messages(GROUP))
    assert "Indonesia" not in group_texts


async def test_rentals_off_hides_rent_and_its_button(stack: Stack) -> None:
    start = await stack.ask(ALICE, "/start", "Phone numbers for SMS codes")
    assert not any("Rent" in b.text for b in start.buttons)
    await stack.ask(ALICE, "/rent", "don't know that command")
    help_text = await stack.ask(ALICE, "/help", "Commands")
    assert "/rent" not in help_text.body
    commands = [c for c in await stack.telegram.calls() if c["method"] == "setMyCommands"]
    assert commands and not any("rent" in str(c["params"]) for c in commands)

    await stack.reconfigure(rentals=True)
    start = await stack.ask(ALICE, "/start", "Phone numbers for SMS codes")
    assert any(b.text == "📅 Rent a number" for b in start.buttons)
    await stack.press(ALICE, start, "Rent a number", "Each button shows the country")
    help_text = await stack.ask(ALICE, "/help", "Commands")
    assert "/rent" in help_text.body
