"""Fixtures for end-to-end tests: both stand-ins on free ports, and the real bot between them.

The bot is the real Application (handlers, job queue, rate limiter, database), started the way
`run_polling` starts it; it reaches the stand-ins over HTTP exactly as it reaches Telegram and
sms4sats. Tests act as users through the Telegram sandbox's user API and as the user's wallet
through the sms4sats sandbox's control API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import TelegramError

from bot.config import Settings
from bot.wiring.app import ALLOWED_UPDATES, WEB_SERVER_KEY, build_application
from bot.wiring.services import Services, services_of
from handlers.context import AnyApplication
from sandbox.sms4sats import SandboxConfig, SandboxControl, Sms4SatsSandbox, run_sms4sats_sandbox
from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.client import ChatMessage, TelegramSandboxClient
from tests.e2e.postgres import PostgresForTests, postgres_for_tests

# The stand-ins live on loopback; a proxy configured on the machine must never sit in between.
for _variable in ("NO_PROXY", "no_proxy"):
    os.environ[_variable] = ",".join(
        filter(None, [os.environ.get(_variable, ""), "127.0.0.1", "localhost"])
    )

API_KEY = "operator-secret-api-key-0123456789"
REF = "operator@example.com"
ADMIN_ID = 777
ALICE = 10001
BOB = 10002
POLL_INTERVAL = 0.2


class ShiftableClock:
    """The bot's clock: real time plus an offset tests move along with the sandbox's clock."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Stack:
    telegram: TelegramSandboxClient
    sms4sats: SandboxControl
    telegram_sandbox: TelegramSandbox
    sms4sats_sandbox: Sms4SatsSandbox
    settings: Settings
    clock: ShiftableClock
    http: httpx.AsyncClient
    database_path: Path
    application: AnyApplication | None = None
    users: set[int] = field(default_factory=set)
    lightning_http: httpx.AsyncClient | None = None
    """Where the bot resolves SMS4SATS_REF at start (None: the stand-ins need no such check)."""

    @property
    def services(self) -> Services:
        assert self.application is not None, "the bot is not running"
        return services_of(self.application)

    async def start_bot(self) -> None:
        application = build_application(
            self.settings, clock=self.clock, lightning_http=self.lightning_http
        )
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
        except BaseException:
            # As run_polling does: what post_init opened before failing is closed.
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            raise
        # In webhook mode there is no updater: the sandbox POSTs to the bot's server.
        if application.updater is not None:

            def polling_failed(error: TelegramError) -> None:
                # What run_polling passes: a failed getUpdates goes to the error handlers.
                application.create_task(application.process_error(update=None, error=error))

            await application.updater.start_polling(
                poll_interval=0,
                timeout=1,
                allowed_updates=ALLOWED_UPDATES,
                error_callback=polling_failed,
            )
        await application.start()
        self.application = application

    async def stop_bot(self) -> None:
        application, self.application = self.application, None
        if application is None:
            return
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)

    @property
    def http_url(self) -> str:
        """The bot's own HTTP server (webhook, /healthz, /metrics), when it runs one."""
        assert self.application is not None
        server = self.application.bot_data[WEB_SERVER_KEY]
        return f"http://127.0.0.1:{server.port}"

    async def reconfigure(self, **changes: Any) -> None:
        """Restart the bot with other settings (same database, same stand-ins)."""
        await self.stop_bot()
        self.settings = dataclasses.replace(self.settings, **changes)
        await self.start_bot()

    async def advance(self, seconds: float) -> None:
        """Time passes for sms4sats and for the bot alike."""
        await self.sms4sats.advance_clock(seconds)
        self.clock.offset += seconds

    async def user(self, user_id: int, name: str | None = None) -> int:
        if user_id not in self.users:
            await self.telegram.create_user(user_id, name or f"User{user_id}")
            self.users.add(user_id)
        return user_id

    async def say(self, user_id: int, text: str, chat_id: int | None = None) -> None:
        await self.user(user_id)
        await self.telegram.send(user_id, text, chat_id=chat_id)

    async def wait_text(self, chat_id: int, needle: str, timeout: float = 10.0) -> ChatMessage:
        return await self.telegram.wait_for_text(chat_id, needle, timeout=timeout)

    async def ask(
        self, user_id: int, text: str, needle: str, chat_id: int | None = None
    ) -> ChatMessage:
        """Send `text` and wait for a bot message after it that contains `needle`."""
        await self.user(user_id)
        sent = await self.telegram.send(user_id, text, chat_id=chat_id)
        return await self.after(sent, needle)

    async def press(
        self, user_id: int, message: ChatMessage, label: str, needle: str
    ) -> ChatMessage:
        """Press a button, then wait for that message (edited) or a newer one with `needle`."""
        await self.telegram.press(user_id, message, label)
        return await self.after(message, needle, inclusive=True)

    async def after(
        self, message: ChatMessage, needle: str, *, inclusive: bool = False, timeout: float = 10.0
    ) -> ChatMessage:
        first = message.message_id if inclusive else message.message_id + 1
        wanted = needle.casefold()
        return await self.telegram.wait_for_message(
            message.chat_id,
            lambda m: m.message_id >= first and wanted in m.body.casefold(),
            timeout=timeout,
        )


