"""Bot instances sharing one PostgreSQL database: heartbeats and the leases on order checks.

Each running process has a row in `instances` (a random id per start) that it refreshes every
few seconds; the instances seen within the lease are the live ones, and they split the open
orders among themselves. Checking an order with sms4sats takes a lease on it in
`check_leases` first (`SELECT ... FOR UPDATE SKIP LOCKED`, in one transaction per batch of due
checks), so two instances never check one order at once, and a dead instance's leases run out.

PostgreSQL only: a single SQLite process needs none of this and never calls it.
"""

from __future__ import annotations

from collections.abc import Collection

from storage.database import Database

# Leases and instance rows this long past their expiry are deleted (they are dead weight).
FORGET_AFTER = 3600.0


class InstanceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def beat(
        self, instance_id: str, host: str, pid: int, now: float, lease: float
    ) -> list[str]:
        """Say `instance_id` is alive now; the ids of the live instances, sorted (this one
        included). Its check leases and outbox claims are renewed with it, so all of them run
        out together when it dies."""
        until = now + lease
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO instances (id, host, pid, started_at, last_seen) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen",
                (instance_id, host, pid, now, now),
            )
            await tx.execute(
                "UPDATE check_leases SET until = ? WHERE owner = ? AND until >= ?",
                (until, instance_id, now),
            )
            await tx.execute(
                "UPDATE outbox SET claimed_until = ? WHERE claimed_by = ?", (until, instance_id)
            )
            rows = await tx.fetch_all(
                "SELECT id FROM instances WHERE last_seen >= ? ORDER BY id", (now - lease,)
            )
        live = [str(row["id"]) for row in rows]
        return live if instance_id in live else sorted([*live, instance_id])

    async def leave(self, instance_id: str) -> None:
        """A clean stop: the others take over this instance's orders and messages at once."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM check_leases WHERE owner = ?", (instance_id,))
            await tx.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?",
                (instance_id,),
            )
            await tx.execute("DELETE FROM instances WHERE id = ?", (instance_id,))

    async def forget_expired(self, now: float) -> None:
        await self._db.execute("DELETE FROM check_leases WHERE until < ?", (now - FORGET_AFTER,))
        await self._db.execute("DELETE FROM instances WHERE last_seen < ?", (now - FORGET_AFTER,))

    async def claim_checks(
        self, instance_id: str, order_ids: Collection[int], now: float, until: float
    ) -> set[int]:
        """Of `order_ids`, those this instance may check now (their lease is now its own, until
        `until`); the others are leased to a live instance or being claimed by one right now."""
        if not order_ids:
            return set()
        ids = sorted(order_ids)
        async with self._db.transaction() as tx:
            # A lease row for each order first, expired, so that SKIP LOCKED has rows to lock.
            await tx.execute(
                "INSERT INTO check_leases (order_id, owner, until) "
                "SELECT unnest(?::bigint[]), '', 0 ON CONFLICT (order_id) DO NOTHING",
                (ids,),
            )
            rows = await tx.fetch_all(
                "SELECT order_id FROM check_leases WHERE order_id = ANY(?) "
                "AND (owner = ? OR until < ?) FOR UPDATE SKIP LOCKED",
                (ids, instance_id, now),
            )
            mine = [int(row["order_id"]) for row in rows]
            if mine:
                await tx.execute(
                    "UPDATE check_leases SET owner = ?, until = ? WHERE order_id = ANY(?)",
                    (instance_id, until, mine),
                )
        return set(mine)

    async def release_checks(self, instance_id: str, order_ids: Collection[int]) -> None:
        """Hand these orders' leases back (they belong to another instance now, or ended)."""
        if order_ids:
            await self._db.execute(
                "DELETE FROM check_leases WHERE owner = ? AND order_id = ANY(?)",
                (instance_id, sorted(order_ids)),
            )
