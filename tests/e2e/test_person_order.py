"""A person's updates are handled in order, different people's at the same time (issue: races).

Each of these failed before the bot had its own update processor: updates of one person ran
concurrently, so a batch answered out of order and /cancel raced the question it cancelled.
"""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import ADMIN_ID, ALICE, BOB, Stack
from tests.e2e.flows import eventually
from tests.e2e.test_groups import GROUP, make_group


async def test_a_batch_of_updates_is_answered_in_order(stack: Stack) -> None:
    await stack.user(ALICE)
    # What a phone that reconnects (or a restarted bot) gets: three updates in one getUpdates.
    async with stack.telegram.batch():
        await stack.telegram.send(ALICE, "/send")
        await stack.telegram.send(ALICE, "+14155550123")
        await stack.telegram.send(ALICE, "Hello there")
    confirmation = await stack.wait_text(ALICE, "Please confirm")
    assert "+1 415-555-0123" in confirmation.body and "Hello there" in confirmation.body
    bodies = [m.body for m in await stack.telegram.bot_messages(ALICE)]
    assert not any("tap /buy" in body or "number again" in body for body in bodies), bodies


async def test_cancel_while_the_question_is_still_being_sent(stack: Stack) -> None:
    await stack.user(ALICE)
    # Telegram takes its time to confirm the question; /cancel arrives meanwhile.
    await stack.telegram.inject_late_answer("sendMessage", delay=0.5, chat_id=ALICE)
    await stack.telegram.send(ALICE, "/send")
    await stack.telegram.send(ALICE, "/cancel")
    await stack.wait_text(ALICE, "No SMS was sent")
    # The conversation is over: a number now is just text, not an answer to /send.
    await stack.ask(ALICE, "+14155550123", "tap /buy")
    bodies = [m.body for m in await stack.telegram.bot_messages(ALICE)]
    assert bodies.index(next(b for b in bodies if "Which phone number" in b)) < bodies.index(
        next(b for b in bodies if "No SMS was sent" in b)
    )


async def test_cancel_while_sms4sats_hangs_shows_no_buttons_afterwards(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.ask(ALICE, "+14155550123", "What should the SMS")
    await stack.sms4sats.inject_fault("slow", count=1, path="/price", delay=1.5)
    await stack.telegram.send(ALICE, "Hello there")
    await asyncio.sleep(0.3)  # the bot is now waiting for sms4sats' price
    cancelled = await stack.ask(ALICE, "/cancel", "No SMS was sent")
    await asyncio.sleep(1.5)  # past the hanging answer: nothing may follow the cancel
    after = [
        m for m in await stack.telegram.bot_messages(ALICE) if m.message_id > cancelled.message_id
    ]
    assert after == []
    assert not any(m.buttons for m in await stack.telegram.bot_messages(ALICE))
    await stack.ask(ALICE, "+14155550123", "tap /buy")


async def test_another_person_is_answered_while_one_waits_on_sms4sats(stack: Stack) -> None:
    await stack.ask(ALICE, "/send", "Which phone number")
    await stack.ask(ALICE, "+14155550123", "What should the SMS")
    await stack.sms4sats.inject_fault("slow", count=1, path="/price", delay=3)
    await stack.telegram.send(ALICE, "Hello there")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await stack.ask(
        BOB,
        "/help",
        "Commands",
    )
    assert loop.time() - started < 2.0, "Bob waited for Alice's sms4sats call"
    await stack.wait_text(ALICE, "Please confirm", timeout=10)


async def test_an_admins_group_and_private_drafts_stay_apart(stack: Stack) -> None:
    await make_group(stack)
    await stack.ask(ADMIN_ID, "/send", "Which phone number", chat_id=GROUP)
    question = await stack.wait_text(GROUP, "Which phone number")
    await stack.telegram.send(ADMIN_ID, "+14155550123", chat_id=GROUP,
                              reply_to=question.message_id)  # fmt: skip
    await stack.wait_text(GROUP, "What should the SMS")
    await stack.ask(ADMIN_ID, "/send", "Which phone number")
    await stack.ask(ADMIN_ID, "+442079460000", "What should the SMS")

    ask_text = (await stack.telegram.bot_messages(GROUP))[-1]
    await stack.telegram.send(ADMIN_ID, "From the group", chat_id=GROUP,
                              reply_to=ask_text.message_id)  # fmt: skip
    group_confirmation = await stack.wait_text(GROUP, "Please confirm")
    private_confirmation = await stack.ask(ADMIN_ID, "From private", "Please confirm")
    assert "+1 415-555-0123" in group_confirmation.body
    assert "From the group" in group_confirmation.body
    assert "+44 20 7946 0000" in private_confirmation.body
    assert "From private" in private_confirmation.body

    await stack.telegram.press(ADMIN_ID, group_confirmation, "Pay from balance")

    async def sent() -> bool:
        return len(await stack.sms4sats.orders(kind="send")) == 1

    await eventually(sent)
    (remote,) = await stack.sms4sats.orders(kind="send")
    assert remote["phone"] == "+14155550123" and remote["message"] == "From the group"
