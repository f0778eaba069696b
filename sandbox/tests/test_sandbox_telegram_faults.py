"""Real-Telegram trouble the sandbox reproduces for the bot's tests: answers that arrive after the
bot gave up, updates that arrive in one batch, users who unblock the bot, and flood limits."""

import asyncio
import datetime as dtm
import logging
import time
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot, Message
from telegram.error import Forbidden, RetryAfter, TimedOut

from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import SandboxRequestError, TelegramSandboxClient
from sandbox.telegram.flood import FloodControl

USER = 4001
OTHER = 4002
GROUP = -1004444444444
# Long enough for a 0.1 s client timeout to expire first, short enough to keep the suite fast.
DELAY = 0.4

# PTB 22 warns that RetryAfter.retry_after will become a timedelta; both forms are handled.
_RETRY_AFTER_WARNING = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def _users(client: TelegramSandboxClient, *user_ids: int) -> None:
    for user_id in user_ids:
        await client.create_user(user_id, f"User{user_id}")
        await client.send(user_id, "/start")


def _api(sandbox: TelegramSandbox, method: str) -> str:
    return f"{sandbox.base_url}{sandbox.config.token}/{method}"


def _message(result: Message | bool) -> Message:
    assert isinstance(result, Message)
    return result


def _retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# Late answers


async def test_late_answer_sends_the_message_but_the_client_times_out(
    sandbox: TelegramSandbox, client: TelegramSandboxClient
) -> None:
    await _users(client, USER)
    await client.inject_late_answer("sendMessage", DELAY)
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.TimeoutException):
            await http.post(
                _api(sandbox, "sendMessage"),
                json={"chat_id": USER, "text": "did this arrive?"},
                timeout=0.1,
            )
    # Telegram did send it: the chat and the events show it although the bot got no answer.
    [sent] = await client.bot_messages(USER)
    assert sent.text == "did this arrive?"
    assert [(e.type, e.message_id) for e in await client.events() if e.type == "sent"] == [
        ("sent", sent.message_id)
    ]
    [call] = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert call["ok"] and call["late"] and call["delay"] == DELAY
    assert call["params"]["text"] == "did this arrive?"


async def test_late_answer_arrives_after_the_delay_without_blocking_others(
    sandbox: TelegramSandbox, client: TelegramSandboxClient, bot: Bot
) -> None:
    await _users(client, USER)
    delay = 2 * DELAY  # room for the checks below to run while the answer waits
    await client.inject_late_answer("sendMessage", delay)
    async with httpx.AsyncClient(trust_env=False) as http:
        started = time.monotonic()
        late = asyncio.create_task(
            http.post(_api(sandbox, "sendMessage"), json={"chat_id": USER, "text": "slow"})
        )
        message = await client.wait_for_text(USER, "slow", timeout=delay)
        # Meanwhile the server answers everyone else at once, the bot included.
        assert (await bot.get_me()).id == sandbox.config.bot_id
        assert _message(await bot.send_message(USER, "fast")).message_id == message.message_id + 1
        assert not late.done()
        answer = (await late).json()
        assert time.monotonic() - started >= delay
    assert answer["ok"] and answer["result"]["message_id"] == message.message_id
    assert [c["late"] for c in await client.calls() if c["method"] == "sendMessage"] == [
        True,
        False,
    ]


async def test_late_answers_to_ptb_edits_and_deletes(
    client: TelegramSandboxClient, bot: Bot
) -> None:
    await _users(client, USER)
    first = _message(await bot.send_message(USER, "one"))
    second = _message(await bot.send_message(USER, "two"))
    await client.inject_late_answer("editMessageText", DELAY)
    await client.inject_late_answer("deleteMessage", DELAY)
    await client.inject_late_answer("sendMessage", DELAY, count=2)
    with pytest.raises(TimedOut):
        await bot.edit_message_text("one, edited", USER, first.message_id, read_timeout=0.1)
    with pytest.raises(TimedOut):
        await bot.delete_message(USER, second.message_id, read_timeout=0.1)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "three", read_timeout=0.1)
    # With patience the second late answer is an ordinary one.
    assert _message(await bot.send_message(USER, "four")).text == "four"
    shown = {m.message_id: m for m in await client.messages(USER) if m.from_bot}
    assert shown[first.message_id].text == "one, edited"
    assert shown[first.message_id].edit_count == 1
    assert shown[second.message_id].deleted
    assert [m.text for m in shown.values() if not m.deleted] == ["one, edited", "three", "four"]
    assert await bot.send_message(USER, "on time", read_timeout=0.1)


