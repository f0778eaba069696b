"""The bot in groups: private buying, admin-only money commands, menus that belong to someone."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import ADMIN_ID, ALICE, BOB, Stack
from tests.e2e.flows import eventually

GROUP = -1001234567890
CAROL = 10003


async def make_group(stack: Stack, group_id: int = GROUP, admins: tuple[int, ...] = ()) -> None:
    for user in (ADMIN_ID, ALICE, BOB, CAROL):
        await stack.user(user)
    await stack.telegram.create_group(
        group_id, "Sats club", owner=ADMIN_ID, admins=list(admins), members=[ALICE, BOB, CAROL]
    )
    await stack.wait_text(group_id, "Thanks for adding me")


async def test_buy_and_orders_continue_in_private(stack: Stack) -> None:
    await make_group(stack)
    reply = await stack.ask(ALICE, "/buy", "private chat", chat_id=GROUP)
    link = next(b for b in reply.buttons if b.url)
    assert link.url == "https://t.me/sms4sats_sandbox_bot?start=buy"
    reply = await stack.ask(ALICE, "/orders@sms4sats_sandbox_bot", "private", chat_id=GROUP)
    assert [b.url for b in reply.buttons] == ["https://t.me/sms4sats_sandbox_bot?start=orders"]
    # Following the link sends "/start buy" in the private chat: the picker opens there.
    await stack.ask(ALICE, "/start buy", "Pick a country for your number")
    # Nothing about numbers or orders was posted in the group.
    group_texts = " ".join(m.body for m in await stack.telegram.bot_messages(GROUP))
    assert "Pick a country" not in group_texts and "+1" not in group_texts


async def test_money_commands_in_a_group(stack: Stack) -> None:
    await make_group(stack)
    await stack.ask(ALICE, "/balance", "admins only", chat_id=GROUP)
    await stack.ask(ALICE, "/send", "admins only", chat_id=GROUP)
    await stack.ask(ALICE, "/fund 5000", "admins only", chat_id=GROUP)
    await stack.ask(ADMIN_ID, "/balance", "Prepaid sms4sats balance", chat_id=GROUP)


async def test_admin_sends_from_a_group_and_members_cannot_press(stack: Stack) -> None:
    await make_group(stack)
    question = await stack.ask(ADMIN_ID, "/send@sms4sats_sandbox_bot", "Which phone", chat_id=GROUP)
    # Privacy mode: the admin answers by replying to the bot's question (ForceReply).
    sent = await stack.telegram.send(
        ADMIN_ID, "+447911123456", chat_id=GROUP, reply_to=question.message_id
    )
    ask_text = await stack.after(sent, "What should the SMS")
    sent = await stack.telegram.send(
        ADMIN_ID, "Meeting at 8", chat_id=GROUP, reply_to=ask_text.message_id
    )
    confirmation = await stack.after(sent, "Please confirm")

    answer = await stack.telegram.press(ALICE, confirmation, "Pay from balance")
    assert answer.show_alert and answer.text == "This menu belongs to someone else."
    answer = await stack.telegram.press(ALICE, confirmation, "Cancel")
    assert answer.text == "This menu belongs to someone else."
    assert await stack.sms4sats.orders(kind="send") == []

    await stack.telegram.press(ADMIN_ID, confirmation, "Pay from balance")
    await stack.wait_text(GROUP, "paid from the prepaid balance")
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    assert remote["phone"] == "+447911123456"
    await stack.sms4sats.set_sms_status(remote["orderId"], "delivered")
    await stack.wait_text(GROUP, "Delivered")


async def test_order_buttons_only_work_for_their_owner(stack: Stack) -> None:
    await make_group(stack)
    await stack.ask(ADMIN_ID, "/fund 5000", "top-up of 5,000 sats", chat_id=GROUP)
    await stack.telegram.wait_for_message(GROUP, lambda m: m.photo_file_id is not None)
    listing = await stack.ask(ADMIN_ID, "/orders", "Your orders")
    show = next(b.callback_data for b in listing.buttons if b.text.startswith("#"))
    # Alice replays the admin's order button on a bot message in the group: order cards are
    # private, so it points her to a private chat and shows nothing in the group.
    group_message = (await stack.telegram.bot_messages(GROUP))[-1]
    before = len(await stack.telegram.bot_messages(GROUP))
    answer = await stack.telegram.press_data(ALICE, GROUP, group_message.message_id, str(show))
    assert not answer.show_alert and answer.url and "?start=" in answer.url
    assert len(await stack.telegram.bot_messages(GROUP)) == before
    # Buttons that act on an order are checked against its owner, wherever they are pressed.
    order_id = str(show).split(":")[1]
    refresh = f"or:{order_id}"
    answer = await stack.telegram.press_data(ALICE, GROUP, group_message.message_id, refresh)
    assert answer.show_alert and answer.text == "That is not one of your orders."
    # An order that does not exist is answered in the same words: a forged button cannot tell
    # other people's orders from missing ones.
    missing = await stack.telegram.press_data(ALICE, GROUP, group_message.message_id, "or:99999")
    assert (missing.show_alert, missing.text) == (answer.show_alert, answer.text)
    answer = await stack.telegram.press_data(ADMIN_ID, ADMIN_ID, listing.message_id, str(show))
    assert answer.answered and not answer.show_alert


async def test_admin_group_administrators_are_admins(stack: Stack) -> None:
    await stack.reconfigure(admin_chat_id=GROUP)
    await make_group(stack, admins=(BOB,))
    await stack.ask(BOB, "/balance", "Prepaid sms4sats balance", chat_id=GROUP)
    await stack.ask(BOB, "/balance", "Prepaid sms4sats balance")  # in private too
    await stack.ask(CAROL, "/balance", "admins only", chat_id=GROUP)
    # Carol is promoted: the next check reads the administrators again.
    await stack.telegram.set_group_admins(GROUP, [BOB, CAROL])
    stack.clock.offset += 20
    await stack.ask(CAROL, "/balance", "Prepaid sms4sats balance", chat_id=GROUP)
    # Bob is demoted: within the cache time he may still pass, but not after it.
    await stack.telegram.set_group_admins(GROUP, [CAROL])
    stack.clock.offset += 400
    await stack.ask(BOB, "/balance", "admins only")
    scoped = await stack.telegram.commands({"type": "chat_administrators", "chat_id": GROUP})
    assert {"send", "balance", "fund"} <= {c["command"] for c in scoped}


async def test_removed_from_a_group_stops_writing(stack: Stack) -> None:
    await make_group(stack)
    await stack.ask(ADMIN_ID, "/send", "Which phone", chat_id=GROUP)
    question = (await stack.telegram.bot_messages(GROUP))[-1]
    sent = await stack.telegram.send(
        ADMIN_ID, "+447911123456", chat_id=GROUP, reply_to=question.message_id
    )
    ask_text = await stack.after(sent, "What should the SMS")
    sent = await stack.telegram.send(ADMIN_ID, "Bye", chat_id=GROUP, reply_to=ask_text.message_id)
    confirmation = await stack.after(sent, "Please confirm")
    await stack.telegram.press(ADMIN_ID, confirmation, "Pay from balance")
    await stack.wait_text(GROUP, "paid from the prepaid balance")

    await stack.telegram.set_bot_membership(GROUP, "kicked", by=ADMIN_ID)
    await eventually(lambda: _status_is(stack, "kicked"))
    calls_before = len(await stack.telegram.calls())
    remote = (await stack.sms4sats.orders(kind="send"))[0]
    await stack.sms4sats.set_sms_status(remote["orderId"], "delivered")

    async def closed() -> bool:
        return not await stack.services.orders.open_orders()

    await eventually(closed)
    await asyncio.sleep(0.5)
    later = (await stack.telegram.calls())[calls_before:]
    assert not [c for c in later if str(c["params"].get("chat_id")) == str(GROUP)]


async def _status_is(stack: Stack, status: str) -> bool:
    return await stack.services.chats.chat_status(GROUP) == status
