"""Telegram's limits, kept per chat: a chat over its budget waits alone.

PTB's AIORateLimiter pauses *every* request while it waits out one 429, so a single flooding
group (20 messages a minute) stalled code delivery for everyone. This limiter keeps the same
budgets (28 messages a second overall, the one budget it shares with the outbox, most urgent
call first; 20 a minute per group) but a 429's retry_after pauses only the chat it was answered
for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.core.send_budget import SendBudget
from bot.wiring.metrics import BotMetrics

log = logging.getLogger(__name__)

# What a Bot API call answers (PTB's own alias lives in a private module).
JSONDict = dict[str, Any]

GROUP_PER_MINUTE = 20
MAX_RETRIES = 3
# Group limiters of chats that went quiet are dropped past this many, so memory stays flat.
MAX_GROUP_LIMITERS = 1024

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class PerChatRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        *,
        max_retries: int = MAX_RETRIES,
        metrics: BotMetrics | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self._metrics = metrics or BotMetrics()
        # The bot's one overall budget, shared with the outbox (see `send_budget`).
        self.budget = budget or SendBudget()
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str, float] = {}
        self._max_retries = max_retries

    def set_share(self, share: float) -> None:
        """Use `share` of the overall budget: other instances of the bot send the rest."""
        self.budget.set_share(share)

    async def initialize(self) -> None:
        """Nothing to open: the budgets live in memory."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = _chat_of(data)
        retries = rate_limit_args or self._max_retries
        for attempt in range(retries + 1):
            if chat is not None:
                await self._wait_if_paused(chat)
            try:
                result = await self._run(chat, callback, args, kwargs)
            except RetryAfter as error:
                self._metrics.telegram_request(endpoint, "rate_limited")
                if attempt == retries or chat is None:
                    raise
                self._metrics.telegram_retries.inc()
                seconds = _seconds(error) + 0.1
                log.info("Telegram asks to wait %.1fs before writing to chat %s", seconds, chat)
                loop = asyncio.get_running_loop()
                self._paused_until[chat] = max(
                    self._paused_until.get(chat, 0.0), loop.time() + seconds
                )
            except TelegramError:
                self._metrics.telegram_request(endpoint, "error")
                raise
            else:
                self._metrics.telegram_request(endpoint, "ok")
                return result
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _run(
        self, chat: int | str | None, callback: Callback, args: Any, kwargs: dict[str, Any]
    ) -> bool | JSONDict | list[JSONDict]:
        if chat is None:
            # Answers to button presses and other calls without a chat have no message budget.
            return await callback(*args, **kwargs)
        group = self._group(chat) if _is_group(chat) else contextlib.nullcontext()
        async with group:
            await self.budget.take_overall()
            return await callback(*args, **kwargs)

    async def _wait_if_paused(self, chat: int | str) -> None:
        until = self._paused_until.get(chat)
        if until is None:
            return
        wait = until - asyncio.get_running_loop().time()
        if wait <= 0:
            self._paused_until.pop(chat, None)
            return
        await asyncio.sleep(wait)

    def _group(self, chat: int | str) -> AsyncLimiter:
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) >= MAX_GROUP_LIMITERS:
                idle = [c for c, lim in self._groups.items() if lim.has_capacity(lim.max_rate)]
                for quiet in idle:
                    del self._groups[quiet]
            limiter = self._groups[chat] = AsyncLimiter(GROUP_PER_MINUTE, 60)
        return limiter


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    if chat is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat)
    return str(chat)


def _is_group(chat: int | str) -> bool:
    # Negative ids are groups and channels; a string id can only be a public group or channel.
    return isinstance(chat, str) or chat < 0


def _seconds(error: RetryAfter) -> float:
    wait: Any = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
