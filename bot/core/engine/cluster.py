"""This bot instance among the others on one PostgreSQL database: who is alive, who does what.

Each instance writes a heartbeat every `beat_every` seconds; the instances seen within `lease`
are live. They split the work by chat: an instance serves the chats whose id, modulo the
number of live instances, is its rank among them (ids sorted). Serving a chat means checking
its orders with sms4sats and telling its users, so one person's messages leave from one
instance and their chat's Telegram budget holds. The leases (`check_leases`, the outbox's
claims) make the split safe while it changes: two instances never check one order or send one
message at once, and what a dead instance held runs out with its heartbeat and is taken over.

Telegram's overall budget is the bot's, not each instance's: `share` is this instance's part.

The poller, the outbox and the watches ask a `Membership` and never learn which one they got:
`Cluster` on PostgreSQL (even while it is the only live instance: another may start at any
moment, and a dead one's leases and claims are in the tables), or `Alone` on SQLite, which one
process holds alone, so it serves every chat and every lease and claim is its own at no cost.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
from collections.abc import Callable, Collection
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.telling import OutboxEntry, Part
from storage import InstanceStore, OutboxStore

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


class Membership(Protocol):
    """This instance's part of the work: which chats it serves, and its leases and claims."""

    @property
    def size(self) -> int:
        """How many instances are live, this one included."""

    @property
    def rank(self) -> int:
        """This instance's place among the live ones (0 leads: it refreshes the stock board)."""

    @property
    def share(self) -> float:
        """This instance's part of the bot's overall Telegram budget."""

    @property
    def beat_every(self) -> float:
        """Seconds between heartbeats: how soon a claim that ran out can be taken over."""

    def serves(self, chat_id: int) -> bool:
        """Whether this instance checks the chat's orders and tells its users."""

    def on_change(self, listener: Listener) -> None:
        """Call `listener` whenever the live instances change (one joined, left or died)."""

    async def start(self) -> None: ...

    async def close(self) -> None:
        """Give up this instance's leases and claims: the others take them over at once."""

    async def claim_checks(self, order_ids: Collection[int]) -> set[int]:
        """Of `order_ids`, those this instance holds the check lease of now."""

    async def release_checks(self, order_ids: Collection[int]) -> None: ...

    async def free_rows(self, store: OutboxStore) -> list[OutboxEntry]:
        """Outbox rows nobody holds in the chats this instance serves, now claimed by it."""

    async def put_row(self, store: OutboxStore, entry: OutboxEntry) -> bool:
        """Write the outbox row, claimed by this instance; whether it holds it now."""

    async def hold_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        """Right before sending: whether the row is still this instance's."""

    async def remove_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        """The part was told: delete its row if this instance holds it. Whether another
        instance may have stored news of the order meanwhile (then it is read again)."""


class Alone:
    """One process alone on its database (SQLite): every chat, lease and claim is its own."""

    size = 1
    rank = 0
    share = 1.0
    # Nothing to take over from anybody: the outbox's look for free rows may be rare.
    beat_every = math.inf

    def __init__(self) -> None:
        self._taken_up = False

    def serves(self, chat_id: int) -> bool:
        return True

    def on_change(self, listener: Listener) -> None:
        """Nobody joins or leaves: the listener is never called."""

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def claim_checks(self, order_ids: Collection[int]) -> set[int]:
        return set(order_ids)

    async def release_checks(self, order_ids: Collection[int]) -> None:
        pass

    async def free_rows(self, store: OutboxStore) -> list[OutboxEntry]:
        # What a previous run left, once: after that every row is one this process wrote and
        # keeps in memory, and reading them again would only bring back rows being deleted.
        if self._taken_up:
            return []
        self._taken_up = True
        return await store.pending()

    async def put_row(self, store: OutboxStore, entry: OutboxEntry) -> bool:
        await store.put(entry)
        return True

    async def hold_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        return True

    async def remove_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        await store.remove(order_id, part)
        return False


class Cluster:
    """This instance among the others on one PostgreSQL database."""

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

    async def free_rows(self, store: OutboxStore) -> list[OutboxEntry]:
        return await store.claim_free(
            self.id, self.lease_until(), instances=self.size, rank=self.rank
        )

    async def put_row(self, store: OutboxStore, entry: OutboxEntry) -> bool:
        return await store.put_claimed(entry, self.id, self.lease_until())

    async def hold_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        return await store.hold(order_id, part, self.id, self.lease_until())

    async def remove_row(self, store: OutboxStore, order_id: int, part: Part) -> bool:
        await store.remove_claimed(order_id, part, self.id)
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.beat_every)
            try:
                await self.beat()
            except Exception as error:
                # The database is away: keep trying; the others may take over meanwhile, and
                # this instance learns it at its next heartbeat.
                log.warning("Heartbeat failed: %s", error)
