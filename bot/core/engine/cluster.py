"""This bot instance among the others on one PostgreSQL database: who is alive, who does what.

Each instance writes a heartbeat every `beat_every` seconds; the instances seen within `lease`
are live. They split the work by chat: an instance serves the chats whose id, modulo the
number of live instances, is its rank among them (ids sorted). Serving a chat means checking
its orders with sms4sats and telling its users, so one person's messages leave from one
instance and their chat's Telegram budget holds. The leases (`check_leases`, the outbox's
claims) make the split safe while it changes: two instances never check one order or send one
message at once, and what a dead instance held runs out with its heartbeat and is taken over.

Telegram's overall budget is the bot's, not each instance's: `share` is this instance's part.
A single SQLite process has no cluster at all (the poller and the outbox take `None`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Collection

from bot.domain.clock import Clock
from storage import InstanceStore

log = logging.getLogger(__name__)

# An instance, its check leases and its outbox claims are given up this many poll intervals
# after its last heartbeat: a SIGKILLed instance's work moves on within two intervals.
LEASE_INTERVALS = 1.5
# ...but never less than this (seconds): a short pause (GC, a slow query) must not look like
# a death when POLL_INTERVAL is tiny.
MIN_LEASE = 1.0
# Heartbeats per lease: a few may be late before the others take over.
BEATS_PER_LEASE = 4
# Dead rows are swept this often (heartbeats).
SWEEP_EVERY = 100

Listener = Callable[[], None]


class Cluster:
    def __init__(
        self,
        store: InstanceStore,
        clock: Clock,
        *,
        poll_interval: float,
        instance_id: str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.id = instance_id or secrets.token_hex(8)
        self.lease = max(LEASE_INTERVALS * poll_interval, MIN_LEASE)
        self.beat_every = self.lease / BEATS_PER_LEASE
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self._live: list[str] = [self.id]
        self._listeners: list[Listener] = []
        self._beats = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        """How many instances are live, this one included."""
        return len(self._live)

    @property
    def rank(self) -> int:
        return self._live.index(self.id)

    @property
    def share(self) -> float:
        """This instance's part of the bot's overall Telegram budget."""
        return 1.0 / self.size

    def serves(self, chat_id: int) -> bool:
        """Whether this instance checks the chat's orders and tells its users."""
        return abs(chat_id) % self.size == self.rank

    def lease_until(self) -> float:
        return self._clock() + self.lease

    def on_change(self, listener: Listener) -> None:
        """Call `listener` whenever the live instances change (one joined, left or died)."""
        self._listeners.append(listener)

    async def start(self) -> None:
        await self.beat()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="heartbeat")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            await self._store.leave(self.id)
        except Exception as error:  # the others take over when the lease runs out anyway
            log.warning("Could not sign off from the other instances: %s", error)

    async def beat(self) -> None:
        """Say this instance is alive, and see who else is."""
        now = self._clock()
        live = await self._store.beat(self.id, self._host, self._pid, now, self.lease)
        self._beats += 1
        if self._beats % SWEEP_EVERY == 1:
            await self._store.forget_expired(now)
        if live != self._live:
            self._live = live
            log.info("Live instances: %d; this one (%s) is number %d and serves 1/%d of chats",
                     self.size, self.id, self.rank + 1, self.size)  # fmt: skip
            for listener in self._listeners:
                listener()

    async def claim_checks(self, order_ids: Collection[int]) -> set[int]:
        """Of `order_ids`, those this instance holds the check lease of now."""
        return await self._store.claim_checks(self.id, order_ids, self._clock(), self.lease_until())

    async def release_checks(self, order_ids: Collection[int]) -> None:
        await self._store.release_checks(self.id, order_ids)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.beat_every)
            try:
                await self.beat()
            except Exception as error:
                # The database is away: keep trying; the others may take over meanwhile, and
                # this instance learns it at its next heartbeat.
                log.warning("Heartbeat failed: %s", error)
