"""The SMS rented numbers received: one row each, told to the renter exactly once.

Telling follows the code message's rule: an attempt is counted (`sends`, compare-and-set)
before it starts, so two instances never both send it and an attempt whose outcome is unknown
(a timeout) is repeated at most once; an attempt that certainly failed (Telegram said no, a 429)
is taken back, and tried again until it gets through, the chat is gone, or `GIVE_UP_AFTER`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from bot.domain.clock import Clock
from bot.domain.remote import ReceivedSms
from bot.domain.rental_sms import StoredSms
from storage.database import Database, Row

# Attempts whose outcome was unknown: one repeat at most (Telegram has no idempotency key).
MAX_SMS_SENDS = 2
# An SMS that could not be told for this long is no news any more.
GIVE_UP_AFTER = 24 * 3600


def _sms(row: Row) -> StoredSms:
    return StoredSms(
        int(row["id"]), int(row["order_id"]), str(row["text"]), row["code"],
        row["received_at"], float(row["stored_at"]), int(row["sends"]), row["message_id"],
    )  # fmt: skip


def _key(sms: ReceivedSms) -> str:
    return hashlib.sha256(sms.key.encode()).hexdigest()


class RentalSmsStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(
        self, order_id: int, messages: tuple[ReceivedSms, ...], *, keep: int, fast_until: float
    ) -> int:
        """Store the SMS not stored yet (the same SMS twice is one row); how many were new.

        The order's count, its last `keep` SMS (for the card) and, when one was new, its fast
        polling (until `fast_until`) are written in the same transaction."""
        now = self._clock()
        async with self._db.transaction() as tx:
            added = 0
            for sms in messages:
                added += await tx.execute(
                    "INSERT INTO rental_sms (order_id, sms_key, text, code, received_at, "
                    "stored_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (order_id, sms_key) DO NOTHING",
                    (order_id, _key(sms), sms.text[:4000], sms.code, sms.received_at, now),
                )
            if added:
                count = int(
                    await tx.fetch_value(
                        "SELECT COUNT(*) FROM rental_sms WHERE order_id = ?", (order_id,)
                    )
                )
                rows = await tx.fetch_all(
                    "SELECT text, code, received_at, stored_at FROM rental_sms "
                    "WHERE order_id = ? ORDER BY id DESC LIMIT ?",
                    (order_id, keep),
                )
                recent = json.dumps(
                    [
                        {"text": r["text"], "code": r["code"],
                         "at": r["received_at"] or r["stored_at"]}
                        for r in reversed(rows)
                    ],
                    ensure_ascii=False,
                )  # fmt: skip
                await tx.execute(
                    "UPDATE orders SET sms_count = ?, recent_sms = ?, fast_poll_until = ?, "
                    "updated_at = ? WHERE id = ?",
                    (count, recent, fast_until, now, order_id),
                )
        return added

    async def unsettled(self, order_id: int) -> list[StoredSms]:
        rows = await self._db.fetch_all(
            "SELECT * FROM rental_sms WHERE order_id = ? AND settled_at IS NULL ORDER BY id",
            (order_id,),
        )
        return [_sms(row) for row in rows]

    async def count_send(self, sms: StoredSms) -> StoredSms | None:
        """Count one more attempt to tell `sms`, unless one was counted since it was read
        (another instance is telling it) or it is settled: then None."""
        changed = await self._db.execute(
            "UPDATE rental_sms SET sends = ? WHERE id = ? AND sends = ? AND settled_at IS NULL",
            (sms.sends + 1, sms.id, sms.sends),
        )
        return replace(sms, sends=sms.sends + 1) if changed else None

    async def uncount_send(self, sms: StoredSms) -> None:
        """The attempt counted for `sms` certainly failed: it does not count."""
        await self._db.execute(
            "UPDATE rental_sms SET sends = sends - 1 "
            "WHERE id = ? AND sends = ? AND settled_at IS NULL",
            (sms.id, sms.sends),
        )

    async def told(self, sms: StoredSms, message_id: int) -> None:
        await self._db.execute(
            "UPDATE rental_sms SET message_id = ?, settled_at = ? WHERE id = ?",
            (message_id, self._clock(), sms.id),
        )

    async def give_up(self, sms: StoredSms) -> None:
        await self._db.execute(
            "UPDATE rental_sms SET settled_at = ? WHERE id = ? AND settled_at IS NULL",
            (self._clock(), sms.id),
        )

    async def settle_count(self, order_id: int) -> int:
        """Write on the order how many of its SMS are settled; that number."""
        settled = int(
            await self._db.fetch_value(
                "SELECT COUNT(*) FROM rental_sms WHERE order_id = ? AND settled_at IS NOT NULL",
                (order_id,),
            )
        )
        await self._db.execute(
            "UPDATE orders SET sms_settled = ?, updated_at = ? WHERE id = ?",
            (settled, self._clock(), order_id),
        )
        return settled

    async def for_order(self, order_id: int) -> list[StoredSms]:
        rows = await self._db.fetch_all(
            "SELECT * FROM rental_sms WHERE order_id = ? ORDER BY id", (order_id,)
        )
        return [_sms(row) for row in rows]
