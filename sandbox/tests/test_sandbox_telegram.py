"""The Telegram sandbox seen by a real PTB Bot over HTTP: each method and each error."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    MenuButtonWebApp,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
)

from sandbox.telegram import TelegramSandbox
from sandbox.telegram.client import TelegramSandboxClient

USER = 1001
OTHER = 1002
GROUP = -1001234567890
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _message(result: Message | bool) -> Message:
    """Edits return the message (True only for inline messages, which the bot has none of)."""
    assert isinstance(result, Message)
    return result


async def _user_in_chat(client: TelegramSandboxClient, user_id: int = USER) -> None:
    await client.create_user(user_id, "Alice", username=f"alice{user_id}")
    await client.send(user_id, "/start")


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.username == "sms4sats_sandbox_bot"
    assert me.is_bot
    assert me.can_join_groups
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_wrong_token_is_rejected(sandbox: TelegramSandbox) -> None:
    stranger = Bot("123456789:WRONG", base_url=sandbox.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with stranger:
            pass


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})


async def test_raw_http_answers_like_telegram(sandbox: TelegramSandbox) -> None:
    token = sandbox.config.token
    async with httpx.AsyncClient(trust_env=False) as http:
        by_query = await http.get(f"{sandbox.url}/bot{token}/GETME")
        assert by_query.json()["result"]["id"] == 123456789
        await http.post(f"{sandbox.url}/__sandbox/users", json={"id": USER, "first_name": "A"})
        await http.post(f"{sandbox.url}/__sandbox/messages", json={"from_id": USER, "text": "hi"})
        by_json = await http.post(
            f"{sandbox.url}/bot{token}/sendMessage",
            json={"chat_id": USER, "text": "<b>x</b>", "parse_mode": "HTML"},
        )
        assert by_json.json()["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
        by_query_post = await http.post(
            f"{sandbox.url}/bot{token}/sendMessage", params={"chat_id": USER, "text": "q"}
        )
        assert by_query_post.json()["result"]["text"] == "q"
        unknown = await http.get(f"{sandbox.url}/bot{token}/nope")
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        wrong = await http.get(f"{sandbox.url}/bot1:x/getMe")
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_send_and_edit_text(
    bot: Bot, client: TelegramSandboxClient, sandbox: TelegramSandbox
) -> None:
    await _user_in_chat(client)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Buy", callback_data="buy")]])
    sent = await bot.send_message(USER, "<b>Price</b>: 100 sats", "HTML", reply_markup=keyboard)
    assert sent.text == "Price: 100 sats"
    assert sent.reply_markup == keyboard
    assert sent.edit_date is None

    edited = _message(await bot.edit_message_text("Paid", USER, sent.message_id))
    assert edited.text == "Paid"
    assert edited.edit_date is not None
    # Telegram drops the keyboard when an edit doesn't repeat it.
    assert edited.reply_markup is None

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Paid", USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)

    with_markup = _message(
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)
    )
    assert with_markup.reply_markup == keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)

    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(USER, sent.message_id, caption="c")

    [shown] = await client.bot_messages(USER)
    assert shown.edit_count == 2
    assert shown.text == "Paid"
    assert [button.text for button in shown.buttons] == ["Buy"]
    history = sandbox.state.chats[USER].messages[sent.message_id].history
    assert [version.content.text for version in history] == ["Price: 100 sats", "Paid"]


async def test_delete_message(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)
    sent = await bot.send_message(USER, "temporary")
    assert await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("again", USER, sent.message_id)
    messages = await client.messages(USER)
    assert [m.deleted for m in messages] == [False, True]
    assert await client.bot_messages(USER) == []


async def test_text_limits(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    assert (await bot.send_message(USER, "x" * 4096)).text == "x" * 4096
    # The limit applies after parsing: markup doesn't count.
    assert await bot.send_message(USER, "<b>" + "y" * 4096 + "</b>", ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(USER, "<blink>no</blink>", ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities: can't find end tag"):
        await bot.send_message(USER, "<b>open", ParseMode.HTML)
    # Without parse_mode, markup is just text.
    assert (await bot.send_message(USER, "<b>as is</b>")).text == "<b>as is</b>"


async def test_inline_keyboard_validation(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)

    def one(button: InlineKeyboardButton) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[button]])

    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            USER, "x", reply_markup=one(InlineKeyboardButton("a", callback_data="d" * 65))
        )
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            USER, "x", reply_markup=one(InlineKeyboardButton("a", callback_data="é" * 33))
        )
    with pytest.raises(BadRequest) as bad_url:
        await bot.send_message(
            USER, "x", reply_markup=one(InlineKeyboardButton("a", url="ftp://h/f"))
        )
    assert "url 'ftp://h/f' is invalid: unsupported url protocol" in bad_url.value.message.lower()
    with pytest.raises(BadRequest, match=r"(?i)copy_text_invalid"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=one(InlineKeyboardButton("a", copy_text=CopyTextButton("c" * 257))),
        )
    with pytest.raises(BadRequest, match=r"(?i)exactly one"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=one(InlineKeyboardButton("a", url="https://x.org", callback_data="d")),
        )

    fine = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("pay", callback_data="d" * 64)],
            [
                InlineKeyboardButton("site", url="https://example.org/a?b=c"),
                InlineKeyboardButton("tg", url="tg://resolve?domain=x"),
                InlineKeyboardButton("copy", copy_text=CopyTextButton("lnbc1" + "q" * 251)),
                InlineKeyboardButton("app", web_app=WebAppInfo("https://app.example.org")),
            ],
        ]
    )
    sent = await bot.send_message(USER, "ok", reply_markup=fine)
    assert sent.reply_markup == fine
    [shown] = await client.bot_messages(USER)
    assert [(b.text, b.row, b.col) for b in shown.buttons][:3] == [
        ("pay", 0, 0),
        ("site", 1, 0),
        ("tg", 1, 1),
    ]
    assert shown.buttons[3].copy_text == "lnbc1" + "q" * 251

    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Help")]], resize_keyboard=True)
    with_keyboard = await bot.send_message(USER, "menu", reply_markup=keyboard)
    # A reply keyboard belongs to the chat, not to the message.
    assert with_keyboard.reply_markup is None
    assert await bot.send_message(USER, "gone", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, with_keyboard.message_id)


async def test_replies_reference_the_message(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)
    [question] = await client.messages(USER)
    answer = await bot.send_message(USER, "answer", reply_to_message_id=question.message_id)
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "/start"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=999)


async def test_chats_and_members(
    bot: Bot, client: TelegramSandboxClient, sandbox: TelegramSandbox
) -> None:
    await client.create_user(USER, "Owner")
    await client.create_user(OTHER, "Admin")
    await client.create_user(1003, "Member")
    await client.create_user(1004, "Stranger")
    await client.create_group(GROUP, "Buyers", owner=USER, admins=[OTHER], members=[1003])

    chat = await bot.get_chat(GROUP)
    assert (chat.type, chat.title) == ("supergroup", "Buyers")
    assert isinstance(await bot.get_chat_member(GROUP, USER), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, OTHER), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(GROUP, 1003), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(GROUP, 1004), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(GROUP, bot.id), ChatMemberMember)
    admins = await bot.get_chat_administrators(GROUP)
    assert [member.user.id for member in admins] == [USER, OTHER]
    assert await bot.get_chat_member_count(GROUP) == 4

    await client.set_bot_membership(GROUP, "administrator", by=USER)
    await client.set_group_admins(GROUP, [1003])
    admins = await bot.get_chat_administrators(GROUP)
    assert [member.user.id for member in admins] == [USER, 1003, bot.id]
    assert isinstance(await bot.get_chat_member(GROUP, OTHER), ChatMemberMember)

    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(-100999)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@somewhere", "x")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(1004, "hello?")

    await client.send(1004, "hi")
    private = await bot.get_chat(1004)
    assert (private.type, private.first_name) == ("private", "Stranger")
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(1004)

    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(GROUP, "still here?")
    await client.set_bot_membership(GROUP, "member", by=USER)
    assert await bot.send_message(GROUP, "back")
    await client.set_bot_membership(GROUP, "kicked", by=USER)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "x")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.get_chat(GROUP)


async def test_blocked_user(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)
    sent = await bot.send_message(USER, "hello")
    await client.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "are you there?")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.edit_message_text("edited", USER, sent.message_id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(USER, ChatAction.TYPING)
    await client.unblock(USER)
    assert await bot.send_message(USER, "welcome back")

    updates = await bot.get_updates(timeout=0)
    changes = [u.my_chat_member for u in updates if u.my_chat_member is not None]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert all(c.from_user.id == USER and c.chat.id == USER for c in changes)


async def test_callback_queries(bot: Bot, client: TelegramSandboxClient) -> None:
    await _user_in_chat(client)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Check payment", callback_data="check:7")]]
    )
    sent = await bot.send_message(USER, "Invoice", reply_markup=keyboard)
    [shown] = await client.bot_messages(USER)

    pressing = asyncio.create_task(client.press(USER, shown, "check", timeout=5))
    query = None
    while query is None:
        for update in await bot.get_updates(timeout=1):
            await bot.get_updates(offset=update.update_id + 1, timeout=0)
            query = update.callback_query or query
    assert query.data == "check:7"
    assert query.from_user.id == USER
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.chat_instance
    assert await query.answer("Not paid yet", show_alert=True)
    answer = await pressing
    assert (answer.answered, answer.text, answer.show_alert) == (True, "Not paid yet", True)

    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("twice")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(KeyError, match="Check payment"):
        await client.press(USER, shown, "refund")

    unanswered = await client.press_data(USER, USER, sent.message_id, "other", timeout=0.2)
    assert unanswered.answered is False


async def test_commands_per_scope(bot: Bot, client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Owner")
    await client.create_group(GROUP, "Buyers", owner=USER)
    default = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    private = [BotCommand("buy", "Buy a number")]
    group = [BotCommand("price", "Prices")]
    member = [BotCommand("admin", "Admin tools")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    assert await bot.set_my_commands(
        [BotCommand("kaufen", "Nummer kaufen")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="de",
    )
    assert await bot.set_my_commands(group, scope=BotCommandScopeChat(GROUP))
    assert await bot.set_my_commands(member, scope=BotCommandScopeChatMember(GROUP, USER))

    assert await bot.get_my_commands() == tuple(default)
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == tuple(private)
    german = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="de")
    assert [c.command for c in german] == ["kaufen"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(GROUP)) == tuple(group)
    assert await bot.get_my_commands(scope=BotCommandScopeChatMember(GROUP, USER)) == tuple(member)

    assert await client.commands() == [c.to_dict() for c in default]
    assert await client.commands({"type": "chat", "chat_id": GROUP}) == [group[0].to_dict()]
    assert await client.commands({"type": "all_private_chats"}, "de") == [
        {"command": "kaufen", "description": "Nummer kaufen"}
    ]

    assert await bot.delete_my_commands(scope=BotCommandScopeChat(GROUP))
    assert await bot.get_my_commands(scope=BotCommandScopeChat(GROUP)) == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands(default, scope=BotCommandScopeChat(-100555))
    events = [e for e in await client.events() if e.type == "commands_set"]
    assert len(events) == 6
    assert events[3].chat_id == GROUP


async def test_chat_actions_menu_button_and_session_methods(
    bot: Bot, client: TelegramSandboxClient
) -> None:
    await _user_in_chat(client)
    assert await bot.send_chat_action(USER, ChatAction.UPLOAD_PHOTO)
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(USER, "dance")
    [event] = [e for e in await client.events() if e.type == "chat_action"]
    assert (event.chat_id, event.data["action"]) == (USER, "upload_photo")

    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    web_app = MenuButtonWebApp("Shop", WebAppInfo("https://shop.example.org"))
    assert await bot.set_chat_menu_button(USER, web_app)
    assert await bot.get_chat_menu_button(USER) == web_app
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)

    assert await bot.close()
    assert await bot.log_out()


async def test_webhook_excludes_get_updates_and_delivers(
    bot: Bot, client: TelegramSandboxClient
) -> None:
    received: list[tuple[dict[str, object], str | None]] = []
    broken: list[bool] = []

    async def hook(request: web.Request) -> web.Response:
        if broken:
            return web.Response(status=500)
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await client.create_user(USER, "Alice")
        await client.send(USER, "before the webhook")
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        await client.send(USER, "/start")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.02)
        assert [body["message"]["text"] for body, _ in received] == [  # type: ignore[index]
            "before the webhook",
            "/start",
        ]
        assert {secret for _, secret in received} == {"s3cret"}
        info = await bot.get_webhook_info()
        assert info.url == f"http://127.0.0.1:{port}/hook"
        assert info.pending_update_count == 0

        broken.append(True)
        await client.send(USER, "nobody listens")
        for _ in range(100):
            info = await bot.get_webhook_info()
            if info.last_error_message:
                break
            await asyncio.sleep(0.02)
        assert info.pending_update_count == 1
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_cli_serves_until_terminated() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.telegram",
        "--port",
        "0",
        "--token",
        "42:CLI-token",
        "--bot-username",
        "cli_sandbox_bot",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=10)
        url = line.decode().strip()
        assert url.startswith("http://127.0.0.1:")
        # The second line is what the bot's .env needs: the token this sandbox accepts.
        settings = await asyncio.wait_for(process.stdout.readline(), timeout=10)
        assert settings.decode().split() == [
            f"TELEGRAM_API_URL={url}",
            "TELEGRAM_BOT_TOKEN=42:CLI-token",
        ]
        async with Bot("42:CLI-token", base_url=f"{url}/bot") as cli_bot:
            me = await cli_bot.get_me()
        assert (me.id, me.username) == (42, "cli_sandbox_bot")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=10)
    assert code == 0
