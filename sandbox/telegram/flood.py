"""Telegram's flood limits: per private chat, per group and for the whole bot.

A private chat and the whole bot are token buckets (bursts, then a steady rate). A group is a
sliding window: at most `group_per_minute` messages in any `group_window_seconds`, which is what
Telegram documents ("no more than 20 messages per minute to the same group"); a bucket would let
a bot send a burst of 20 and then one every 3 seconds, 40 in the first minute.
"""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.errors import too_many_requests

# What retry_after says when a limit can never be met (a rate of 0).
_FOREVER_SECONDS = 3600


@dataclass
class TokenBucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def seconds_until_token(self) -> float:
        if self.tokens >= 1:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class SlidingWindow:
    limit: int
    seconds: float
    sent: deque[float] = field(default_factory=deque)

    def refill(self, now: float) -> None:
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()

    def seconds_until_token(self, now: float) -> float:
        if len(self.sent) < self.limit:
            return 0.0
        return self.sent[0] + self.seconds - now

    def take(self, now: float) -> None:
        self.sent.append(now)


class FloodControl:
    def __init__(
        self, config: TelegramSandboxConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config
        self._clock = clock
        self._global = self._bucket(config.global_per_second, config.global_per_second)
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}

    def _bucket(self, capacity: float, rate: float) -> TokenBucket:
        return TokenBucket(capacity, rate, capacity, self._clock())

    def reset(self) -> None:
        self._global = self._bucket(self._config.global_per_second, self._config.global_per_second)
        self._chats.clear()
        self._groups.clear()

    def _chat_wait(self, chat_id: int, is_group: bool, now: float) -> float:
        if is_group:
            window = self._groups.get(chat_id)
            if window is None:
                window = SlidingWindow(
                    self._config.group_per_minute, self._config.group_window_seconds
                )
                self._groups[chat_id] = window
            window.refill(now)
            return window.seconds_until_token(now)
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._bucket(self._config.private_chat_burst, self._config.private_chat_rate)
            self._chats[chat_id] = bucket
        bucket.refill(now)
        return bucket.seconds_until_token()

    def spend(self, chat_id: int, is_group: bool) -> None:
        """Counts one message in the chat and for the bot, or raises 429 counting none."""
        if not self._config.flood_limits:
            return
        now = self._clock()
        self._global.refill(now)
        wait = max(self._chat_wait(chat_id, is_group, now), self._global.seconds_until_token())
        if wait > 0:
            raise too_many_requests(
                max(1, math.ceil(wait)) if math.isfinite(wait) else _FOREVER_SECONDS
            )
        if is_group:
            self._groups[chat_id].take(now)
        else:
            self._chats[chat_id].take()
        self._global.take()
