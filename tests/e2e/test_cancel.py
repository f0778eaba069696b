"""/cancel leaves whatever is open, and typed text searches only the newest picker, briefly."""

from __future__ import annotations

from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ALICE, Stack
from tests.e2e.flows import buy, open_confirmation, pay_and_get_number, rent_a_number


async def _bot_message(stack: Stack, message: ChatMessage) -> ChatMessage:
    """The message as it is now (after edits)."""
    for current in await stack.telegram.bot_messages(message.chat_id):
        if current.message_id == message.message_id:
            return current
    raise AssertionError(f"message {message.message_id} is gone")


async def test_cancel_closes_the_picker_and_its_buttons_no_longer_act(stack: Stack) -> None:
    picker = await stack.ask(ALICE, "/buy", "Pick a country")
    reply = await stack.ask(ALICE, "/cancel", "Nothing was bought")
    assert "open orders" not in reply.body

    closed = await _bot_message(stack, picker)
    assert "Closed with /cancel" in closed.body and not closed.buttons
    # The old keyboard, pressed anyway (a client that had not refreshed), changes nothing.
    answer = await stack.telegram.press_data(
        ALICE, ALICE, picker.message_id, str(picker.buttons[0].callback_data)
    )
    assert answer.show_alert and answer.text is not None and "/cancel" in answer.text
    assert "Closed with /cancel" in (await _bot_message(stack, picker)).body
    # Typed text is no longer a country search.
    await stack.ask(ALICE, "Germany", "tap /buy")


async def test_a_left_confirmation_orders_nothing(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    await stack.ask(ALICE, "/cancel", "Nothing was bought")
    buy_button = next(b for b in confirmation.buttons if "Buy" in b.text)
    answer = await stack.telegram.press_data(
        ALICE, ALICE, confirmation.message_id, str(buy_button.callback_data)
    )
    assert answer.show_alert and answer.text is not None and "/cancel" in answer.text
    assert await stack.sms4sats.orders(kind="receive") == []


async def test_a_left_sms_confirmation_sends_nothing(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.ask(ALICE, "+14155550123", "What should the SMS")
    confirmation = await stack.ask(ALICE, "Hi!", "Please confirm")
    await stack.ask(ALICE, "/cancel", "Nothing was bought")
    pay = next(b for b in confirmation.buttons if "Send for" in b.text)
    answer = await stack.telegram.press_data(
        ALICE, ALICE, confirmation.message_id, str(pay.callback_data)
    )
    assert answer.show_alert and answer.text is not None and "/cancel" in answer.text
    assert await stack.sms4sats.orders(kind="send") == []


async def test_cancel_lists_open_orders_with_when_they_can_be_cancelled(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    await pay_and_get_number(stack, ALICE, invoice)
    order = (await stack.services.orders.for_user(ALICE))[0]
    reply = await stack.ask(ALICE, "/cancel", "Your open orders")
    assert "No menu was open" in reply.body
    assert f"#{order.id}" in reply.body and "you can cancel it from" in reply.body
    assert not reply.buttons

    await stack.advance(125)
    reply = await stack.ask(ALICE, "/cancel", "Your open orders")
    assert "you can cancel it now" in reply.body
    answer = await stack.telegram.press(ALICE, reply, f"Cancel #{order.id}")
    assert answer.text is not None and "cancelled" in answer.text.lower()
    await stack.wait_text(ALICE, "Cancelled. Your sats return")
    # The list shows what is left: no button for an order that is over.
    listed = await stack.after(reply, "No open orders left", inclusive=True)
    assert listed.message_id == reply.message_id and not listed.buttons
    # Its old button, pressed again (a client that had not refreshed), says what happened.
    again = await stack.telegram.press_data(
        ALICE, ALICE, reply.message_id, str(reply.buttons[0].callback_data)
    )
    assert again.show_alert and again.text == "This order is already cancelled."
    await stack.ask(ALICE, "/cancel", "nothing to cancel")


async def test_cancel_lists_a_rental_as_ending_by_itself(stack: Stack) -> None:
    order = await rent_a_number(stack, ALICE)
    reply = await stack.ask(ALICE, "/cancel", "Your open orders")
    assert f"#{order.id} · 📅 Rental · 🇮🇩 Indonesia · until " in reply.body
    assert "a rental can't be cancelled; it ends by itself." in reply.body
    assert "on its way" not in reply.body and not reply.buttons


async def test_cancel_says_once_what_it_closed(stack: Stack) -> None:
    first = await stack.ask(ALICE, "/buy", "Pick a country")
    second = await stack.ask(ALICE, "/buy", "Pick a country")
    reply = await stack.ask(ALICE, "/cancel", "Closed 2 open menus. Nothing was bought.")
    for menu in (first, second):
        assert (await _bot_message(stack, menu)).body == "✖️ Closed with /cancel."
    said = [m for m in await stack.telegram.bot_messages(ALICE) if "Nothing was bought" in m.body]
    assert said == [reply]


async def test_cancelling_at_the_minute_shown_works(stack: Stack) -> None:
    invoice = await buy(stack, ALICE)
    card = await pay_and_get_number(stack, ALICE, invoice)
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.paid_at is not None
    allowed_from = order.paid_at + 120
    answer = await stack.telegram.press(ALICE, card, "Cancel")
    assert answer.text is not None and "from " in answer.text
    hours, minutes = map(int, answer.text.split("from ")[1][:5].split(":"))
    # The moment shown: the first hh:mm at or after the start of allowed_from's minute.
    day = allowed_from - allowed_from % 86400
    shown = day + hours * 3600 + minutes * 60
    if shown < allowed_from - 60:
        shown += 86400  # past midnight
    assert shown >= allowed_from
    await stack.advance(shown - stack.clock())
    answer = await stack.telegram.press(ALICE, card, "Cancel")
    assert answer.text is not None and "cancelled" in answer.text.lower()


async def test_search_only_for_the_newest_picker_and_only_for_a_few_minutes(
    stack: Stack,
) -> None:
    first = await stack.ask(ALICE, "/buy", "Pick a country")
    second = await stack.ask(ALICE, "/buy", "Pick a country")
    await stack.press(ALICE, second, "United States", "Pick a service in")
    # The newest picker is a service picker now: typed text searches services, not countries.
    await stack.ask(ALICE, "tele", "matching")
    assert "Countries" not in (await stack.telegram.bot_messages(ALICE))[-1].body
    del first

    await stack.advance(6 * 60)
    await stack.ask(ALICE, "Hello there", "tap /buy")


async def test_another_command_ends_the_search(stack: Stack) -> None:
    await stack.ask(ALICE, "/buy", "Pick a country")
    await stack.ask(ALICE, "/orders", "no orders")
    await stack.ask(ALICE, "Hello there", "tap /buy")


async def test_an_open_picker_survives_a_restart(stack: Stack) -> None:
    picker = await stack.ask(ALICE, "/buy", "Pick a country")
    await stack.reconfigure()
    await stack.ask(ALICE, "germ", "Countries matching")
    await stack.ask(ALICE, "/cancel", "Nothing was bought")
    assert "Closed with /cancel" in (await _bot_message(stack, picker)).body
