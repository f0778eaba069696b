"""/stats: the operator's figures (sales, referral earnings, what works) for a period, the
chart's per-day figures, and the orders of a period as a CSV file. Admins only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from bot.core.admins import AdminDirectory
from bot.domain.clock import Clock
from bot.domain.stats import DayOutcome, OrderRecord, Stats
from storage import StatsStore

# The periods the view offers, in seconds back from now (None: all time).
PERIODS: dict[str, float | None] = {
    "24h": 24 * 3600.0,
    "7d": 7 * 24 * 3600.0,
    "30d": 30 * 24 * 3600.0,
    "all": None,
}
DEFAULT_PERIOD = "7d"
CSV_COLUMNS = (
    "order_id", "created_at", "kind", "state", "user_id", "country", "service", "amount_sats",
    "paid_from_balance", "paid_at", "number_at", "code_at", "closed_at", "seconds_to_code",
)  # fmt: skip


class Barred(Enum):
    ADMINS_ONLY = "admins-only"
    WRONG_CHAT = "wrong-chat"
    """A group other than the admin group: its members would read the figures."""


@dataclass(frozen=True, slots=True)
class Report:
    stats: Stats
    referral: str | None
    """The referral address earnings go to, if one is set."""


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The chart's figures: per UTC day and outcome, from `since` (None: all time) to `now`."""

    rows: list[DayOutcome]
    since: float | None
    now: float


@dataclass(frozen=True, slots=True)
class CsvFile:
    name: str
    content: bytes
    count: int
    """How many orders it lists."""


class StatsDesk:
    def __init__(
        self, stats: StatsStore, admins: AdminDirectory, clock: Clock, *, referral: str | None
    ) -> None:
        self._stats = stats
        self._admins = admins
        self._clock = clock
        self._referral = referral

    async def barred(
        self, user_id: int | None, chat_id: int | None, *, private: bool
    ) -> Barred | None:
        """Whether an admin asks, in a private chat or the admin group (None: they may)."""
        if user_id is None or not await self._admins.is_admin(user_id):
            return Barred.ADMINS_ONLY
        if not private and (chat_id is None or chat_id != self._admins.admin_chat_id):
            return Barred.WRONG_CHAT
        return None

    def _since(self, period: str) -> float | None:
        back = PERIODS[period]
        return None if back is None else self._clock() - back

    async def report(self, period: str) -> Report:
        return Report(await self._stats.stats(self._since(period)), self._referral)

    async def per_day(self, period: str) -> DayFigures:
        since = self._since(period)
        return DayFigures(await self._stats.per_day(since), since, self._clock())

    async def csv(self, period: str) -> CsvFile:
        """The period's orders, one CSV row each (streamed from the database as written)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        count = 0
        async for record in self._stats.orders(self._since(period)):
            writer.writerow(csv_row(record))
            count += 1
        stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y%m%d-%H%M")
        return CsvFile(f"orders-{period}-{stamp}.csv", buffer.getvalue().encode(), count)


def csv_row(record: OrderRecord) -> list[str]:
    """One order as CSV cells: times in ISO 8601 UTC, empty for what did not happen."""
    waited = ""
    if record.code_at is not None and record.paid_at is not None:
        waited = f"{record.code_at - record.paid_at:.0f}"
    return [
        str(record.id),
        _iso(record.created_at),
        record.kind,
        record.state,
        str(record.user_id),
        _cell(record.country),
        _cell(record.service),
        "" if record.amount_sats is None else str(record.amount_sats),
        "1" if record.paid_from_balance else "0",
        _iso(record.paid_at),
        _iso(record.number_at),
        _iso(record.code_at),
        _iso(record.closed_at),
        waited,
    ]


def _cell(text: str | None) -> str:
    # Names come from sms4sats: one starting like a formula must not run in a spreadsheet.
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


def _iso(moment: float | None) -> str:
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
