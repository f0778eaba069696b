"""The terminal chat against the Telegram sandbox and a small stand-in bot built with PTB."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import pytest
import qrcode
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox.chat import ChatKey, format_buttons, render_text, run_chat
from sandbox.demo import run_demo
from sandbox.telegram import TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import Button
from sandbox.telegram.config import DEFAULT_TOKEN
from tests.test_terminal_qr import _decode, _picture, _plain_cells

INVOICE_TEXT = "LIGHTNING:LNBC2500N1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 8


def _invoice_png() -> bytes:
    code = qrcode.QRCode(box_size=8, border=4)
    code.add_data(INVOICE_TEXT)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


_CHECK = InlineKeyboardMarkup([[InlineKeyboardButton("Check", callback_data="check")]])


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🇺🇸 USA", callback_data="country:us"),
                InlineKeyboardButton("🇬🇧 UK", callback_data="country:uk"),
            ],
            [InlineKeyboardButton("Help", url="https://example.com/help")],
            [InlineKeyboardButton("Alert me", callback_data="alert")],
        ]
    )
    await update.effective_message.reply_text(
        "<b>Welcome!</b> Pick a country. Order <code>abc123</code>.",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    if query.data == "alert":
        await query.answer("Careful!", show_alert=True)
    elif query.data.startswith("country:"):
        await query.answer("Noted")
        await query.edit_message_text(
            f"You picked <b>{query.data.removeprefix('country:').upper()}</b>.",
            parse_mode=ParseMode.HTML,
        )
    elif query.data == "check":
        await query.answer()
        await query.edit_message_caption("Still waiting for the payment.", reply_markup=_CHECK)


async def _invoice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(
        _invoice_png(),
        caption="Pay this invoice",
        reply_markup=_CHECK,
    )


async def _vanish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    sent = await update.effective_message.reply_text("Now you see me")
    await sent.delete()


@pytest.fixture
async def telegram_url() -> AsyncIterator[str]:
    async with run_telegram_sandbox(config=TelegramSandboxConfig()) as sandbox:
        application = (
            Application.builder()
            .token(DEFAULT_TOKEN)
            .base_url(f"{sandbox.url}/bot")
            .base_file_url(f"{sandbox.url}/file/bot")
            .build()
        )
        application.add_handler(CommandHandler("start", _start))
        application.add_handler(CommandHandler("invoice", _invoice))
        application.add_handler(CommandHandler("vanish", _vanish))
        application.add_handler(CallbackQueryHandler(_button))
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield sandbox.url
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


async def _chat(url: str, script: str, keys: Sequence[ChatKey] = ()) -> str:
    output = io.StringIO()
    chat = run_chat(url, input_stream=io.StringIO(script), output=output, keys=keys)
    await asyncio.wait_for(chat, timeout=30)
    return output.getvalue()


async def test_start_shows_text_and_numbered_buttons_and_a_press_edits(telegram_url: str) -> None:
    transcript = await _chat(telegram_url, "/start\n1\n/quit\n")
    assert "› /start" in transcript
    assert "Welcome! Pick a country. Order `abc123`." in transcript
    assert "[1] 🇺🇸 USA  [2] 🇬🇧 UK\n[3] Help → https://example.com/help\n[4] Alert me" in transcript
    assert "› pressed [1] 🇺🇸 USA" in transcript
    assert "↳ Noted" in transcript
    edited = transcript.index("(edited)")
    assert "You picked US." in transcript[edited:]
    assert transcript.rstrip().endswith("Bye.")
    assert "\x1b[" not in transcript


async def test_alerts_links_and_out_of_range_numbers(telegram_url: str) -> None:
    transcript = await _chat(telegram_url, "7\n/start\n4\n3\n9\n")
    assert "(no message with buttons yet" in transcript
    assert "⚠ alert: Careful!" in transcript
    assert "it is a link: https://example.com/help" in transcript
    assert "has buttons 1 to 4" in transcript
    # End of input leaves like /quit.
    assert transcript.rstrip().endswith("Bye.")


async def test_a_qr_photo_is_drawn_once_unless_asked_again(telegram_url: str) -> None:
    transcript = await _chat(telegram_url, "/invoice\n1\n:buttons\n")
    assert "Pay this invoice" in transcript
    drawing = transcript.split("[QR code]\n", 1)[1].split("\n[1] Check", 1)[0]
    assert _decode(_picture(_plain_cells(drawing))) == [INVOICE_TEXT]
    edit = transcript[transcript.index("(edited)") :]
    assert "Still waiting for the payment." in edit
    assert "[same picture as above" in edit.split("› :buttons")[0]
    # Asked for again, the message comes with its picture.
    assert edit.split("› :buttons")[1].count("[QR code]") == 1
    assert transcript.count("[QR code]") == 2


async def test_deleted_messages_get_a_note(telegram_url: str) -> None:
    transcript = await _chat(telegram_url, "/vanish\n")
    assert "Now you see me" in transcript
    assert re.search(r"Bot deleted message #\d+", transcript)


async def test_help_lists_the_chat_keys_and_extra_keys(telegram_url: str) -> None:
    async def pay(argument: str) -> str:
        return f"paid it {argument}".strip()

    transcript = await _chat(
        telegram_url,
        ":help\n:pay\n:pay  twice \n:nope\n",
        keys=[ChatKey(":pay [N]", "pay the invoice", pay)],
    )
    assert "press button N of the latest message with buttons" in transcript
    assert ":pay [N]  pay the invoice" in transcript
    assert "paid it\n" in transcript
    assert "paid it twice\n" in transcript
    assert "(unknown key :nope" in transcript


@pytest.fixture
def pipe() -> Iterator[tuple[TextIO, TextIO]]:
    read_end, write_end = os.pipe()
    # The writer closes first, so a reader thread still waiting for a line sees the end of input.
    with (
        open(read_end, encoding="utf-8") as reader,
        open(write_end, "w", encoding="utf-8") as writer,
    ):
        yield reader, writer


async def test_reads_lines_from_a_real_pipe_as_they_come(
    telegram_url: str, pipe: tuple[TextIO, TextIO]
) -> None:
    reader, writer = pipe
    output = io.StringIO()
    chat = asyncio.create_task(run_chat(telegram_url, input_stream=reader, output=output))
    writer.write("/start\n")
    writer.flush()
    for _ in range(100):
        if "[1] 🇺🇸 USA" in output.getvalue() or chat.done():
            break
        await asyncio.sleep(0.05)
    assert "[1] 🇺🇸 USA" in output.getvalue()
    writer.write("/quit\n")
    writer.flush()
    await asyncio.wait_for(chat, timeout=10)
    assert output.getvalue().rstrip().endswith("Bye.")


def test_render_text_counts_offsets_in_utf16_and_styles_with_ansi() -> None:
    text = "🇺🇸 USA costs 500 sats: pay lnbc1"
    # The flag is four UTF-16 code units, so "USA" starts at 5.
    entities = [
        {"type": "bold", "offset": 5, "length": 3},
        {"type": "code", "offset": 29, "length": 5},
        {"type": "text_link", "offset": 15, "length": 3, "url": "https://example.com"},
    ]
    assert (
        render_text(text, entities, ansi=False)
        == "🇺🇸 USA costs 500 (https://example.com) sats: pay `lnbc1`"
    )
    styled = render_text(text, entities, ansi=True)
    assert "\x1b[1mUSA\x1b[0m" in styled
    assert "\x1b[36mlnbc1" in styled
    assert styled.endswith("\x1b[0m")
    assert render_text("plain", [], ansi=True) == "plain"


def test_buttons_are_numbered_row_by_row() -> None:
    buttons = [
        Button(text="B", callback_data="b", url=None, copy_text=None, row=0, col=1),
        Button(text="A", callback_data="a", url=None, copy_text=None, row=0, col=0),
        Button(text="Copy", callback_data=None, url=None, copy_text="lnbc1", row=1, col=0),
    ]
    assert format_buttons(buttons, ansi=False) == "[1] A  [2] B\n[3] Copy (copy: lnbc1)"


# The demo around the chat: sandboxes in process, the bot as a child process.

_FAKE_BOT_FAILS = """
import os, sys
for name in ("TELEGRAM_API_URL", "SMS4SATS_API_URL", "DATABASE_URL", "ADMIN_IDS", "POLL_INTERVAL"):
    print(name, os.environ[name], file=sys.stderr)
