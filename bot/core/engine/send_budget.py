"""How fast the bot may write to Telegram: its whole budget, and each chat's, in real seconds.

Telegram answers 429 past about 30 messages a second for the bot, about 1 a second in a private
chat (with short bursts) and 20 a minute in a group. The outbox keeps a little under each chat's
budget, so its own messages never meet a 429. The overall budget is one for every call the bot
makes in a chat (the outbox's messages, the card deletions its tells make, answers to people):
the bot's rate limiter takes a token per call here, most urgent first. There used to be two
overall limiters in series, the outbox's and the rate limiter's, and a code the outbox sent at
once then queued behind up to 64 card edits at the second one (about 2 s in `make bench`).
Times are the event loop's monotonic seconds: these are real limits, not the bot's clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field

OVERALL_PER_SECOND = 28.0
OVERALL_BURST = 5.0
PRIVATE_PER_SECOND = 1.0
PRIVATE_BURST = 3.0
GROUP_PER_WINDOW = 20
GROUP_WINDOW = 60.0
# Chats idle this long forget their budget, so memory follows the chats in use.
FORGET_AFTER = 120.0

# How urgent the Telegram calls being made are, lower first (the outbox's `Priority`): the
# outbox sets it around each tell, so every call the tell makes waits its turn by it. Calls made
# elsewhere (answers to a person looking at the chat) are as urgent as a code.
call_priority: ContextVar[int] = ContextVar("call_priority", default=0)


class Prepaid:
    """A token the outbox took before starting a tell: the tell's first call spends it."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = False


# Set by the outbox in a tell's own task (its context), so no other call can spend the token.
prepaid_call: ContextVar[Prepaid | None] = ContextVar("prepaid_call", default=None)


@dataclass(slots=True)
class Bucket:
    """A token bucket: `burst` at once, then `rate` a second."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def ready_at(self, now: float) -> float:
        """When a token is there (now, or later)."""
        tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        return now if tokens >= 1 else now + (1 - tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate) - 1
        self.updated = now


@dataclass(slots=True)
class Window:
    """At most `limit` in any `seconds`, which is how Telegram counts a group's messages."""

    limit: int
    seconds: float
    sent: deque[float] = field(default_factory=deque)

    def ready_at(self, now: float) -> float:
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        return now if len(self.sent) < self.limit else self.sent[0] + self.seconds

    def take(self, now: float) -> None:
        self.sent.append(now)


class SendBudget:
    def __init__(
        self,
        *,
        overall_per_second: float = OVERALL_PER_SECOND,
        overall_burst: float = OVERALL_BURST,
        private_per_second: float = PRIVATE_PER_SECOND,
        private_burst: float = PRIVATE_BURST,
        group_per_window: int = GROUP_PER_WINDOW,
        group_window: float = GROUP_WINDOW,
    ) -> None:
        self._overall = Bucket(overall_per_second, overall_burst, overall_burst, 0.0)
        self._overall_full = (overall_per_second, overall_burst)
        self._private = (private_per_second, private_burst)
        self._group = (group_per_window, group_window)
        self._chats: dict[int, Bucket | Window] = {}
        self._last_used: dict[int, float] = {}
        # Calls waiting for an overall token: (priority, arrival, their future).
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._wake: asyncio.TimerHandle | None = None

    def set_share(self, share: float) -> None:
        """Use `share` (0 to 1) of the bot's overall budget: the bot's other instances, on one
        database, send the rest. Chats keep their whole budget: one instance serves each."""
        rate, burst = self._overall_full
        self._overall.rate = rate * share
        self._overall.burst = max(1.0, burst * share)
        self._overall.tokens = min(self._overall.tokens, self._overall.burst)

    @property
    def overall_per_second(self) -> float:
        return self._overall.rate

    @property
    def calls_waiting(self) -> int:
        """Calls waiting for a token of the overall budget."""
        return len(self._waiting)

    async def take_overall(self, priority: int | None = None) -> None:
        """Wait for a token of the overall budget: by priority (`call_priority` unless given),
        then first come. A call whose token the outbox took already (`prepaid_call`) goes."""
        prepaid = prepaid_call.get()
        if prepaid is not None and not prepaid.spent:
            prepaid.spent = True
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._waiting and self._overall.ready_at(now) <= now:
            self._overall.take(now)
            return
        future: asyncio.Future[None] = loop.create_future()
        if priority is None:
            priority = call_priority.get()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), future))
        self._hand_out(loop)
        await future

    def _hand_out(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give the tokens there are to the most urgent waiters; wake up for the next one."""
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        now = loop.time()
        while self._waiting:
            future = self._waiting[0][2]
            if future.done():  # its caller was cancelled
                heapq.heappop(self._waiting)
                continue
            if self._overall.ready_at(now) > now:
                break
            heapq.heappop(self._waiting)
            self._overall.take(now)
            future.set_result(None)
        if self._waiting:
            self._wake = loop.call_at(self._overall.ready_at(now), self._hand_out, loop)

    def chat_ready_at(self, chat_id: int, now: float) -> float:
        budget = self._chats.get(chat_id)
        return now if budget is None else budget.ready_at(now)

    def take_chat(self, chat_id: int, now: float) -> None:
        """One message to `chat_id`, now; the caller checked that the chat's budget had room.
        (Its call takes a token of the overall budget when it is made.)"""
        budget = self._chats.get(chat_id)
        if budget is None:
            budget = self._new_budget(chat_id, now)
            self._chats[chat_id] = budget
        budget.take(now)
        self._last_used[chat_id] = now
        if len(self._last_used) > 1024 and len(self._last_used) % 256 == 0:
            self._forget_idle(now)

    def _new_budget(self, chat_id: int, now: float) -> Bucket | Window:
        if chat_id < 0:  # groups and channels have negative ids
            return Window(*self._group)
        rate, burst = self._private
        return Bucket(rate, burst, burst, now)

    def _forget_idle(self, now: float) -> None:
        idle = [chat for chat, used in self._last_used.items() if now - used > FORGET_AFTER]
        for chat in idle:
            del self._last_used[chat], self._chats[chat]
