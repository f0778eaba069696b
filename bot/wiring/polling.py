"""Long polling through Telegram's trouble: one WARNING when getUpdates starts failing, one INFO
when it answers again, instead of a traceback per failed poll.

PTB's polling loop already retries getUpdates by itself (backing off up to 30 s) and hands the
updates that waited to the handlers once Telegram answers; what it lacks is a sober account of
the outage. getUpdates bypasses the rate limiter, so its outcome is read here, on the request
object PTB uses for getUpdates alone.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.wiring.tls import tls_context

log = logging.getLogger(__name__)


class PollingHealth:
    """Remembers whether getUpdates is failing, and says so once each way."""

    def __init__(self) -> None:
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, what: str) -> None:
        if self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()
            log.warning("Telegram's getUpdates fails (%s); polling goes on until it answers", what)

    def answered(self) -> None:
        if self._down_since is not None:
            down = asyncio.get_running_loop().time() - self._down_since
            self._down_since = None
            log.info("Telegram's getUpdates answers again after %.0fs", down)


class PollingRequest(HTTPXRequest):
    """PTB's getUpdates request (one connection, as ApplicationBuilder makes it), reporting
    each poll's outcome to `health`."""

    def __init__(self, health: PollingHealth) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs={"verify": tls_context()})
        self.health = health

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, body = await super().do_request(*args, **kwargs)
        except TelegramError as error:
            self.health.failed(str(error) or type(error).__name__)
            raise
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status == HTTPStatus.TOO_MANY_REQUESTS:
            self.health.failed(f"HTTP {status}")
        elif status < HTTPStatus.BAD_REQUEST:
            self.health.answered()
        return status, body
