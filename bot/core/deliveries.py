"""Telling users, apart from checking sms4sats: one worker per chat, codes first.

Checks of sms4sats only write to the database and ask for a delivery here; they never wait for
Telegram. Each chat has at most one worker, so a chat that is over Telegram's limits (a busy
group, a flood wait) only delays itself. Requests for the same order coalesce: the worker reads
the order when it gets to it and tells whatever is newest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Tell = Callable[[int], Awaitable[object]]


class Deliveries:
    def __init__(self, tell: Tell) -> None:
        self._tell = tell
        # chat -> {order id: urgent}; a code waiting is urgent and goes before card edits.
        self._pending: dict[int, dict[int, bool]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._closed = False

    def request(self, chat_id: int, order_id: int, *, urgent: bool = False) -> None:
        if self._closed:
            return
        waiting = self._pending.setdefault(chat_id, {})
        waiting[order_id] = waiting.get(order_id, False) or urgent
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.get_running_loop().create_task(
                self._work(chat_id), name=f"deliveries-{chat_id}"
            )

    @property
    def busy_chats(self) -> int:
        return len(self._workers)

    async def _work(self, chat_id: int) -> None:
        try:
            while waiting := self._pending.get(chat_id):
                order_id = next((o for o, urgent in waiting.items() if urgent), None)
                if order_id is None:
                    order_id = next(iter(waiting))
                del waiting[order_id]
                try:
                    await self._tell(order_id)
                except Exception:
                    # One broken order must not stop the chat's others; a later check retries.
                    log.exception("Order %d: telling its user failed", order_id)
        finally:
            self._pending.pop(chat_id, None)
            self._workers.pop(chat_id, None)

    async def drain(self) -> None:
        """Wait until every requested delivery was attempted (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
