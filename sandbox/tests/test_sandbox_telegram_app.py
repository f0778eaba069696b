"""A real PTB Application polling the Telegram sandbox, and getUpdates' long polling."""

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from sandbox.telegram import TelegramSandbox
from sandbox.telegram.client import TelegramSandboxClient

USER = 2001


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("💸 Pay 100 sats", callback_data="pay:100")]]
    )
    await update.effective_message.reply_html(
        "<b>Welcome!</b> Pick a service.", reply_markup=keyboard
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Invoice created")
    await query.edit_message_text(f"Invoice for <code>{query.data}</code>", parse_mode="HTML")


async def test_application_answers_start_and_button(
    sandbox: TelegramSandbox, client: TelegramSandboxClient
) -> None:
    application = (
        ApplicationBuilder()
        .token(sandbox.config.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    await client.create_user(USER, "Bob", username="bob_buyer")

    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await client.send(USER, "/start")
        welcome = await client.wait_for_text(USER, "welcome", timeout=5)
        assert welcome.html == "<b>Welcome!</b> Pick a service."
        answer = await client.press(USER, welcome, "pay", timeout=5)
        assert answer.answered
        assert answer.text == "Invoice created"
        invoice = await client.wait_for_message(USER, lambda m: m.edit_count == 1, timeout=5)
        assert invoice.message_id == welcome.message_id
        assert invoice.html == "Invoice for <code>pay:100</code>"
        assert invoice.buttons == []
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()

    methods = [call["method"] for call in await client.calls()]
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage", "answerCallbackQuery"} <= set(
        methods
    )
    # Shutting down confirmed every update the application took.
    assert sandbox.state.updates == []


async def test_long_poll_waits_for_the_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 1.8


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, client: TelegramSandboxClient
) -> None:
    await client.create_user(USER, "Bob")

    async def write_later() -> None:
        await asyncio.sleep(0.2)
        await client.send(USER, "hello")

    writer = asyncio.create_task(write_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    await writer
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_offset_confirms_updates(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Bob")
    for text in ("one", "two", "three"):
        await client.send(USER, text)

    first = await bot.get_updates(timeout=0, limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    # Not confirmed yet: asked again, the same updates come back.
    assert [u.update_id for u in await bot.get_updates(timeout=0)][:2] == [
        u.update_id for u in first
    ]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()

    for text in ("four", "five", "six"):
        await client.send(USER, text)
    last = await bot.get_updates(offset=-1, timeout=0)
    assert [u.message.text for u in last if u.message] == ["six"]
    # A negative offset forgets everything before those updates.
    assert len(await bot.get_updates(timeout=0)) == 1


async def test_allowed_updates_filters_new_updates(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Bob")
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await client.send(USER, "ignored")
    assert await bot.get_updates(timeout=0) == ()
    await bot.get_updates(timeout=0, allowed_updates=[])
    await client.send(USER, "seen")
    assert [u.message.text for u in await bot.get_updates(timeout=0) if u.message] == ["seen"]


async def test_second_poller_terminates_the_first(bot: Bot, sandbox: TelegramSandbox) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(sandbox.config.token, base_url=sandbox.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_updates_ids_survive_a_reset(
    bot: Bot, client: TelegramSandboxClient, sandbox: TelegramSandbox
) -> None:
    await client.create_user(USER, "Bob")
    await client.send(USER, "before")
    [before] = await bot.get_updates(timeout=0)
    await client.reset()
    assert sandbox.state.users == {}
    await client.create_user(USER, "Bob")
    await client.send(USER, "after")
    # The bot's offset from before the reset must not hide updates made after it.
    [after] = await bot.get_updates(offset=before.update_id + 1, timeout=0)
    assert after.update_id > before.update_id
    assert after.message is not None
    assert after.message.message_id == 1
