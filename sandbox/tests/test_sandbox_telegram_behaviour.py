"""Faithful Telegram behaviour of the sandbox: formatting, privacy mode, membership updates,
flood limits, injected faults, photos and the client's waiting helpers."""

import asyncio
import datetime as dtm
import io
import time

import httpx
import pytest
import qrcode
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import ChatMessage, TelegramSandboxClient
from sandbox.telegram.errors import ApiError
from sandbox.telegram.text_entities import format_text, parse_html, render_html, utf16_len

USER = 3001
OWNER = 3002
ADMIN = 3003
GROUP = -1009876543210


def _no_users(user_id: int) -> dict[str, object] | None:
    return None


def _parse(source: str) -> tuple[str, list[dict[str, object]]]:
    return parse_html(source, _no_users)


def _parse_error(source: str) -> str:
    with pytest.raises(ApiError) as error:
        _parse(source)
    assert error.value.error_code == 400
    return error.value.description


# HTML parsing


def test_html_offsets_are_utf16_with_emoji() -> None:
    text, entities = _parse("💸 <b>Pay</b> 🇩🇪 <i>now</i>")
    assert text == "💸 Pay 🇩🇪 now"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "italic", "offset": 12, "length": 3},
    ]
    assert utf16_len("💸 Pay 🇩🇪 ") == 12


def test_html_all_supported_tags() -> None:
    text, entities = _parse(
        "<strong>b</strong><em>i</em><ins>u</ins><del>s</del><strike>s</strike>"
        '<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span><code>c</code>'
        '<pre><code class="language-python">print(1)</code></pre><pre>raw</pre>'
        '<a href="https://example.org/pay?x=1&amp;y=2">link</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
    )
    assert text == "biussxycprint(1)rawlink👍qe"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert kinds == [
        ("bold", 0, 1),
        ("italic", 1, 1),
        ("underline", 2, 1),
        ("strikethrough", 3, 1),
        ("strikethrough", 4, 1),
        ("spoiler", 5, 1),
        ("spoiler", 6, 1),
        ("code", 7, 1),
        ("pre", 8, 8),
        ("pre", 16, 3),
        ("text_link", 19, 4),
        ("custom_emoji", 23, 2),
        ("blockquote", 25, 1),
        ("expandable_blockquote", 26, 1),
    ]
    assert entities[8]["language"] == "python"
    assert "language" not in entities[9]
    assert entities[10]["url"] == "https://example.org/pay?x=1&y=2"


def test_html_character_references() -> None:
    text, entities = _parse("&lt;b&gt; &amp; &quot;q&quot; &#128184; &#x1F4B8; &nbsp; a&b")
    assert text == '<b> & "q" 💸 💸 &nbsp; a&b'
    assert entities == []


def test_html_nested_and_trimmed() -> None:
    text, entities = format_text("  <b>bold <i>both</i></b>\n", "HTML", None, _no_users)
    assert text == "bold both"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


def test_html_errors_match_telegram() -> None:
    assert _parse_error("a <blink>x</blink>") == (
        'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 2'
    )
    assert _parse_error("é <b>x") == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    assert _parse_error("<b>x</i>") == (
        "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
        'expected "</b>", found "</i>"'
    )
    assert "Unexpected end tag at byte offset 1" in _parse_error("x</b>")
    assert "Unsupported start tag" in _parse_error("1 < 2")
    assert "Unclosed start tag" in _parse_error("<b")
    assert 'Tag "span" must have class "tg-spoiler"' in _parse_error("<span>x</span>")


def test_render_html_round_trip() -> None:
    source = '💸 <b>Pay <i>now</i></b> &lt;3 <a href="https://x.org/">here</a> <code>lnbc1</code>'
    text, entities = _parse(source)
    assert render_html(text, entities) == source
    assert render_html("a < b", []) == "a &lt; b"


