"""The terminal chat against the Telegram sandbox and a small stand-in bot built with PTB."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import httpx
import pytest
import qrcode
from bolt11 import Bolt11, MilliSatoshi, TagChar, Tags, encode
from qrcode.constants import ERROR_CORRECT_L
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox.chat import (
    ChatKey,
    display_width,
    format_buttons,
    render_text,
    run_chat,
    strip_escapes,
    wrap_text,
)
from sandbox.demo import BOT_LOG_NAME, banner, manual_keys, run_demo
from sandbox.sms4sats import SandboxConfig, SandboxControl, run_sms4sats_sandbox
from sandbox.telegram import TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import Button
from sandbox.telegram.config import DEFAULT_TOKEN
from sandbox.tests.test_terminal_qr import _decode, _picture, _plain_cells
from sandbox.tests.test_terminal_screen import Cell, PtyProcess, Screen, screen_picture

INVOICE_TEXT = "LIGHTNING:LNBC2500N1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 8


def _invoice_png() -> bytes:
    code = qrcode.QRCode(box_size=8, border=4)
    code.add_data(INVOICE_TEXT)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


_CHECK = InlineKeyboardMarkup([[InlineKeyboardButton("Check", callback_data="check")]])


def _bolt11() -> str:
    """A real BOLT11 invoice the size of the demo's (303 characters), always the same one."""
    tags = Tags()
    tags.add(TagChar.payment_hash, "ab" * 32)
    tags.add(TagChar.payment_secret, "cd" * 32)
    tags.add(TagChar.description, "sms4sats payment United Kingdom wa")
    tags.add(TagChar.expire_time, 900)
    tags.add(TagChar.min_final_cltv_expiry, 80)
    invoice = Bolt11(
        currency="bc", date=1_700_000_000, tags=tags, amount_msat=MilliSatoshi(2_500_000)
    )
    payreq: str = encode(invoice, private_key="11" * 32)
    return payreq


BOLT11 = _bolt11()
BOLT11_QR_TEXT = "LIGHTNING:" + BOLT11.upper()


def _bolt11_png() -> bytes:
    """The QR picture as the bot makes it: upper case, error correction L, 4 modules of border."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=4, box_size=11)
    code.add_data(BOLT11_QR_TEXT)
    code.make(fit=True)
    assert code.version == 9  # 53 modules a side: 29 lines with half blocks, too many for 24
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


BOLT11_CAPTION = (
    "🧾 <b>Invoice</b> for order #5: a <b>WhatsApp</b> number in <b>🇬🇧 United Kingdom</b>\n"
    "Amount: <b>2,500 sats</b>\n"
    "Pay before 12:40 (in 15 min).\n\n"
    "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken when your "
    "code arrives; if no code comes, they return to your wallet by themselves (at the latest "
    "after 21 minutes).\n\n"
    f"<code>{BOLT11}</code>"
)

LONG_TEXT = (
    "⏳ Waiting for your code. It usually arrives within a minute or two; if it has not arrived "
    "at the latest by 12:40, the hold invoice gives your sats back by itself and "
    "<b>nothing is taken from your wallet, whatever happens to the order</b>. "
    "Your number is <code>+44 7700 900123</code> 📱 and the order is #5."
)


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


async def _card_after_code(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An order card, then a newer message with a button (the code), then the card edited
    with new buttons: the card is what the person saw last."""
    assert update.effective_message is not None
    card = await update.effective_message.reply_text("Card: waiting")
    await update.effective_message.reply_text(
        "Your code: 1234",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Copy", callback_data="x")]]),
    )
    await card.edit_text(
        "Card: done",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Buy again", callback_data="y")]]),
    )


async def _invoice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(
        _invoice_png(),
        caption="Pay this invoice",
        reply_markup=_CHECK,
    )


