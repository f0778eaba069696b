"""After an order ends, the next step is one tap away; the finished card stays as it was."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, Stack
from tests.e2e.flows import buy, pay_and_get_number


async def test_no_number_offers_the_same_service_elsewhere(stack: Stack) -> None:
    invoice = await buy(stack, ALICE, country="Germany")
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(ALICE, "Payment received")
    await stack.sms4sats.no_number(invoice.remote_id)
    card = await stack.wait_text(ALICE, "No number was available")
    labels = [b.text for b in card.buttons]
    assert labels == [
        "🌐 Same service elsewhere",
        "🔔 Tell me when it's back",
        "🌍 Try another country",
    ]

    confirmation = await stack.press(ALICE, card, "Same service elsewhere", "Please confirm")
    assert confirmation.message_id > card.message_id  # a new menu; the card stays
    assert "Telegram" in confirmation.body and "any country" in confirmation.body
    after = next(
        m for m in await stack.telegram.bot_messages(ALICE) if m.message_id == card.message_id
    )
    assert "No number was available" in after.body

    # Another country keeps the service: the countries that have Telegram numbers.
    picker = await stack.press(ALICE, card, "Try another country", "Telegram: countries")
    assert picker.message_id > confirmation.message_id


async def test_a_finished_order_can_be_bought_again_from_orders(stack: Stack) -> None:
    invoice = await buy(stack, ALICE, country="Germany")
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.sms4sats.deliver_code(invoice.remote_id, "424242")
    await stack.wait_text(ALICE, "424242")

    orders = await stack.ask(ALICE, "/orders", "Your orders")
    card = await stack.press(ALICE, orders, "#1", "424242")
    assert any(b.text == "🔁 Buy again" for b in card.buttons)
    confirmation = await stack.press(ALICE, card, "Buy again", "Please confirm")
    assert "Telegram" in confirmation.body and "Germany" in confirmation.body
    # The price is checked again: the confirmation shows today's price.
    price = (await stack.services.sms4sats.get_price(43, "tg")).computed_price
    assert price is not None and f"{price:,} sats" in confirmation.body