async def test_late_answer_only_for_the_chat_named(client: TelegramSandboxClient, bot: Bot) -> None:
    await _users(client, USER, OTHER)
    await client.inject_late_answer("SENDMESSAGE", DELAY, chat_id=OTHER)
    assert await bot.send_message(USER, "prompt", read_timeout=0.2)
    with pytest.raises(TimedOut):
        await bot.send_message(OTHER, "late", read_timeout=0.1)
    assert await bot.send_message(OTHER, "prompt again", read_timeout=0.2)
    late = [(c["params"]["chat_id"], c["late"]) for c in await client.calls() if c["late"]]
    assert late == [(str(OTHER), True)]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_late_errors_are_not_performed(client: TelegramSandboxClient, bot: Bot) -> None:
    await _users(client, USER)
    await client.inject_fault("sendMessage", 429, retry_after=3, delay=DELAY, count=2)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "never sent", read_timeout=0.1)
    started = time.monotonic()
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(USER, "never sent either")
    assert time.monotonic() - started >= DELAY
    assert _retry_seconds(limited.value) == 3
    assert await client.bot_messages(USER) == []
    calls = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert [(c["ok"], c["error_code"], c["late"]) for c in calls] == [(False, 429, True)] * 2


async def test_a_client_that_gives_up_breaks_nothing(
    sandbox: TelegramSandbox,
    client: TelegramSandboxClient,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _users(client, USER)
    await client.inject_late_answer("sendMessage", 0.2, count=3)
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient(trust_env=False) as http:
        for _ in range(3):
            with pytest.raises(httpx.TimeoutException):
                await http.post(
                    _api(sandbox, "sendMessage"), json={"chat_id": USER, "text": "x"}, timeout=0.05
                )
    await asyncio.sleep(0.3)  # past the delay: the abandoned answers would have gone out now
    assert await bot.send_message(USER, "still serving")
    assert len(await client.bot_messages(USER)) == 4
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


async def test_shutdown_does_not_wait_for_late_answers() -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        started = time.monotonic()
        async with run_telegram_sandbox() as running:
            client = TelegramSandboxClient(running.url, http)
            await _users(client, USER)
            await client.inject_late_answer("sendMessage", 60)
            pending = asyncio.create_task(
                http.post(_api(running, "sendMessage"), json={"chat_id": USER, "text": "x"})
            )
            await client.wait_for_text(USER, "x", timeout=2)
        assert time.monotonic() - started < 5
        # Shutting down answers at once (or drops the connection); nobody waits a minute.
        try:
            answer = await asyncio.wait_for(pending, 5)
        except httpx.HTTPError:
            pass
        else:
            assert answer.json()["ok"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"method": "sendMessage"}, "'error_code' is required, or 'delay' alone"),
        ({"method": "sendMessage", "delay": 0}, "'delay' must be more than 0"),
        ({"method": "sendMessage", "delay": -1}, "'delay' must be more than 0"),
        ({"method": "sendMessage", "delay": 601}, "at most 600"),
        ({"method": "sendMessage", "delay": "1"}, "'delay' must be a number"),
        ({"method": "sendMessage", "delay": True}, "'delay' must be a number"),
        ({"method": "sendMessage", "delay": 1, "retry_after": 2}, "takes no 'description'"),
    ],
)
async def test_bad_late_answer_requests(
    sandbox: TelegramSandbox, body: dict[str, Any], error: str
) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.post(f"{sandbox.url}/__sandbox/faults", json=body)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert sandbox.state.faults == []


async def test_fault_answer_describes_the_fault(sandbox: TelegramSandbox) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        late = await http.post(
            f"{sandbox.url}/__sandbox/faults", json={"method": "sendphoto", "delay": 1.5}
        )
        failing = await http.post(
            f"{sandbox.url}/__sandbox/faults", json={"method": "getMe", "error_code": 502}
        )
    assert late.json() == {"method": "sendPhoto", "error_code": None, "count": 1, "delay": 1.5}
    assert failing.json() == {"method": "getMe", "error_code": 502, "count": 1, "delay": None}


