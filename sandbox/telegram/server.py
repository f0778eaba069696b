"""Runs the sandbox: one aiohttp server for the Bot API side and the user side."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from sandbox.telegram.bot_api import BotApi, not_found
from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.state import SandboxState
from sandbox.telegram.user_api import UserApi, sandbox_errors
from sandbox.telegram.webhook import deliver_webhook_updates

# Photos up to Telegram's 10 MB plus form overhead.
_MAX_REQUEST_BYTES = 12 * 1024 * 1024


@dataclass
class TelegramSandbox:
    url: str
    config: TelegramSandboxConfig
    state: SandboxState

    @property
    def base_url(self) -> str:
        """PTB's base_url for this sandbox."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's base_file_url for this sandbox."""
        return f"{self.url}/file/bot"


def build_app(state: SandboxState) -> web.Application:
    app = web.Application(client_max_size=_MAX_REQUEST_BYTES, middlewares=[sandbox_errors])
    BotApi(state).add_routes(app)
    UserApi(state).add_routes(app)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


@asynccontextmanager
async def run_telegram_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    config: TelegramSandboxConfig | None = None,
) -> AsyncIterator[TelegramSandbox]:
    config = config or TelegramSandboxConfig()
    state = SandboxState(config)
    # handler_cancellation: a long poll whose client went away stops instead of lingering.
    runner = web.AppRunner(
        build_app(state), access_log=None, shutdown_timeout=1.0, handler_cancellation=True
    )
    await runner.setup()
    webhook_task: asyncio.Task[None] | None = None
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        webhook_task = asyncio.create_task(deliver_webhook_updates(state))
        yield TelegramSandbox(url=f"http://{bound_host}:{bound_port}", config=config, state=state)
    finally:
        state.close()
        if webhook_task is not None:
            webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await webhook_task
        await runner.cleanup()
