"""Placements in progress: written before sms4sats is asked to create an order, removed once
the order is stored or refused, so a crash in between is found and told after a restart."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.in_flight import InFlightPlacement
from bot.domain.orders import OrderKind
from storage.database import Database


class PlacementStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def begin(self, chat_id: int, message_id: int, user_id: int, kind: OrderKind) -> bool:
        """Record the intent; False when one for this confirmation is already in progress."""
        inserted = await self._db.execute(
            "INSERT INTO placements (chat_id, message_id, user_id, kind, started_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO NOTHING",
            (chat_id, message_id, user_id, kind.value, self._clock()),
        )
        return inserted == 1

    async def end(self, chat_id: int, message_id: int) -> None:
        await self._db.execute(
            "DELETE FROM placements WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )

    async def unfinished(self) -> list[InFlightPlacement]:
        rows = await self._db.fetch_all(
            "SELECT chat_id, message_id, user_id, kind, started_at FROM placements"
        )
        return [InFlightPlacement(**{**row, "kind": OrderKind(row["kind"])}) for row in rows]