async def test_html_through_the_bot(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    sent = await bot.send_message(USER, "🎉 <b>Paid</b> <i>✓</i>", parse_mode=ParseMode.HTML)
    assert sent.text == "🎉 Paid ✓"
    assert sent.parse_entities() == {sent.entities[0]: "Paid", sent.entities[1]: "✓"}
    photo = _qr_png("caption test")
    with_caption = await bot.send_photo(USER, photo, caption="<b>Scan</b> me", parse_mode="HTML")
    assert with_caption.caption == "Scan me"
    assert with_caption.parse_caption_entities() == {with_caption.caption_entities[0]: "Scan"}
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(USER, photo, caption="c" * 1025)
    messages = await client.bot_messages(USER)
    assert [m.html for m in messages] == ["🎉 <b>Paid</b> <i>✓</i>", "<b>Scan</b> me"]


# Groups: privacy mode and membership updates


async def _group(client: TelegramSandboxClient, bot_status: str = "member") -> None:
    await client.create_user(OWNER, "Owner", username="group_owner")
    await client.create_user(ADMIN, "Admin")
    await client.create_user(USER, "Member")
    await client.create_group(
        GROUP, "Numbers", owner=OWNER, admins=[ADMIN], members=[USER], bot_status=bot_status
    )


async def _delivered(url: str, text: str, reply_to: int | None = None) -> bool:
    """Sends as USER in GROUP; whether the bot got the message (privacy mode)."""
    body: dict[str, object] = {"from_id": USER, "chat_id": GROUP, "text": text}
    if reply_to is not None:
        body["reply_to_message_id"] = reply_to
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.post(f"{url}/__sandbox/messages", json=body)
    response.raise_for_status()
    result: bool = response.json()["delivered"]
    return result


async def test_privacy_mode_in_groups(
    bot: Bot, client: TelegramSandboxClient, sandbox: TelegramSandbox
) -> None:
    await _group(client)
    url = sandbox.url
    [added] = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=added.update_id + 1, timeout=0)
    assert not await _delivered(url, "just chatting")
    assert await _delivered(url, "/price")
    assert await _delivered(url, "/price@sms4sats_sandbox_bot DE")
    assert await _delivered(url, "/price@SMS4SATS_SANDBOX_BOT")
    assert not await _delivered(url, "/price@some_other_bot")
    assert await _delivered(url, "hey @sms4sats_sandbox_bot, prices?")
    assert not await _delivered(url, "hey @sms4sats_sandbox_botx")
    answer = await bot.send_message(GROUP, "Prices: ...")
    assert await _delivered(url, "thanks", reply_to=answer.message_id)
    own = await client.send(USER, "a user message", chat_id=GROUP)
    assert not await _delivered(url, "replying to a person", reply_to=own.message_id)

    messages = [u.message for u in await bot.get_updates(timeout=0) if u.message]
    assert [m.text for m in messages] == [
        "/price",
        "/price@sms4sats_sandbox_bot DE",
        "/price@SMS4SATS_SANDBOX_BOT",
        "hey @sms4sats_sandbox_bot, prices?",
        "thanks",
    ]
    command = messages[1]
    assert command.entities[0].type == "bot_command"
    assert command.entities[0].length == len("/price@sms4sats_sandbox_bot")
    assert command.chat.type == "supergroup"
    thanks = messages[-1]
    assert thanks.reply_to_message is not None
    assert thanks.reply_to_message.message_id == answer.message_id
    # Everyone sees everything in the group, whatever the bot received.
    assert len(await client.messages(GROUP)) == 11


async def test_admin_bot_and_privacy_off_see_everything(
    client: TelegramSandboxClient, sandbox: TelegramSandbox
) -> None:
    await _group(client, bot_status="administrator")
    assert await _delivered(sandbox.url, "just chatting")
    config = TelegramSandboxConfig(privacy_mode=False)
    async with (
        run_telegram_sandbox(config=config) as open_sandbox,
        httpx.AsyncClient(trust_env=False) as http,
        Bot(config.token, base_url=open_sandbox.base_url) as open_bot,
    ):
        await _group(TelegramSandboxClient(open_sandbox.url, http))
        assert await _delivered(open_sandbox.url, "just chatting")
        assert (await open_bot.get_me()).can_read_all_group_messages