async def _bolt11_invoice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("🔄 Check now", callback_data="check")],
            [InlineKeyboardButton("✖️ Cancel order", callback_data="cancel")],
        ]
    )
    await update.effective_message.reply_photo(
        _bolt11_png(), caption=BOLT11_CAPTION, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def _long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(LONG_TEXT, parse_mode=ParseMode.HTML)


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
        application.add_handler(CommandHandler("bolt11", _bolt11_invoice))
        application.add_handler(CommandHandler("long", _long))
        application.add_handler(CommandHandler("card", _card_after_code))
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
    assert "#M N      press button N of message M, an older one too" in transcript
    assert "#24 2 presses button 2 of message 24" in transcript
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
    # The banner points to the bot's log: it has the bot's own lines, at INFO.
    assert f"The bot's log: {tmp_path / BOT_LOG_NAME}" in " ".join(transcript.split())
    assert str(tmp_path / BOT_LOG_NAME) in transcript
    log = (tmp_path / BOT_LOG_NAME).read_text()
    assert re.search(r" INFO bot\.wiring\.app: Bot @\w+ is up; checking orders every ", log), log


async def test_demo_in_another_language(tmp_path: Path) -> None:
    """`python -m sandbox.demo --language ru`: the simulated user's Telegram app is in Russian."""
    output = io.StringIO()
    code = await asyncio.wait_for(
        run_demo(
            data_dir=tmp_path, input_stream=io.StringIO("/start\n"), output=output, language="ru"
        ),
        timeout=60,
    )
    transcript = output.getvalue()
    assert code == 0, transcript
    assert "Telegram app's language is ru" in " ".join(transcript.split())
    assert "Your Telegram app's language: ru." in " ".join(transcript.split())
    reply = transcript.split("› /start", 1)[1]
    assert "Номера телефонов для SMS-кодов" in reply, transcript
    assert "Купить номер" in reply, transcript


async def test_manual_demo_lists_the_sms_keys_and_answers_them_plainly(tmp_path: Path) -> None:
    output = io.StringIO()
    code = await asyncio.wait_for(
        run_demo(
            auto=False,
            data_dir=tmp_path,
            input_stream=io.StringIO(":help\n:sent\n:number\n"),
            output=output,
        ),
        timeout=60,
    )
    transcript = output.getvalue()
    assert code == 0, transcript
    assert "or :sent, :delivered or :failed to move an SMS you sent along." in " ".join(
        line.strip() for line in transcript.split("\n")
    )
    for key in (":pay", ":number [N]", ":code [C]", ":sent", ":delivered", ":failed"):
        assert f"  {key} " in transcript
    assert "(no paid SMS waiting to be sent: send one with /send, then :pay)" in transcript
    assert "(no paid order waiting for a number: buy a number, then :pay)" in transcript
    assert "Bot @" in (tmp_path / BOT_LOG_NAME).read_text()


@pytest.mark.parametrize("auto", [True, False])
@pytest.mark.parametrize("width", [80, 60])
def test_the_demo_banner_fits_the_terminal(auto: bool, width: int) -> None:
    text = banner(auto=auto, log_path=Path("data/demo-bot.log"), width=width)
    assert all(len(line) < width for line in text.split("\n"))
    assert "#24 2 presses button 2 of message #24" in " ".join(text.split())
    assert text.endswith("Type /start to begin.")


@pytest.fixture
async def sms4sats() -> AsyncIterator[tuple[httpx.AsyncClient, SandboxControl]]:
    async with (
        run_sms4sats_sandbox(config=SandboxConfig(auto=False)) as sandbox,
        httpx.AsyncClient(base_url=sandbox.url, timeout=5, trust_env=False) as http,
    ):
        yield http, sandbox.control(http)


async def _create(http: httpx.AsyncClient, path: str, body: dict[str, object]) -> str:
    response = await http.post(path, json=body)
    assert response.status_code == 200, response.text
    order_id: str = response.json()["orderId"]
    return order_id


async def test_manual_keys_move_an_sms_along_and_say_which_key_fits(
    sms4sats: tuple[httpx.AsyncClient, SandboxControl],
) -> None:
    http, control = sms4sats
    keys = {key.word: key.action for key in manual_keys(control)}
    assert await keys[":sent"]("") == (
        "(no paid SMS waiting to be sent: send one with /send, then :pay)"
    )
    sms = await _create(http, "/createsendorder", {"phone": "+19871234567", "message": "hi"})
    described = 'the SMS "hi" to +19871234567 ('
    assert (await keys[":delivered"]("")).startswith('The SMS "hi" to +19871234567 (')
    assert (await keys[":delivered"]("")).endswith(" is not paid yet: :pay first.")
    assert (await keys[":pay"]("")).startswith(f"Paid {described}")
    # :number and :code on an SMS order: a sentence that names the keys, not a sandbox error.
    for key in (":number", ":code"):
        answer = await keys[key]("")
        assert answer.startswith('The SMS "hi" to +19871234567 (')
        assert answer.endswith(" is an SMS order: use :sent, :delivered or :failed.")
    assert (await keys[":sent"]("")).startswith(f"Marked {described}")
    assert (await control.order(sms))["sms_status"] == "sent"
    assert (await keys[":sent"]("")).endswith(" is already sent: use :delivered or :failed.")
    assert (await keys[":delivered"]("")).endswith(" as delivered.")
    assert (await control.order(sms))["sms_status"] == "delivered"
    # The bot polls /orderstatus: it sees the SMS delivered.
    status = (await http.get("/orderstatus", params={"orderId": sms})).json()
    assert status["smsStatus"] == "delivered"

    second = await _create(http, "/createsendorder", {"phone": "+19870000000", "message": "yo"})
    await keys[":pay"]("")
    assert (await keys[":failed"]("")).endswith(" as failed.")
    assert (await control.order(second))["sms_status"] == "failed"


async def test_manual_keys_on_a_number_order(
    sms4sats: tuple[httpx.AsyncClient, SandboxControl],
) -> None:
    http, control = sms4sats
    keys = {key.word: key.action for key in manual_keys(control)}
    order = await _create(http, "/createorder", {"country": 187, "service": "tg"})
    assert (
        await keys[":number"]("") == "(no paid order waiting for a number: :pay the invoice first)"
    )
    await keys[":pay"]("")
    assert (await keys[":sent"]("")).endswith(" is a number order: use :number and :code.")
    assert (await keys[":number"]("+15550001111")).endswith(" the number 15550001111.")
    assert "has its number: :code delivers its SMS code" in await keys[":number"]("")
    assert (await keys[":code"]("4321")).startswith("Delivered the code 4321 for order ")
    assert (await control.order(order))["state"] == "code"
    answer = await keys[":code"]("")
    assert answer == "(no paid order waiting for a code: buy a number, then :pay)"
    # A refusal of the sandbox reads as its reason, without method, path or status code.
    await _create(http, "/createorder", {"country": 187, "service": "tg"})
    await keys[":pay"]("")
    assert await keys[":number"]("12ab") == (
        "(the sms4sats sandbox refused: number must be 6 to 15 digits, optionally with a leading +)"
    )


# Wrapping, buttons and message numbers, without a terminal.


def test_wrap_breaks_at_spaces_and_keeps_styles_on_each_line() -> None:
    text = render_text(
        "one two three four five six seven eight nine ten",
        [{"type": "bold", "offset": 4, "length": 23}],
        ansi=True,
    )
    wrapped = wrap_text(text, 12)
    lines = wrapped.split("\n")
    assert [strip_escapes(line) for line in lines] == [
        "one two",
        "three four",
        "five six",
        "seven eight",
        "nine ten",
    ]
    # Bold runs from "two" to "six": each line in it ends the style and the next starts it again.
    assert lines[0].endswith("two\x1b[0m")
    assert lines[1] == "\x1b[1mthree four\x1b[0m"
    assert lines[2].startswith("\x1b[1mfive six")
    assert "\x1b[1m" not in lines[3]
    # Nothing changes where the text fits.
    assert wrap_text(text, 80) == text


def test_wrap_leaves_words_wider_than_the_line_whole_on_a_line_of_their_own() -> None:
    wrapped = wrap_text("pay " + "x" * 30 + " now, please", 12)
    assert wrapped == "pay\n" + "x" * 30 + " now,\nplease"
    assert wrap_text("  indented words that go on", 12, indent="    ") == (
        "  indented\n    words\n    that go\n    on"
    )


def test_display_width_counts_wide_characters_and_emoji_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("🧾 Invoice") == 10
    assert display_width("🇬🇧") == 2
    assert display_width("✖️") == 2  # with the emoji presentation selector
    assert display_width("é") == 1  # e and a combining accent
    assert display_width("日本") == 4


def test_buttons_break_between_choices_and_copy_texts_are_shortened() -> None:
    buttons = [
        Button(text="🇺🇸 United States", callback_data="us", url=None, copy_text=None, row=0, col=0),
        Button(
            text="🇬🇧 United Kingdom", callback_data="uk", url=None, copy_text=None, row=0, col=1
        ),
        Button(text="Copy invoice", callback_data=None, url=None, copy_text=BOLT11, row=1, col=0),
    ]
    assert format_buttons(buttons, ansi=False, width=40) == (
        f"[1] 🇺🇸 United States\n[2] 🇬🇧 United Kingdom\n[3] Copy invoice (copy:\n"
        f"    {BOLT11[:23]}…{BOLT11[-8:]})"
    )
    assert format_buttons(buttons, ansi=False).split("\n")[0] == (
        "[1] 🇺🇸 United States  [2] 🇬🇧 United Kingdom"
    )


async def test_a_number_and_a_message_number_press_buttons_of_older_messages(
    telegram_url: str,
) -> None:
    # In a new chat: the user's /start is message 1, the reply 2; then 3 and 4.
    transcript = await _chat(telegram_url, "/start\n/start\n#2 2\n#2 9\n#1 1\n#77 1\n#4\n1\n")
    assert "── Bot · #2 · " in transcript and "── Bot · #4 · " in transcript
    assert "› pressed [2] 🇬🇧 UK on message #2" in transcript
    edited = transcript[transcript.index("── Bot · #2 (edited)") :]
    assert edited.startswith("── Bot · #2 (edited)") and "You picked UK." in edited
    # Message 2 has no buttons any more; message 1 is the user's; there is no message 77.
    assert "(message #2 has no buttons)" in transcript
    assert "(message #1 is yours: only the bot's messages have buttons)" in transcript
    assert "(there is no message #77 in this chat; messages with buttons: #4)" in transcript
    # "#4" shows message 4 again; a bare number still presses the latest message's buttons.
    assert transcript.count("── Bot · #4 · ") == 2
    assert "› pressed [1] 🇺🇸 USA on message #4" in transcript


async def test_a_bare_number_presses_the_buttons_shown_last(telegram_url: str) -> None:
    # /card is message 1; the card 2, the code 3, then the card is edited with new buttons.
    transcript = await _chat(telegram_url, "/card\n:wait 1\n1\n")
    assert "── Bot · #2 (edited)" in transcript
    assert "› pressed [1] Buy again on message #2" in transcript


# The chat in a terminal: a pty of a given size, seen through a small terminal emulator.


@contextlib.asynccontextmanager
async def _pty_chat(
    url: str, *, columns: int = 80, lines: int = 24, colour: bool = True
) -> AsyncIterator[PtyProcess]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(PYTHONUTF8="1", TERM="xterm-256color")
    if not colour:
        env["NO_COLOR"] = "1"
    command = [sys.executable, "-m", "sandbox.chat", "--telegram-url", url]
    chat = PtyProcess(command, env, columns=columns, lines=lines)
    try:
        await chat.wait_for_text("/quit to leave.")
        yield chat
    finally:
        code = await chat.close()
        assert code == 0, chat.output


async def _answer(chat: PtyProcess, line: str, last: str) -> None:
    """Type a line; wait until ``last`` is shown and the prompt is back under it."""
    mark = chat.type(line)
    end = await chat.wait_for_text(last, mark)
    await chat.wait_for(lambda: chat.output.endswith("› ") and len(chat.output) > end)


def _drawn_width(screen: Screen, row: int) -> int:
    """Columns of a row that show something: a character, or a background colour."""
    cells = screen.rows[row]
    return max(
        (x + 1 for x, cell in enumerate(cells) if cell.char != " " or cell.style[2]), default=0
    )


def _row_of(screen: Screen, start: str) -> int:
    rows = [row for row, text in enumerate(screen.texts()) if text.startswith(start)]
    assert rows, screen.dump()
    return rows[-1]


@pytest.mark.parametrize(
    ("columns", "lines", "drawing_lines", "drawing_columns"),
    [(80, 24, 19, 29), (100, 40, 29, 57)],
    ids=["80x24-compact", "100x40-half-blocks"],
)
@pytest.mark.parametrize("colour", [True, False], ids=["ansi", "no-color"])
async def test_an_invoice_qr_fits_the_terminal_and_scans_off_the_screen(
    telegram_url: str,
    columns: int,
    lines: int,
    drawing_lines: int,
    drawing_columns: int,
    colour: bool,
) -> None:
    async with _pty_chat(telegram_url, columns=columns, lines=lines, colour=colour) as chat:
        await _answer(chat, "/bolt11", "Cancel order")
        screen = chat.screen
        texts = screen.texts()
        label = _row_of(screen, "[QR code]")
        first_button = _row_of(screen, "[1] 🔄 Check now")
        # The whole code is on the screen, with its buttons and the prompt under it.
        assert first_button - label - 1 == drawing_lines, screen.dump()
        assert texts[first_button + 1] == "[2] ✖️ Cancel order"
        assert texts[first_button + 2] == "›"
        assert first_button + 2 == lines - 1
        drawn = [_drawn_width(screen, row) for row in range(label + 1, first_button)]
        assert set(drawn) == {drawing_columns}
        assert not any(screen.wrapped[label:]), screen.dump()
        for cell in [(8, 16), (9, 20), (7, 15), (10, 19)]:
            assert _decode(screen_picture(screen, cell)) == [BOLT11_QR_TEXT], cell
        # Above the code, the caption; its invoice is one piece, for copying, that the terminal
        # wrapped by itself.
        assert BOLT11 in strip_escapes(chat.output)


async def test_a_qr_code_too_big_for_the_terminal_says_how_big_it_must_be(
    telegram_url: str,
) -> None:
    async with _pty_chat(telegram_url, columns=80, lines=16) as chat:
        await _answer(chat, "/bolt11", "Cancel order")
        assert (
            "(the QR code needs a terminal of 29 columns and 21 lines; this one has 80 and 16:"
            " enlarge it)"
        ) in strip_escapes(chat.output)


@pytest.mark.parametrize("columns", [80, 47])
async def test_long_lines_wrap_at_word_boundaries_and_keep_their_styles(
    telegram_url: str, columns: int
) -> None:
    async with _pty_chat(telegram_url, columns=columns) as chat:
        await _answer(chat, "/long", "#5.")
        screen = chat.screen
        top = _row_of(screen, "── Bot · #")
        bottom = _row_of(screen, "›")
        assert display_width(screen.texts()[top]) <= columns
        rows = range(top + 1, bottom)
        assert len(rows) > 3
        # No row ran into the next: every break is the chat's, between two words.
        assert not any(screen.wrapped[row] for row in rows), screen.dump()
        cells: list[Cell | None] = []  # None between two rows
        for row in rows:
            used = [cell for cell in screen.rows[row] if cell.char]
            while used and used[-1].char == " ":
                used.pop()
            cells += [*used, None]
        shown = "".join(" " if cell is None else cell.char for cell in cells).rstrip()
        plain = re.sub(r"<[^>]+>", "", LONG_TEXT)
        assert shown == plain, screen.dump()
        # Bold and code look the same on every line they cross, and stop where they end.
        bold = plain.index("nothing is taken")
        bold_end = plain.index("order.") + len("order")
        for index, cell in enumerate(cells):
            if cell is None or cell.char == " ":
                continue
            assert ("1" in cell.style[0]) == (bold <= index < bold_end), (index, shown[index])
        code = plain.index("+44")
        assert all(cell is not None and cell.style[1] == "36" for cell in cells[code : code + 15])


async def test_a_message_number_presses_an_older_messages_button_in_the_terminal(
    telegram_url: str,
) -> None:
    async with _pty_chat(telegram_url) as chat:
        await _answer(chat, "/start", "Alert me")
        first = re.findall(r"── Bot · #(\d+) ·", chat.output)[-1]
        await _answer(chat, "/start", "Alert me")
        second = re.findall(r"── Bot · #(\d+) ·", chat.output)[-1]
        assert first != second
        mark = chat.type(f"#{first} 2")
        await chat.wait_for_text(f"pressed [2] 🇬🇧 UK on message #{first}", mark)
        await chat.wait_for_text("You picked", mark)
        assert f"── Bot · #{first} (edited)" in chat.output[mark:]
        await _answer(chat, ":help", "/quit")
        assert any("#M N" in text for text in chat.screen.texts())