# Far above a normal stop (under a second), well below pytest-timeout's limit.
STOP_WITHIN = 60.0


def print_task_stacks() -> None:
    print(f"The bot did not stop within {STOP_WITHIN:.0f} s; its tasks:", file=sys.stderr)
    for task in asyncio.all_tasks():
        task.print_stack(file=sys.stderr)


# The database behind a test: SQLite unless the test says otherwise. Tests that must hold on
# both name it in a parametrize (`@BOTH_BACKENDS`), which overrides this fixture's value.
BACKENDS = ("sqlite", "postgresql")
BOTH_BACKENDS = pytest.mark.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresForTests]:
    """TEST_DATABASE_URL's server, or one the tests start (once, and only if a test asks)."""
    with postgres_for_tests() as server:
        yield server


@pytest.fixture
def database_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """What `storage.open_database` opens: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return tmp_path / "bot.db"
    server: PostgresForTests = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
async def stack(tmp_path: Path, database_target: Path | str) -> AsyncIterator[Stack]:
    sms_config = SandboxConfig(api_keys_balance={API_KEY: 50_000})
    async with (
        run_sms4sats_sandbox(config=sms_config) as sms4sats_sandbox,
        run_telegram_sandbox(config=TelegramSandboxConfig()) as telegram_sandbox,
        # Plain HTTP on loopback: no certificates to load (about 30 ms of CPU per client).
        httpx.AsyncClient(timeout=30, verify=False) as http,
    ):
        settings = Settings(
            telegram_token=telegram_sandbox.config.token,
            telegram_api_url=telegram_sandbox.url,
            sms4sats_api_url=sms4sats_sandbox.url,
            sms4sats_api_key=API_KEY,
            sms4sats_ref=REF,
            admin_ids=frozenset({ADMIN_ID}),
            database_path=tmp_path / "bot.db",
            postgres_url=database_target if isinstance(database_target, str) else None,
            poll_interval=POLL_INTERVAL,
            log_level="DEBUG",
            # The tests count and fault sms4sats requests one by one: the background refresh
            # of stock and prices would take their faults and add to their counts. It has its
            # own tests (tests/test_service_first.py), and pages browse without a wait here.
            browse_refresh=False,
            browse_requests_per_second=50,
        )
        stack = Stack(
            telegram=TelegramSandboxClient(telegram_sandbox.url, http),
            sms4sats=SandboxControl(sms4sats_sandbox.url, http),
            telegram_sandbox=telegram_sandbox,
            sms4sats_sandbox=sms4sats_sandbox,
            settings=settings,
            clock=ShiftableClock(),
            http=http,
            database_path=settings.database_path,
        )
        await stack.start_bot()
        try:
            yield stack
        finally:
            # A stop that hangs (seen now and then) leaves its tasks' stacks in the test's
            # output before pytest-timeout ends it: where the stop waits, not just that it does.
            watchdog = asyncio.get_running_loop().call_later(STOP_WITHIN, print_task_stacks)
            try:
                await stack.stop_bot()
            finally:
                watchdog.cancel()
        # Whatever the test did, no secret ever reached a chat: not in a text, a caption, a
        # button, a command menu or an alert.
        sent = json.dumps(await stack.telegram.calls(), ensure_ascii=False)
        assert API_KEY not in sent
        assert settings.telegram_token not in sent