print("Configuration error: something is off", file=sys.stderr)
sys.exit(2)
"""

_FAKE_BOT_POLLS_ONCE = """
import os, sys, time, urllib.request
url = os.environ["TELEGRAM_API_URL"] + "/bot" + os.environ["TELEGRAM_BOT_TOKEN"] + "/getUpdates"
urllib.request.urlopen(url, timeout=5).read()
time.sleep(0.5)
print("lost my marbles", file=sys.stderr)
sys.exit(3)
"""


async def test_demo_reports_a_bot_that_exits_at_start(tmp_path: Path) -> None:
    output = io.StringIO()
    code = await run_demo(
        data_dir=tmp_path,
        bot_command=(sys.executable, "-c", _FAKE_BOT_FAILS),
        input_stream=io.StringIO(""),
        output=output,
    )
    assert code == 1
    transcript = output.getvalue()
    assert "The bot exited at start (exit code 2)" in transcript
    assert "Configuration error: something is off" in transcript
    assert re.search(r"TELEGRAM_API_URL http://127\.0\.0\.1:\d+", transcript)
    assert f"DATABASE_URL sqlite:///{tmp_path}/demo.db" in transcript
    assert "ADMIN_IDS 10001" in transcript
    assert "POLL_INTERVAL 1" in transcript


async def test_demo_ends_the_chat_when_the_bot_stops(
    tmp_path: Path, pipe: tuple[TextIO, TextIO]
) -> None:
    (tmp_path / "demo.db").write_text("an old demo")
    output = io.StringIO()
    code = await asyncio.wait_for(
        run_demo(
            data_dir=tmp_path,
            bot_command=(sys.executable, "-c", _FAKE_BOT_POLLS_ONCE),
            input_stream=pipe[0],
            output=output,
        ),
        timeout=20,
    )
    assert code == 1
    transcript = output.getvalue()
    assert "Type /start to begin." in transcript
    assert "The bot stopped (exit code 3)" in transcript
    assert "lost my marbles" in transcript
    assert not (tmp_path / "demo.db").exists()


async def test_demo_with_the_real_bot_answers_start(tmp_path: Path) -> None:
    output = io.StringIO()
    code = await asyncio.wait_for(
        run_demo(data_dir=tmp_path, input_stream=io.StringIO("/start\n"), output=output),
        timeout=60,
    )
    transcript = output.getvalue()
    assert code == 0, transcript
    assert "› /start" in transcript
    reply = transcript.split("› /start", 1)[1]
    assert re.search(r"── Bot · #\d+ · ", reply), transcript
    assert "[1] " in reply, transcript
    assert transcript.rstrip().endswith("Bye.")
    assert (tmp_path / "demo.db").exists()
