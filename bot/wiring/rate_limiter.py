"""Telegram's limits, kept per chat: a chat over its budget waits alone.

PTB's AIORateLimiter pauses *every* request while it waits out one 429, so a single flooding
group (20 messages a minute) stalled code delivery for everyone. This limiter keeps the same
budgets (28 messages a second overall, the one budget it shares with the outbox, most urgent
call first; 20 a minute per group) but a 429's retry_after pauses only the chat it was answered
for.

It also decides how long a call keeps trying when Telegram is in trouble, by who is waiting:
- A direct answer (a handler's reply to a command or a button, `rate_limit_args` left unset)
  that certainly did not arrive (a 5xx, a 429, a refused connection) is made again, with
  backoff, until Telegram takes it or DIRECT_DEADLINE passes: a person who typed a command
  during a short outage gets the answer once Telegram is back. The handler waits meanwhile, so
  that person's answers still come in order. An attempt that may have arrived (a timeout) is
  never made again: a repeat could show the answer twice.
- The outbox's messages pass `rate_limit_args=SendPolicy.BACKGROUND`: they fail at once, and
  the outbox tries again by its own priorities and backoff, without holding a slot meanwhile.
(getUpdates never passes here: PTB's polling loop retries it, see `bot.wiring.polling`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter

from bot.core.engine.send_budget import SendBudget
from bot.wiring.metrics import BotMetrics
from handlers.ui.delivery import Failure, SendPolicy, classify, retry_after

log = logging.getLogger(__name__)

# What a Bot API call answers (PTB's own alias lives in a private module).
JSONDict = dict[str, Any]

GROUP_PER_MINUTE = 20
# A direct answer that certainly did not arrive is tried again for this long (real seconds),
# waiting DIRECT_BACKOFF_FIRST, doubling up to DIRECT_BACKOFF_MAX, between attempts.
DIRECT_DEADLINE = 60.0
DIRECT_BACKOFF_FIRST = 0.5
DIRECT_BACKOFF_MAX = 5.0
# Group limiters of chats that went quiet are dropped past this many, so memory stays flat.
MAX_GROUP_LIMITERS = 1024

# Answers that name no chat; every other direct answer names the chat it goes to. Calls that
# name none (getMe at start, setMyCommands, setWebhook) fail at once: the bot's start says
# in one line that Telegram cannot be reached, instead of trying for a minute.
_ANSWERS = frozenset({"answerCallbackQuery", "answerInlineQuery"})
# Telegram in trouble, as opposed to a call it refused (an old query, an unreachable chat).
_TROUBLE = (Failure.NOT_SENT, Failure.UNKNOWN)

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class PerChatRateLimiter(BaseRateLimiter[SendPolicy]):
    def __init__(
        self,
        *,
        metrics: BotMetrics | None = None,
        deadline: float = DIRECT_DEADLINE,
        budget: SendBudget | None = None,
    ) -> None:
        self._metrics = metrics or BotMetrics()
        # The bot's one overall budget, shared with the outbox (see `send_budget`).
        self.budget = budget or SendBudget()
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str, float] = {}
        self._deadline = deadline

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
        rate_limit_args: SendPolicy | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the call within the budgets; a direct answer (no `rate_limit_args`) that
        certainly failed is made again until DIRECT_DEADLINE, a background one never."""
        chat = _chat_of(data)
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._deadline
        backoff = DIRECT_BACKOFF_FIRST
        while True:
            if chat is not None:
                await self._wait_if_paused(chat)
            try:
                result = await self._run(chat, callback, args, kwargs)
            except TelegramError as error:
                failure = classify(error)
                wait = retry_after(error)
                self._metrics.telegram_request(
                    endpoint, "error" if wait is None else "rate_limited"
                )
                if wait is not None and chat is not None:
                    # The chat waits, whoever writes to it next: this call or another.
                    self._paused_until[chat] = max(
                        self._paused_until.get(chat, 0.0), loop.time() + wait + 0.1
                    )
                    log.info("Telegram asks to wait %.1fs before writing to chat %s", wait, chat)
                pause = backoff if wait is None else wait + 0.1
                retry = (
                    failure is Failure.NOT_SENT
                    and rate_limit_args is not SendPolicy.BACKGROUND
                    and (chat is not None or endpoint in _ANSWERS)
                    and loop.time() + pause < give_up_at
                )
                if not retry:
                    if endpoint == "answerCallbackQuery" and failure in _TROUBLE:
                        # Given up: the little notice on a pressed button is a courtesy, and
                        # Telegram's trouble must not cost the work the press asked for.
                        log.info("Could not answer a button press: %s", error)
                        return True
                    raise
                self._metrics.telegram_retries.inc()
                if wait is None or chat is None:
                    await asyncio.sleep(pause)
                backoff = min(DIRECT_BACKOFF_MAX, backoff * 2)
            else:
                self._metrics.telegram_request(endpoint, "ok")
                return result

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
