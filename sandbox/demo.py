"""``make demo``: the real bot, both offline stand-ins and a terminal chat, in one command.

The two sandboxes run in this process on free ports; the bot runs as a child process exactly as in
production (``python -m bot``), configured through its environment to talk to them. Its log goes
to a file (at INFO: the demo is for watching what the bot does) so that it does not garble the chat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

from sandbox.chat import DEFAULT_FIRST_NAME, DEFAULT_USER_ID, ChatKey, run_chat
from sandbox.sms4sats import (
    SandboxConfig,
    SandboxControl,
    SandboxControlError,
    run_sms4sats_sandbox,
)
from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.config import DEFAULT_TOKEN

DATA_DIR = Path("data")
DATABASE_NAME = "demo.db"
BOT_LOG_NAME = "demo-bot.log"
BOT_COMMAND = (sys.executable, "-m", "bot")

_STARTUP_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0
_LOG_TAIL_LINES = 15


DEMO_API_KEY = "sandbox-demo-key"
# A prepaid balance to start with, so /balance, /send "Pay from balance" and /fund show
# something real in the demo.
DEMO_BALANCE = 20_000


def bot_environment(telegram_url: str, sms4sats_url: str, database: Path) -> dict[str, str]:
    """The bot's settings for the demo, over the current environment."""
    env = dict(os.environ)
    env.update(
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_URL=telegram_url,
        SMS4SATS_API_URL=sms4sats_url,
        # sqlite:///data/demo.db is relative; an absolute path gives sqlite:////tmp/...
        DATABASE_URL=f"sqlite:///{database.as_posix()}",
        POLL_INTERVAL="1",
        ADMIN_IDS=str(DEFAULT_USER_ID),
        # Empty wins over a value in a developer's .env, which might name a real admin group.
        ADMIN_CHAT_ID="",
        SMS4SATS_API_KEY=DEMO_API_KEY,
        SMS4SATS_REF="demo@sandbox.invalid",
        # The demo shows renting too (off by default in production: the status is unverified).
        RENTALS="on",
        # The banner points to the log: INFO has the startup line and what each order does.
        LOG_LEVEL="INFO",
        # A proxy in the environment must not see (or break) traffic to the local stand-ins.
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def banner(*, auto: bool, log_path: Path, width: int = 80, language: str = "en") -> str:
    """What the demo is and how to use it, wrapped at word boundaries to ``width`` columns."""
    paying = (
        "The sandbox pays each invoice by itself a few seconds after the bot shows it; then a "
        "phone number and, a little later, the SMS code arrive. /rent rents a number for weeks: "
        "one SMS arrives by itself."
        if auto
        else "Nothing happens by itself: type :pay to pay the latest invoice, then :number and "
        ":code to have sms4sats hand out a number and an SMS code, or :sent, :delivered or "
        ":failed to move an SMS you sent along. /rent rents a number for weeks: each :code is "
        "one more SMS to it."
    )
    paragraphs = [
        "Telegram and sms4sats are local stand-ins: no token, no network, no sats spent.",
        f"You are {DEFAULT_FIRST_NAME} (user {DEFAULT_USER_ID}, also the bot's admin), and your "
        f"Telegram app's language is {language} (its language_code): the bot speaks it if it "
        "can. /language changes that (--language picks another, like --language ru).",
        "Type a message to send it; type a button's number to press it (#24 2 presses button 2 "
        "of message #24, an older one); :help lists the keys; /quit or Ctrl-D leaves.",
        paying,
        f"The bot's log: {log_path}",
    ]
    # A line as wide as the terminal would leave the cursor at its edge: one column less.
    width = max(20, width - 1)
    wrap = textwrap.TextWrapper(
        width,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=False,  # a path stays whole, to copy
    )
    return "\n".join(
        [
            textwrap.fill(
                "sms4sats-bot demo: the real bot, chatting with you in this terminal.", width
            ),
            *(wrap.fill(paragraph) for paragraph in paragraphs),
            "Type /start to begin.",
        ]
    )


class BotProcess:
    """``python -m bot`` as a child process, with its output in the log file."""

    def __init__(self, command: Sequence[str], env: dict[str, str], log_path: Path) -> None:
        self.command = tuple(command)
        self.env = env
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("wb") as log:
            # Its own session: Ctrl-C in the terminal reaches the demo only, which then stops the
            # bot in order, after the chat.
            self.process = await asyncio.create_subprocess_exec(
                *self.command,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if the bot has not exited after a while."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), _STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        tail = text.rstrip().splitlines()[-lines:]
        return "\n".join(tail) if tail else "(the log is empty)"


async def wait_until_polling(telegram: TelegramSandbox, bot: BotProcess, within: float) -> bool:
    """True once the bot asks the Telegram sandbox for updates; False if it exits or times out."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if any(call["method"] == "getUpdates" for call in telegram.state.calls):
            return True
        if not bot.running:
            return False
        await asyncio.sleep(0.1)
    return False


def manual_keys(control: SandboxControl) -> tuple[ChatKey, ...]:
    """Keys that do by hand, through the sms4sats sandbox's control API, what auto mode does."""

    async def pay(argument: str) -> str:
        order = await _latest_order(control, _is_unpaid)
        if order is None:
            return "(no unpaid order: buy something first)"
        await control.pay(order["orderId"])
        return f"Paid {_describe(order)}."

    async def number(argument: str) -> str:
        order = await _latest_order(control, _wants_number)
        if order is None:
            numbered = await _latest_order(control, _has_number)
            if numbered is not None:
                described = _describe(numbered, capital=True)
                return f"{described} has its number: :code delivers its SMS code."
            return await _nothing_for(control, "a number")
        changed = await control.assign_number(order["orderId"], argument or None)
        return f"Gave {_describe(order)} the number {changed.get('number')}."

    async def code(argument: str) -> str:
        order = await _latest_order(control, _wants_code)
        if order is None:
            return await _nothing_for(control, "a code")
        changed = await control.deliver_code(order["orderId"], argument or None)
        return f"Delivered the code {changed.get('code')} for {_describe(order)}."

    def sms_status(status: str) -> Callable[[str], Awaitable[str]]:
        async def move(argument: str) -> str:
            order = await _latest_order(control, lambda o: _sms_can_become(o, status))
            if order is None:
                return await _no_sms_for(control, status)
            await control.set_sms_status(order["orderId"], status)
            return f"Marked {_describe(order)} as {status}."

        return move

    return (
        ChatKey(":pay", "pay the latest unpaid invoice", _reporting_errors(pay)),
        ChatKey(":number [N]", "give the latest paid order a number", _reporting_errors(number)),
        ChatKey(":code [C]", "deliver an SMS code (C or a random one)", _reporting_errors(code)),
        ChatKey(":sent", "mark the latest paid SMS as sent", _reporting_errors(sms_status("sent"))),
        ChatKey(
            ":delivered",
            "mark the latest paid SMS as delivered",
            _reporting_errors(sms_status("delivered")),
        ),
        ChatKey(
            ":failed",
            "mark the latest paid SMS as failed",
            _reporting_errors(sms_status("failed")),
        ),
    )


Order = dict[str, Any]
"""An order as the sms4sats sandbox's control API shows it."""

_SMS_STATUS_FROM = {
    "sent": ("created",),
    "delivered": ("created", "sent"),
    "failed": ("created", "sent"),
}
"""SMS statuses each status can be reached from (the sandbox refuses the other moves)."""


def _is_unpaid(order: Order) -> bool:
    return order.get("state") == "unpaid"


def _wants_number(order: Order) -> bool:
    return order.get("kind") == "receive" and order.get("state") == "paid"


def _has_number(order: Order) -> bool:
    return order.get("kind") == "receive" and order.get("state") == "number"


def _wants_code(order: Order) -> bool:
    return order.get("kind") == "receive" and order.get("state") in ("paid", "number")


def _sms_waiting(order: Order) -> bool:
    return order.get("kind") == "send" and order.get("sms_status") in ("created", "sent")


def _sms_can_become(order: Order, status: str) -> bool:
    return order.get("kind") == "send" and order.get("sms_status") in _SMS_STATUS_FROM[status]


async def _nothing_for(control: SandboxControl, what: str) -> str:
    """Why :number or :code found no order to act on, and which key would do."""
    sms = await _latest_order(control, _sms_waiting)
    if sms is not None:
        return f"{_describe(sms, capital=True)} is an SMS order: use :sent, :delivered or :failed."
    if await _latest_order(control, _is_unpaid) is not None:
        return f"(no paid order waiting for {what}: :pay the invoice first)"
    return f"(no paid order waiting for {what}: buy a number, then :pay)"


async def _no_sms_for(control: SandboxControl, status: str) -> str:
    """Why :sent, :delivered or :failed found no SMS to act on, and which key would do."""
    waiting = await _latest_order(control, _sms_waiting)
    if waiting is not None:
        # Only "sent" can be out of reach of a waiting SMS: it is sent already.
        already = waiting.get("sms_status")
        return (
            f"{_describe(waiting, capital=True)} is already {already}: use :delivered or :failed."
        )
    receive = await _latest_order(control, _wants_code)
    if receive is not None:
        return f"{_describe(receive, capital=True)} is a number order: use :number and :code."
    unpaid = await _latest_order(control, lambda o: _is_unpaid(o) and o.get("kind") == "send")
    if unpaid is not None:
        return f"{_describe(unpaid, capital=True)} is not paid yet: :pay first."
    return f"(no paid SMS waiting to be {status}: send one with /send, then :pay)"


def _reporting_errors(action: Callable[[str], Awaitable[str]]) -> Callable[[str], Awaitable[str]]:
    async def reporting(argument: str) -> str:
        try:
            return await action(argument)
        except SandboxControlError as error:
            # The reason is a sentence; the method, path and status code mean nothing in a chat.
            return f"(the sms4sats sandbox refused: {error.reason})"
        except httpx.HTTPError as error:
            return f"(could not reach the sms4sats sandbox: {error})"

    return reporting


async def _latest_order(control: SandboxControl, wanted: Callable[[Order], bool]) -> Order | None:
    orders = [order for order in await control.orders() if wanted(order)]
    return max(orders, key=lambda order: float(order.get("created_at") or 0), default=None)


def _describe(order: Order, *, capital: bool = False) -> str:
    """The order as the chat can tell it apart: sms4sats's ids are not the bot's order numbers."""
    short_id = f"{str(order['orderId'])[:10]}…"
    kind = order.get("kind")
    if kind == "send":
        message = str(order.get("message") or "")
        if len(message) > 24:
            message = message[:23] + "…"
        text = f'the SMS "{message}" to {order.get("phone")} ({order.get("amount")} sats)'
    elif kind == "fund":
        text = f"the top-up {short_id} ({order.get('amount')} sats)"
    else:
        text = f"order {short_id} ({order.get('amount')} sats)"
    return text[0].upper() + text[1:] if capital else text


async def run_demo(
    *,
    auto: bool = True,
    keep_db: bool = False,
    data_dir: Path = DATA_DIR,
    bot_command: Sequence[str] = BOT_COMMAND,
    input_stream: TextIO | None = None,
    output: TextIO | None = None,
    language: str = "en",
) -> int:
    """Run the whole demo until the chat ends; the exit code is 1 when the bot failed.

    `language` is the simulated user's Telegram `language_code` ("ru", "pt-br", ...)."""
    output = sys.stdout if output is None else output
    database, log_path = data_dir / DATABASE_NAME, data_dir / BOT_LOG_NAME
    await asyncio.to_thread(_prepare_data_dir, data_dir, database, keep_db=keep_db)
    async with (
        run_telegram_sandbox(config=TelegramSandboxConfig()) as telegram,
        run_sms4sats_sandbox(
            config=SandboxConfig(auto=auto, api_keys_balance={DEMO_API_KEY: DEMO_BALANCE})
        ) as sms4sats,
        # trust_env=False: the sandboxes are local, whatever proxy the environment names.
        httpx.AsyncClient(timeout=10.0, trust_env=False) as http,
    ):
        env = bot_environment(telegram.url, sms4sats.url, database)
        bot = BotProcess(bot_command, env, log_path)
        output.write("Starting the bot...\n")
        output.flush()
        await bot.start()
        tasks: list[asyncio.Task[object]] = []
        try:
            if not await wait_until_polling(telegram, bot, _STARTUP_TIMEOUT):
                return _report_failure(bot, output, started=False)
            width = shutil.get_terminal_size().columns if _is_tty(output) else 80
            text = banner(auto=auto, log_path=log_path, width=width, language=language)
            output.write(text + "\n")
            output.flush()
            keys = () if auto else manual_keys(sms4sats.control(http))
            chat = asyncio.create_task(
                run_chat(
                    telegram.url,
                    input_stream=input_stream,
                    output=output,
                    keys=keys,
                    language_code=language,
                )
            )
            bot_exit = asyncio.create_task(bot.wait())
            tasks += [chat, bot_exit]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if not chat.done():
                return _report_failure(bot, output, started=True)
            chat.result()
            return 0
        finally:
            # Whatever ended the demo (the chat, the bot, Ctrl-C), the chat must stop polling
            # before the sandboxes close under it.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await bot.stop()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _prepare_data_dir(data_dir: Path, database: Path, *, keep_db: bool) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if not keep_db:
        for suffix in ("", "-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)


def _report_failure(bot: BotProcess, output: TextIO, *, started: bool) -> int:
    process = bot.process
    code = None if process is None else process.returncode
    if code is None:
        what = "The bot did not start polling Telegram in time."
    elif started:
        what = f"The bot stopped (exit code {code})."
    else:
        what = f"The bot exited at start (exit code {code})."
    output.write(f"\n{what} The last lines of {bot.log_path}:\n{bot.log_tail()}\n")
    output.flush()
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.demo",
        description="Chat in this terminal with the real bot, against local stand-ins.",
    )
    parser.add_argument(
        "--no-auto",
        action="store_true",
        help="nothing happens by itself: the chat gets keys instead"
        " (:pay, :number, :code, :sent, :delivered, :failed)",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help=f"keep the orders of the last demo ({DATA_DIR / DATABASE_NAME})",
    )
    parser.add_argument(
        "--language",
        default="en",
        metavar="CODE",
        help="your Telegram app's language_code, as Telegram sends it: en (the default), ru, es,"
        " pt-br, de, or any other (the bot then speaks English)",
    )
    args = parser.parse_args(argv)
    demo = run_demo(auto=not args.no_auto, keep_db=args.keep_db, language=args.language)
    try:
        return asyncio.run(_until_signalled(demo))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("\nStopped.")
        return 130


async def _until_signalled(demo: Coroutine[None, None, int]) -> int:
    """Run the demo; SIGTERM or a closed terminal (SIGHUP) end it as Ctrl-C does, in order."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    signals = (signal.SIGTERM, signal.SIGHUP)
    for number in signals:
        loop.add_signal_handler(number, task.cancel)
    try:
        return await demo
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


if __name__ == "__main__":
    raise SystemExit(main())
