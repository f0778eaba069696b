"""Telegram's flood limits as token buckets: per private chat, per group and for the whole bot."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.errors import too_many_requests


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


class FloodControl:
    def __init__(
        self, config: TelegramSandboxConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config
        self._clock = clock
        self._global = self._bucket(config.global_per_second, config.global_per_second)
        self._chats: dict[int, TokenBucket] = {}

    def _bucket(self, capacity: float, rate: float) -> TokenBucket:
        return TokenBucket(capacity, rate, capacity, self._clock())

    def reset(self) -> None:
        self._global = self._bucket(self._config.global_per_second, self._config.global_per_second)
        self._chats.clear()

    def spend(self, chat_id: int, is_group: bool) -> None:
        """Takes one token from the chat's and the global bucket, or raises 429 taking none."""
        if not self._config.flood_limits:
            return
        chat = self._chats.get(chat_id)
        if chat is None:
            if is_group:
                minute = self._config.group_per_minute
                chat = self._bucket(minute, minute / 60)
            else:
                chat = self._bucket(self._config.private_chat_burst, self._config.private_chat_rate)
            self._chats[chat_id] = chat
        now = self._clock()
        buckets = (chat, self._global)
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.seconds_until_token() for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)) if math.isfinite(wait) else 3600)
        for bucket in buckets:
            bucket.tokens -= 1