# Batched updates


async def _wait_for_long_poll(client: TelegramSandboxClient) -> None:
    for _ in range(200):
        if any(call["method"] == "getUpdates" for call in await client.calls()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot never asked for updates")


async def test_batch_reaches_a_waiting_long_poll_in_one_answer(
    client: TelegramSandboxClient, bot: Bot
) -> None:
    await client.create_user(USER, "Ann")
    await client.create_user(OTHER, "Ben")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await _wait_for_long_poll(client)
    async with client.batch():
        first = await client.send(USER, "/start")
        second = await client.send(USER, "are you there?")
        third = await client.send(OTHER, "hello")
        await client.block(OTHER)
        await asyncio.sleep(0.1)
        assert not poll.done()
    updates = await asyncio.wait_for(poll, 2)
    # The messages sent while holding came back to the caller as usual.
    assert [(m.message_id, m.text) for m in (first, second, third)] == [
        (1, "/start"),
        (2, "are you there?"),
        (1, "hello"),
    ]
    assert [(u.message.chat.id, u.message.message_id) for u in updates if u.message] == [
        (USER, 1),
        (USER, 2),
        (OTHER, 1),
    ]
    assert updates[-1].my_chat_member is not None
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids) and len(ids) == 4


async def test_held_updates_stay_invisible_until_released(
    client: TelegramSandboxClient, bot: Bot, sandbox: TelegramSandbox
) -> None:
    await client.create_user(USER, "Ann")
    await client.send(USER, "before the hold")
    await client.hold_updates()
    await client.hold_updates()  # holding twice is holding
    await client.send(USER, "held one")
    await client.send(USER, "held two")
    [before] = await bot.get_updates(timeout=0)
    assert before.message is not None and before.message.text == "before the hold"
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.get_updates(offset=before.update_id + 1, timeout=0) == ()
    assert await client.release_updates() == 2
    later = await bot.get_updates(offset=before.update_id + 1, timeout=0)
    assert [u.message.text for u in later if u.message] == ["held one", "held two"]
    assert await client.release_updates() == 0
    # No longer holding: the next update is visible at once.
    await client.send(USER, "live")
    live = await bot.get_updates(offset=later[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in live if u.message] == ["live"]

    await client.hold_updates()
    await client.send(USER, "forgotten")
    await client.reset()
    assert not sandbox.state.holding_updates and sandbox.state.held_updates == []


async def test_batch_releases_on_an_exception(client: TelegramSandboxClient, bot: Bot) -> None:
    await client.create_user(USER, "Ann")

    async def fail_inside() -> None:
        async with client.batch():
            await client.send(USER, "made it")
            await client.send(USER, "x", chat_id=GROUP)  # no such group

    with pytest.raises(SandboxRequestError):
        await fail_inside()
    assert [u.message.text for u in await bot.get_updates(timeout=0) if u.message] == ["made it"]


async def test_webhook_gets_held_updates_only_after_release(
    client: TelegramSandboxClient, bot: Bot
) -> None:
    received: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json())["message"]["text"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await client.create_user(USER, "Ann")
        assert await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        async with client.batch():
            await client.send(USER, "one")
            await client.send(USER, "two")
            await asyncio.sleep(0.1)
            assert received == []
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.02)
        assert received == ["one", "two"]
    finally:
        await runner.cleanup()


# Blocking and unblocking


async def test_unblocking_reopens_the_private_chat(client: TelegramSandboxClient, bot: Bot) -> None:
    await _users(client, USER)
    [start] = await bot.get_updates(timeout=0)
    offset = start.update_id + 1
    await client.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "blocked")
    with pytest.raises(SandboxRequestError, match="has blocked the bot"):
        await client.send(USER, "can't write either")
    await client.unblock(USER)
    await client.unblock(USER)  # unblocking an unblocked bot changes nothing
    changes = await bot.get_updates(offset=offset, timeout=0)
    statuses = [
        (
            u.my_chat_member.chat.type,
            u.my_chat_member.from_user.id,
            u.my_chat_member.old_chat_member.status,
            u.my_chat_member.new_chat_member.status,
        )
        for u in changes
        if u.my_chat_member
    ]
    assert statuses == [
        ("private", USER, "member", "kicked"),
        ("private", USER, "kicked", "member"),
    ]
    assert len(changes) == 2
    assert await bot.send_message(USER, "welcome back")
    assert (await client.send(USER, "thanks")).text == "thanks"
    [message] = await bot.get_updates(offset=changes[-1].update_id + 1, timeout=0)
    assert message.message is not None and message.message.text == "thanks"