async def test_my_chat_member_updates(bot: Bot, client: TelegramSandboxClient) -> None:
    await _group(client)
    await client.set_bot_membership(GROUP, "administrator", by=OWNER)
    await client.set_bot_membership(GROUP, "kicked", by=ADMIN)
    await client.set_bot_membership(GROUP, "member", by=OWNER)
    await bot.leave_chat(GROUP)
    changes = [u.my_chat_member for u in await bot.get_updates(timeout=0) if u.my_chat_member]
    assert [
        (c.from_user.id, c.old_chat_member.status, c.new_chat_member.status) for c in changes
    ] == [
        (OWNER, "left", "member"),
        (OWNER, "member", "administrator"),
        (ADMIN, "administrator", "kicked"),
        (OWNER, "kicked", "member"),
        (bot.id, "member", "left"),
    ]
    assert all(c.chat.id == GROUP and c.chat.title == "Numbers" for c in changes)
    assert changes[1].new_chat_member.user.id == bot.id


# Flood limits and faults


# PTB 22 warns that RetryAfter.retry_after will become a timedelta; both forms are handled.
_RETRY_AFTER_WARNING = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@_RETRY_AFTER_WARNING
async def test_flood_limits_per_chat() -> None:
    config = TelegramSandboxConfig(private_chat_burst=3, private_chat_rate=0.5, group_per_minute=2)
    async with (
        run_telegram_sandbox(config=config) as limited,
        httpx.AsyncClient(trust_env=False) as http,
        Bot(config.token, base_url=limited.base_url) as limited_bot,
    ):
        users = TelegramSandboxClient(limited.url, http)
        await _group(users)
        await users.send(USER, "/start")
        for _ in range(3):
            await limited_bot.send_message(USER, "burst")
        with pytest.raises(RetryAfter) as private_limit:
            await limited_bot.send_message(USER, "one too many")
        assert _retry_seconds(private_limit.value) == 2

        for _ in range(2):
            await limited_bot.send_message(GROUP, "group")
        with pytest.raises(RetryAfter, match="Flood control exceeded") as group_limit:
            await limited_bot.send_message(GROUP, "group flood")
        # A sliding minute: the first of the two leaves the window a minute after it was sent.
        assert _retry_seconds(group_limit.value) == 60

        calls = await users.calls()
        assert [c["error_code"] for c in calls if not c["ok"]] == [429, 429]
        description = limited.state.calls[-1]
        assert description["error_code"] == 429


async def test_flood_limit_for_the_whole_bot() -> None:
    config = TelegramSandboxConfig(global_per_second=1)
    async with (
        run_telegram_sandbox(config=config) as limited,
        httpx.AsyncClient(trust_env=False) as http,
        Bot(config.token, base_url=limited.base_url) as limited_bot,
    ):
        users = TelegramSandboxClient(limited.url, http)
        for user_id in (USER, OWNER):
            await users.create_user(user_id, "Someone")
            await users.send(user_id, "/start")
        await limited_bot.send_message(USER, "first")
        with pytest.raises(RetryAfter):
            await limited_bot.send_message(OWNER, "second, other chat")


async def test_flood_limits_can_be_off() -> None:
    config = TelegramSandboxConfig(flood_limits=False)
    async with (
        run_telegram_sandbox(config=config) as free,
        httpx.AsyncClient(trust_env=False) as http,
        Bot(config.token, base_url=free.base_url) as free_bot,
    ):
        users = TelegramSandboxClient(free.url, http)
        await users.create_user(USER, "Ann")
        await users.send(USER, "/start")
        for _ in range(40):
            await free_bot.send_message(USER, "no limit")


