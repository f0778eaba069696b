"""Send-order webhooks: POST the /orderstatus payload on every change, fire and forget."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DELIVERY_TIMEOUT = 3.0


class WebhookSender:
    def __init__(self, timeout: float = DELIVERY_TIMEOUT) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        # A chain per order keeps its updates in order; other orders do not wait on it.
        self._last: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.attempts: list[dict[str, Any]] = []
        """Every delivery tried: url, payload, and the HTTP status or the error."""

    def send(self, order_id: str, url: str, payload: dict[str, Any]) -> None:
        previous = self._last.get(order_id)
        task = asyncio.get_running_loop().create_task(self._deliver(previous, url, payload))
        self._last[order_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        for order_id, last in list(self._last.items()):
            if last is task:
                del self._last[order_id]

    async def _deliver(
        self, previous: asyncio.Task[None] | None, url: str, payload: dict[str, Any]
    ) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        attempt: dict[str, Any] = {"url": url, "payload": payload}
        self.attempts.append(attempt)
        try:
            async with self._client().post(url, json=payload) as response:
                attempt["status"] = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            attempt["error"] = repr(exc)
            logger.warning("webhook to %s failed: %r", url, exc)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def clear(self) -> None:
        self.attempts.clear()

    async def close(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self._timeout.total)
        for task in list(self._tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()