# Flood limits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fake_clock(sandbox: TelegramSandbox) -> FakeClock:
    clock = FakeClock()
    sandbox.state.flood = FloodControl(sandbox.config, clock=clock)
    return clock


async def _group(client: TelegramSandboxClient) -> None:
    await client.create_user(USER, "Owner")
    await client.create_group(GROUP, "Flood", owner=USER)


@_RETRY_AFTER_WARNING
async def test_telegram_default_group_limit_is_20_in_any_minute(
    sandbox: TelegramSandbox, client: TelegramSandboxClient, bot: Bot
) -> None:
    clock = _fake_clock(sandbox)
    await _group(client)
    for index in range(20):
        clock.now += 1  # one a second: within the 30 a second and over a bucket's steady rate
        await bot.send_message(GROUP, f"#{index}")
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(GROUP, "21st")
    # The first went out at 1001; at 1020 it leaves the minute 41 s later.
    assert _retry_seconds(limited.value) == 41
    clock.now += 40
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "still too early")
    clock.now += 1
    await bot.send_message(GROUP, "the first left the window")
    with pytest.raises(RetryAfter) as again:
        await bot.send_message(GROUP, "the second has not")
    assert _retry_seconds(again.value) == 1


@_RETRY_AFTER_WARNING
async def test_telegram_default_private_and_global_limits(
    sandbox: TelegramSandbox, client: TelegramSandboxClient, bot: Bot
) -> None:
    clock = _fake_clock(sandbox)
    await _users(client, USER, OTHER)
    for _ in range(30):
        await bot.send_message(USER, "burst")
    with pytest.raises(RetryAfter) as private_limit:
        await bot.send_message(USER, "31st in the chat")
    assert _retry_seconds(private_limit.value) == 1
    # 30 in the same instant also used up the whole bot's second.
    with pytest.raises(RetryAfter):
        await bot.send_message(OTHER, "another chat")
    clock.now += 1
    await bot.send_message(USER, "one a second")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "not two")
    for _ in range(29):
        await bot.send_message(OTHER, "the rest of the global second")
    with pytest.raises(RetryAfter):
        await bot.send_message(OTHER, "over 30 a second")


@_RETRY_AFTER_WARNING
async def test_short_group_window_for_fast_flood_tests() -> None:
    config = TelegramSandboxConfig(group_per_minute=3, group_window_seconds=0.5)
    async with (
        run_telegram_sandbox(config=config) as limited,
        httpx.AsyncClient(trust_env=False) as http,
        Bot(config.token, base_url=limited.base_url) as limited_bot,
    ):
        users = TelegramSandboxClient(limited.url, http)
        await _group(users)
        first = _message(await limited_bot.send_message(GROUP, "one"))
        await limited_bot.send_message(GROUP, "two")
        # Edits count as well.
        await limited_bot.edit_message_text("one, edited", GROUP, first.message_id)
        with pytest.raises(RetryAfter) as limited_error:
            await limited_bot.send_message(GROUP, "four")
        assert _retry_seconds(limited_error.value) == 1  # whole seconds, at least 1
        # Deleting doesn't count, and other chats have their own window.
        assert await limited_bot.delete_message(GROUP, first.message_id)
        await asyncio.sleep(0.55)
        for text in ("four", "five", "six"):
            await limited_bot.send_message(GROUP, text)
        with pytest.raises(RetryAfter):
            await limited_bot.send_message(GROUP, "seven")
        calls = await users.calls()
        assert [c["error_code"] for c in calls if not c["ok"]] == [429, 429]


def test_group_limit_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="group flood limit"):
        TelegramSandboxConfig(group_per_minute=0)
    with pytest.raises(ValueError, match="group flood limit"):
        TelegramSandboxConfig(group_window_seconds=0)