@_RETRY_AFTER_WARNING
async def test_injected_faults(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.create_user(OWNER, "Other")
    await client.send(USER, "/start")
    await client.send(OWNER, "/start")

    await client.inject_fault("sendMessage", 429, count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(USER, "x")
        assert _retry_seconds(limited.value) == 7
    assert await bot.send_message(USER, "third time lucky")

    await client.inject_fault("SENDMESSAGE", 403, chat_id=OWNER)
    assert await bot.send_message(USER, "other chats are fine")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(OWNER, "x")
    assert await bot.send_message(OWNER, "only once")

    await client.inject_fault("editMessageText", 400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match="Custom"):
        await bot.edit_message_text("x", USER, 1)
    await client.inject_fault("getMe", 502, count=5)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    await client.clear_faults()
    assert await bot.get_me()

    failures = [(c["method"], c["error_code"]) for c in await client.calls() if not c["ok"]]
    assert failures == [
        ("sendMessage", 429),
        ("sendMessage", 429),
        ("sendMessage", 403),
        ("editMessageText", 400),
        ("getMe", 502),
    ]


async def test_call_log_shows_what_the_bot_sent(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Pay", callback_data="pay")]])
    await bot.send_message(USER, "Your code: 123456", reply_markup=keyboard)
    png = _qr_png("lnbc1xyz")
    await bot.send_photo(USER, png, caption="Pay")
    calls = await client.calls()
    sent = [c for c in calls if c["method"] in ("sendMessage", "sendPhoto")]
    assert sent[0]["params"] == {
        "chat_id": str(USER),
        "text": "Your code: 123456",
        "reply_markup": {"inline_keyboard": [[{"text": "Pay", "callback_data": "pay"}]]},
    }
    assert sent[1]["params"]["photo"]["size"] == len(png)
    assert all(c["ok"] and c["error_code"] is None for c in sent)


# Photos


def _message(result: Message | bool) -> Message:
    """Edits return the message (True only for inline messages, which the bot has none of)."""
    assert isinstance(result, Message)
    return result


def _qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_photo_round_trip(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    png = _qr_png("lnbc10u1pexample")
    width, height = Image.open(io.BytesIO(png)).size

    sent = await bot.send_photo(USER, png, caption="Scan to pay")
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (width, height)
    assert [max(p.width, p.height) for p in sent.photo[:-1]] == [90, 320]

    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == png
    [shown] = await client.bot_messages(USER)
    assert shown.photo_file_id == largest.file_id
    assert await client.file_bytes(largest.file_id) == png

    again = await bot.send_photo(USER, largest.file_id)
    assert again.photo[-1].file_id == largest.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(USER, "no-such-file")
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, b"not an image")

    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("x", USER, sent.message_id)
    captioned = _message(
        await bot.edit_message_caption(
            USER, sent.message_id, caption="<i>Paid</i>", parse_mode="HTML"
        )
    )
    assert captioned.caption == "Paid"
    replaced = _message(
        await bot.edit_message_media(
            InputMediaPhoto(_qr_png("second invoice"), caption="New invoice"), USER, sent.message_id
        )
    )
    assert replaced.caption == "New invoice"
    assert replaced.photo[-1].file_id != largest.file_id
    [current, _] = await client.bot_messages(USER)
    assert current.edit_count == 2
    assert await client.file_bytes(current.photo_file_id or "") == _qr_png("second invoice")


# The client's waiting helpers and events


async def test_wait_for_message_follows_edits(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    sent = await bot.send_message(USER, "Waiting for payment…")
    assert (await client.wait_for_text(USER, "WAITING", timeout=1)).message_id == sent.message_id

    async def pay_later() -> None:
        await bot.edit_message_text("Payment received ✅", USER, sent.message_id)

    editing = asyncio.create_task(pay_later())
    paid = await client.wait_for_text(USER, "payment received", timeout=3)
    await editing
    assert paid.edit_count == 1


async def test_wait_for_message_timeout_explains(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    await bot.send_message(USER, "Choose a country")
    started = time.monotonic()
    with pytest.raises(TimeoutError) as timed_out:
        await client.wait_for_text(USER, "invoice", timeout=0.5)
    assert 0.45 <= time.monotonic() - started < 1.5
    report = str(timed_out.value)
    assert "'invoice'" in report
    assert f"chat {USER}" in report
    assert "'Choose a country'" in report

    def never(message: ChatMessage) -> bool:
        return False

    with pytest.raises(TimeoutError, match="the bot has sent nothing"):
        await client.wait_for_message(OWNER, never, timeout=0.1)


async def test_events_record_what_the_bot_did(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "/start")
    sent = await bot.send_message(USER, "one")
    await bot.edit_message_text("two", USER, sent.message_id)
    await bot.send_chat_action(USER, "typing")
    await bot.delete_message(USER, sent.message_id)
    events = await client.events()
    assert [e.type for e in events] == ["sent", "edited", "chat_action", "deleted"]
    assert [e.message.body if e.message else None for e in events] == ["one", "two", None, "two"]
    assert events[3].message is not None
    assert events[3].message.deleted
    assert await client.events(after=events[-1].seq, timeout=0.1) == []
